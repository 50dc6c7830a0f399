"""Reminder jobs (registered in bot/tg/schedule.py): holiday reminder sends, the catch-up of
sends missed while the bot was down, and the daily check that warns admins while the official
holiday schedule is missing."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.content.reminders import warning_lines
from bot.domain.holidays import PlannedSend
from bot.services.registry import Services
from bot.tg.context import BotContext

log = logging.getLogger(__name__)

REPLAN_JOB = "reminders replan"
SCHEDULE_CHECK_JOB = "holiday schedule check"


def reminder_job_name(send: PlannedSend) -> str:
    """Deterministic job name, e.g. `reminder 2026 春节 3` (rescheduling replaces it)."""
    return f"reminder {send.year} {send.holiday} {send.lead_days}"


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


async def check_schedule(context: BotContext) -> None:
    """Daily job: warn admins (at most once a week) while the official schedule is missing."""
    await context.services.reminders.warn_admins(context.services.now())


async def start_reminders(services: Services) -> None:
    """At start-up, once the jobs are registered: send what came due while the bot was down,
    and log the holiday-schedule warning; past reminders.send_time, the admins' daily schedule
    check runs now too (its weekly key keeps a restart from repeating it)."""
    await catch_up_reminders(services)
    now = services.now()
    local = now.astimezone(services.config.timezone)
    warning = services.reminders.schedule_warning(local.date())
    if warning is not None:
        for line in warning_lines(warning, str(services.config.reminders.holidays_file)):
            log.warning("%s", line)
        if local.time() >= services.config.reminders.send_time:
            await services.reminders.warn_admins(now)
