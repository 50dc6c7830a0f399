"""The nightly job: report retention, then the online backup (bot/services/backup.py)."""

from __future__ import annotations

import logging

from telegram.ext import Application, Job

from bot.services.backup import daily_backup, raise_if_broken
from bot.services.registry import Services
from bot.tg.context import SERVICES_KEY, BotContext

log = logging.getLogger(__name__)

BACKUP_JOB = "backup daily"
MISFIRE_GRACE = {"misfire_grace_time": 6 * 3600}


async def backup_job(context: BotContext) -> None:
    """Job: delete reports past retention, then back up into `backup.dir`, keep `backup.keep`."""
    services = context.services
    # Retention first, so a report past retention never lives on in a backup copy.
    purged = await services.reports.purge(services.now())
    if purged:
        log.info("retention: deleted %d reports closed before the retention period", purged)
    if services.storage_in_memory:
        return
    # Failures propagate to the error handler, which logs them and tells the admins.
    result, removed = await daily_backup(services.config, services.now())
    raise_if_broken(result)
    log.info(
        "backup %s (%d bytes) ok; %d old one(s) removed", result.path, result.size, len(removed)
    )


def schedule_backup(application: Application) -> Job:
    """(Re)schedule the daily backup at `backup.time`, local time."""
    services: Services = application.bot_data[SERVICES_KEY]
    job_queue = application.job_queue
    assert job_queue is not None, "python-telegram-bot[job-queue] is required"
    for job in job_queue.get_jobs_by_name(BACKUP_JOB):
        job.schedule_removal()
    config = services.config
    return job_queue.run_daily(
        backup_job,
        time=config.backup.time.replace(tzinfo=config.timezone),
        name=BACKUP_JOB,
        job_kwargs=MISFIRE_GRACE,
    )
