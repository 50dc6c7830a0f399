"""The daily case-clock job: remind reviewers of reports nearing a target (services/case_clocks).

It runs at the fixed local time `reports.clock_check_time`, so when a reminder goes out says
nothing about when anyone filed: only how many working days have passed since the day.
"""

from __future__ import annotations

import logging

from telegram.ext import Application, Job

from bot.services.registry import Services
from bot.tg.context import SERVICES_KEY, BotContext

log = logging.getLogger(__name__)

CASE_CLOCK_JOB = "report case clocks"
MISFIRE_GRACE = {"misfire_grace_time": 6 * 3600}


async def case_clock_job(context: BotContext) -> None:
    """Job: one reminder per report and target nearing its due day (repeats send nothing)."""
    services = context.services
    created = await services.case_clocks.send_reminders(services.now())
    if created:
        log.info("case clocks: %d reminder campaign(s) queued for reviewers", created)


def schedule_case_clocks(application: Application) -> Job:
    """(Re)schedule the daily case-clock check at `reports.clock_check_time`, local time."""
    services: Services = application.bot_data[SERVICES_KEY]
    job_queue = application.job_queue
    assert job_queue is not None, "python-telegram-bot[job-queue] is required"
    for job in job_queue.get_jobs_by_name(CASE_CLOCK_JOB):
        job.schedule_removal()
    config = services.config
    return job_queue.run_daily(
        case_clock_job,
        time=config.reports.clock_check_time.replace(tzinfo=config.timezone),
        name=CASE_CLOCK_JOB,
        job_kwargs=MISFIRE_GRACE,
    )
