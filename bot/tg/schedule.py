"""Every scheduled job in one place: its name, when it runs, and the one misfire policy.

`register_jobs` is called once at start-up (bot/app.py) and registers the jobs in the order
below; the job callbacks stay in their feature modules. Each job has a fixed name, so
registering again replaces it instead of adding a second one.

Misfire policy (`late_ok`): APScheduler's default grace is 1 s, so a job that starts late
because the loop is busy (a broadcast, a slow send) would be skipped silently. A job may start
up to six hours late; campaign keys and weekly keys keep a late run from doing anything twice.
A job that repeats within seconds or minutes (the heartbeat, the report ticks) gets one period
instead: its next run does the same work.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from telegram.ext import Application, JobQueue

from bot.domain.reports import next_boundary
from bot.services.health import HEARTBEAT_EVERY
from bot.services.registry import Services
from bot.tg import backup, case_clock_jobs, digest, health, jobs, quiz_jobs, report_jobs
from bot.tg.context import SERVICES_KEY, BotContext

log = logging.getLogger(__name__)

GRACE = timedelta(hours=6)
REPLAN_TIME = time(0, 5)  # the daily re-plan of reminder sends, local time
DEADLINE_CHECK_EVERY = timedelta(hours=1)


def late_ok(period: timedelta | None = None) -> dict[str, object]:
    """APScheduler job arguments for the misfire policy: GRACE, or one `period` if given."""
    return {"misfire_grace_time": int((period or GRACE).total_seconds())}


def _queue(application: Application) -> JobQueue[BotContext]:
    job_queue: JobQueue[BotContext] | None = application.job_queue
    assert job_queue is not None, "python-telegram-bot[job-queue] is required"
    return job_queue


def _replace(job_queue: JobQueue[BotContext], *names: str) -> None:
    for name in names:
        for job in job_queue.get_jobs_by_name(name):
            job.schedule_removal()


def _local(at: time, services: Services) -> time:
    return at.replace(tzinfo=services.config.timezone)


# --- reminders ---------------------------------------------------------------------------------


def schedule_reminders(job_queue: JobQueue[BotContext], services: Services) -> int:
    """(Re)schedule a job for every reminder send in the next ~400 days; return how many."""
    now = services.now()
    wanted = {jobs.reminder_job_name(send): send for send in services.reminders.upcoming(now)}
    for job in job_queue.jobs():
        if job.name and job.name.startswith("reminder ") and job.name != jobs.REPLAN_JOB:
            job.schedule_removal()
    for name, send in wanted.items():
        # Relative to the services' clock, which is the real clock outside tests.
        job_queue.run_once(
            jobs.send_reminder,
            when=max(send.send_at - now, timedelta(0)),
            data=send,
            name=name,
            job_kwargs=late_ok(),
        )
    return len(wanted)


async def replan_reminders(context: BotContext) -> None:
    """Daily job: reschedule the coming year's sends and catch up anything missed."""
    services = context.services
    schedule_reminders(_queue(context.application), services)
    await jobs.catch_up_reminders(services)


async def replan_after_reload(application: Application) -> None:
    """After /reload: replace the reminder jobs by the new plan and send what is now overdue.

    Campaign keys do not contain the date, so a send that already went out stays sent even
    if its date moved.
    """
    services: Services = application.bot_data[SERVICES_KEY]
    count = schedule_reminders(_queue(application), services)
    log.info("content reloaded; %d reminder sends scheduled", count)
    await jobs.catch_up_reminders(services)


def _reminder_jobs(job_queue: JobQueue[BotContext], services: Services) -> None:
    """A job per upcoming send, the daily re-plan, and the daily holiday-schedule check."""
    count = schedule_reminders(job_queue, services)
    log.info("%d reminder sends scheduled", count)
    _replace(job_queue, jobs.REPLAN_JOB, jobs.SCHEDULE_CHECK_JOB)
    job_queue.run_daily(
        replan_reminders,
        time=_local(REPLAN_TIME, services),
        name=jobs.REPLAN_JOB,
        job_kwargs=late_ok(),
    )
    job_queue.run_daily(
        jobs.check_schedule,
        time=_local(services.config.reminders.send_time, services),
        name=jobs.SCHEDULE_CHECK_JOB,
        job_kwargs=late_ok(),
    )


