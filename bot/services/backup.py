"""Backups: `python -m bot backup DEST` and the daily job, which keeps the newest N files."""

from __future__ import annotations

import logging
import os
import re
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Config
from bot.storage.backup import BackupResult, online_backup
from bot.storage.database import DatabaseError

log = logging.getLogger(__name__)

# Only files named like this are ever pruned, so other files in the folder are safe.
_BACKUP_NAME = re.compile(r"^bot-\d{8}-\d{6}\.db$")


def backup_name(now: datetime) -> str:
    """A timestamped file name (UTC) that sorts in time order, e.g. `bot-20260920-020000.db`."""
    return f"bot-{now.astimezone(UTC):%Y%m%d-%H%M%S}.db"


def backup_target(dest: str | Path, now: datetime) -> Path:
    """DEST itself, or a timestamped file inside it when DEST is a folder (or ends with /)."""
    # Check the text as typed: Path("backups/") drops the slash that says "a folder".
    path = Path(dest)
    if path.is_dir() or str(dest).endswith(("/", os.sep)):
        return path / backup_name(now)
    return path


def raise_if_broken(result: BackupResult) -> None:
    """One line for the admins (through the error handler) when a copy fails its check."""
    if not result.ok:
        raise DatabaseError(
            f"backup {result.path} failed integrity_check: {result.integrity[:200]}"
        )


def to_prune(names: list[str], keep: int) -> list[str]:
    """Which backup files to delete so that the newest `keep` remain."""
    ours = sorted(n for n in names if _BACKUP_NAME.match(n))
    return ours[: max(len(ours) - keep, 0)]


async def backup_database(config: Config, dest: str | Path, now: datetime) -> BackupResult:
    """Back up the configured database into DEST (a file, or a folder for a timestamped file)."""
    return await online_backup(config.storage_path, backup_target(dest, now))


async def daily_backup(config: Config, now: datetime) -> tuple[BackupResult, list[Path]]:
    """Back up into `backup.dir` and delete all but the newest `backup.keep` backups."""
    folder = config.backup.dir
    result = await online_backup(config.storage_path, folder / backup_name(now))
    removed = []
    if result.ok:
        # Never prune good backups on account of a bad one.
        for name in to_prune([p.name for p in folder.iterdir()], config.backup.keep):
            (folder / name).unlink(missing_ok=True)
            removed.append(folder / name)
    return result, removed
