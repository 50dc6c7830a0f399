"""Scheduled jobs (PTB JobQueue): holiday reminder sends, their daily re-planning and catch-up."""

from __future__ import annotations

import logging
from datetime import time, timedelta

from telegram.ext import Application, JobQueue

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


async def start_reminders(application: Application) -> None:
    """At start-up: schedule every upcoming send, the daily re-plan, and run the catch-up."""
    services: Services = application.bot_data[SERVICES_KEY]
    job_queue = application.job_queue
    assert job_queue is not None, "python-telegram-bot[job-queue] is required"
    count = schedule_reminders(job_queue, services)
    for job in job_queue.get_jobs_by_name(REPLAN_JOB):
        job.schedule_removal()
    job_queue.run_daily(
        replan_reminders,
        time=REPLAN_TIME.replace(tzinfo=services.config.timezone),
        name=REPLAN_JOB,
        job_kwargs=MISFIRE_GRACE,
    )
    log.info("%d reminder sends scheduled", count)
    await catch_up_reminders(services)
