"""Scheduled quiz work: the daily question notice, reminders before assignment deadlines, and
the admins' weekly notice of newly flagged questions."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.services.registry import Services
from bot.tg.context import BotContext

log = logging.getLogger(__name__)

DAILY_JOB = "quiz daily question"
DEADLINE_JOB = "quiz assignment deadlines"
ITEMS_JOB = "quiz item analysis weekly"
# A daily notice that came due while the bot was down is still sent within this window.
DAILY_CATCH_UP = timedelta(hours=6)


async def daily_question_job(context: BotContext) -> None:
    """Send today's daily-question notice (once a day, whatever the number of runs)."""
    services = context.services
    if await services.daily.send_daily_notice(services.now()):
        log.info("daily question notice queued")


async def deadline_reminder_job(context: BotContext) -> None:
    """Remind members whose assigned test is due within a day and not done yet."""
    services = context.services
    created = await services.assigned_tests.send_due_reminders(services.now())
    if created:
        log.info("%d assignment reminder campaign(s) queued", created)


async def item_notice_job(context: BotContext) -> None:
    """Tell admins of the questions item analysis flagged this week (if any)."""
    services = context.services
    if await services.items.send_weekly_notice(services.now()):
        log.info("question quality notice queued")


def daily_due_since(now: datetime, services: Services) -> bool:
    """Whether today's notice time has passed, within the catch-up window."""
    config = services.config
    local = now.astimezone(config.timezone)
    due = datetime.combine(local.date(), config.quiz.daily_time, config.timezone)
    return due <= local <= due + DAILY_CATCH_UP


async def catch_up_daily_notice(services: Services) -> None:
    """At start-up: today's daily notice, if it came due while the bot was down (within hours)."""
    now = services.now()
    if daily_due_since(now, services):
        await services.daily.send_daily_notice(now)
