"""The daily case-clock job: remind reviewers of reports nearing a target (services/case_clocks).

It runs at the fixed local time `reports.clock_check_time` (registered in bot/tg/schedule.py),
so when a reminder goes out says nothing about when anyone filed: only how many working days
have passed since the day.
"""

from __future__ import annotations

import logging

from bot.tg.context import BotContext

log = logging.getLogger(__name__)

CASE_CLOCK_JOB = "report case clocks"


async def case_clock_job(context: BotContext) -> None:
    """Job: one reminder per report and target nearing its due day (repeats send nothing)."""
    services = context.services
    created = await services.case_clocks.send_reminders(services.now())
    if created:
        log.info("case clocks: %d reminder campaign(s) queued for reviewers", created)