# --- quizzes -----------------------------------------------------------------------------------


def _quiz_jobs(job_queue: JobQueue[BotContext], services: Services) -> None:
    """The daily-question notice, the hourly deadline check, the weekly quality notice."""
    config = services.config
    _replace(job_queue, quiz_jobs.DAILY_JOB, quiz_jobs.DEADLINE_JOB, quiz_jobs.ITEMS_JOB)
    job_queue.run_daily(
        quiz_jobs.daily_question_job,
        time=_local(config.quiz.daily_time, services),
        name=quiz_jobs.DAILY_JOB,
        job_kwargs=late_ok(),
    )
    job_queue.run_repeating(
        quiz_jobs.deadline_reminder_job,
        interval=DEADLINE_CHECK_EVERY,
        first=60,
        name=quiz_jobs.DEADLINE_JOB,
        job_kwargs=late_ok(),
    )
    job_queue.run_daily(
        quiz_jobs.item_notice_job,
        time=_local(config.digest.time, services),
        days=digest.ptb_days(config.digest.weekday),
        name=quiz_jobs.ITEMS_JOB,
        job_kwargs=late_ok(),
    )


# --- anonymous reports -------------------------------------------------------------------------


def schedule_ticks(
    application: Application,
    now: datetime,
    *,
    announce_every: timedelta | None = timedelta(hours=1),
) -> None:
    """Tick every reports.write_every_minutes from the full hour; announce every
    `announce_every` (the full hour), or at every tick if None (the demo).

    The grace is a whole interval (a tick that starts late still runs, once), and two runs may
    overlap, so a slow delivery never makes the scheduler skip a tick and log that it did.
    """
    services: Services = application.bot_data[SERVICES_KEY]
    report_jobs.start_batches(application, now, announce_every)
    job_queue = _queue(application)
    _replace(job_queue, report_jobs.TICK_JOB)
    every = services.reports.write_every
    job_queue.run_repeating(
        report_jobs.tick_job,
        interval=every,
        first=next_boundary(now, every),
        name=report_jobs.TICK_JOB,
        job_kwargs={**late_ok(every), "coalesce": True, "max_instances": 2},
    )


# --- start-up ----------------------------------------------------------------------------------


def register_jobs(application: Application, now: datetime) -> None:
    """Every job, in start-up order: reminders, quizzes, report ticks, the weekly digest, the
    nightly retention and backup, the reviewers' case clocks, the heartbeat."""
    services: Services = application.bot_data[SERVICES_KEY]
    job_queue = _queue(application)
    config = services.config
    _reminder_jobs(job_queue, services)
    _quiz_jobs(job_queue, services)
    schedule_ticks(application, now)
    _replace(
        job_queue,
        digest.DIGEST_JOB,
        backup.BACKUP_JOB,
        case_clock_jobs.CASE_CLOCK_JOB,
        health.HEARTBEAT_JOB,
    )
    job_queue.run_daily(
        digest.weekly_digest,
        time=_local(config.digest.time, services),
        days=digest.ptb_days(config.digest.weekday),
        name=digest.DIGEST_JOB,
        job_kwargs=late_ok(),
    )
    job_queue.run_daily(
        backup.backup_job,
        time=_local(config.backup.time, services),
        name=backup.BACKUP_JOB,
        job_kwargs=late_ok(),
    )
    # Reviewers hear once per report and target that it nears its due day (working days), at
    # a fixed time, so when a reminder goes out says nothing about when anyone filed.
    job_queue.run_daily(
        case_clock_jobs.case_clock_job,
        time=_local(config.reports.clock_check_time, services),
        name=case_clock_jobs.CASE_CLOCK_JOB,
        job_kwargs=late_ok(),
    )
    # The heartbeat for `python -m bot health`, starting a few seconds after start-up.
    job_queue.run_repeating(
        health.heartbeat_job,
        interval=HEARTBEAT_EVERY,
        first=5,
        name=health.HEARTBEAT_JOB,
        job_kwargs=late_ok(HEARTBEAT_EVERY),
    )
