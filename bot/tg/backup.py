"""The nightly job: report retention, then the online backup (bot/services/backup.py)."""

from __future__ import annotations

import logging

from bot.services.backup import daily_backup, raise_if_broken
from bot.tg.context import BotContext

log = logging.getLogger(__name__)

BACKUP_JOB = "backup daily"


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
