"""Scheduled jobs (PTB JobQueue): holiday reminder sends, their daily re-planning and catch-up,
and the daily check that warns admins while the official holiday schedule is missing."""

from __future__ import annotations

import logging
from datetime import time, timedelta

from telegram.ext import Application, JobQueue

from bot.content.reminders import warning_lines
from bot.domain.holidays import PlannedSend
from bot.services.registry import Services
from bot.tg.context import SERVICES_KEY, BotContext

log = logging.getLogger(__name__)

# APScheduler's default grace is 1 s: a reminder that starts late because the loop is busy
# (e.g. with a broadcast) would be skipped silently. Hours of grace; the campaign key keeps a
# late run from sending twice.
MISFIRE_GRACE = {"misfire_grace_time": 6 * 3600}
REPLAN_JOB = "reminders replan"
REPLAN_TIME = time(0, 5)
SCHEDULE_CHECK_JOB = "holiday schedule check"


def reminder_job_name(send: PlannedSend) -> str:
    """Deterministic job name, e.g. `reminder 2026 春节 3` (rescheduling replaces it)."""
    return f"reminder {send.year} {send.holiday} {send.lead_days}"


def schedule_reminders(job_queue: JobQueue, services: Services) -> int:
    """(Re)schedule a job for every reminder send in the next ~400 days; return how many."""
    now = services.now()
    wanted = {reminder_job_name(send): send for send in services.reminders.upcoming(now)}
    for job in job_queue.jobs():
        if job.name and job.name.startswith("reminder ") and job.name != REPLAN_JOB:
            job.schedule_removal()
    for name, send in wanted.items():
        # Relative to the services' clock, which is the real clock outside tests.
        job_queue.run_once(
            send_reminder,
            when=max(send.send_at - now, timedelta(0)),
            data=send,
            name=name,
            job_kwargs=MISFIRE_GRACE,
        )
    return len(wanted)


async def catch_up_reminders(services: Services) -> int:
    """Create the campaigns of sends that came due while the bot was down; return how many new."""
    created = await services.reminders.catch_up(services.now())
    fresh = [c for c in created if c.created]
    if fresh:
        log.info("catch-up: %d reminder campaign(s) created", len(fresh))
    return len(fresh)


async def send_reminder(context: BotContext) -> None:
    """Job: create the reminder campaign of one planned send (the delivery worker sends it)."""
    job = context.job
    assert job is not None
    send: PlannedSend = job.data  # type: ignore[assignment]
    services = context.services
    now = services.now()
    today = now.astimezone(services.config.timezone).date()
    if now < send.send_at - timedelta(hours=1) or send.brk.end < today:
        log.warning("reminder job %s ran at the wrong time; skipped", job.name)
        return
    await services.reminders.send(send, now)


async def replan_reminders(context: BotContext) -> None:
    """Daily job: reschedule the coming year's sends and catch up anything missed."""
    services = context.services
    schedule_reminders(context.application.job_queue, services)  # type: ignore[arg-type]
    await catch_up_reminders(services)


async def replan_after_reload(application: Application) -> None:
    """After /reload: replace the reminder jobs by the new plan and send what is now overdue.

    Campaign keys do not contain the date, so a send that already went out stays sent even
    if its date moved.
    """
    services: Services = application.bot_data[SERVICES_KEY]
    assert application.job_queue is not None
    count = schedule_reminders(application.job_queue, services)
    log.info("content reloaded; %d reminder sends scheduled", count)
    await catch_up_reminders(services)


async def check_schedule(context: BotContext) -> None:
    """Daily job: warn admins (at most once a week) while the official schedule is missing."""
    await context.services.reminders.warn_admins(context.services.now())


async def start_reminders(application: Application) -> None:
    """At start-up: schedule every upcoming send, the daily re-plan, and run the catch-up.

    Also the daily schedule check at reminders.send_time; if start-up is later in the day, it
    runs now too (its weekly key keeps a restart from repeating it).
    """
    services: Services = application.bot_data[SERVICES_KEY]
    job_queue = application.job_queue
    assert job_queue is not None, "python-telegram-bot[job-queue] is required"
    count = schedule_reminders(job_queue, services)
    tz = services.config.timezone
    for name in (REPLAN_JOB, SCHEDULE_CHECK_JOB):
        for job in job_queue.get_jobs_by_name(name):
            job.schedule_removal()
    job_queue.run_daily(
        replan_reminders,
        time=REPLAN_TIME.replace(tzinfo=tz),
        name=REPLAN_JOB,
        job_kwargs=MISFIRE_GRACE,
    )
    send_time = services.config.reminders.send_time
    job_queue.run_daily(
        check_schedule,
        time=send_time.replace(tzinfo=tz),
        name=SCHEDULE_CHECK_JOB,
        job_kwargs=MISFIRE_GRACE,
    )
    log.info("%d reminder sends scheduled", count)
    await catch_up_reminders(services)

    now = services.now()
    local = now.astimezone(tz)
    warning = services.reminders.schedule_warning(local.date())
    if warning is not None:
        for line in warning_lines(warning, str(services.config.reminders.holidays_file)):
            log.warning("%s", line)
        if local.time() >= send_time:
            await services.reminders.warn_admins(now)
