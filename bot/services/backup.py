"""Backups: `python -m bot backup DEST` and the daily job, which keeps the newest N files."""

from __future__ import annotations

import logging
import os
import re
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from bot.config import Config
from bot.storage.backup import BackupResult, online_backup
from bot.storage.database import DatabaseError

log = logging.getLogger(__name__)

# Only files named like this are ever pruned, so other files in the folder are safe. Older
# versions named backups in UTC without an offset (bot-20260920-020000.db); they still count.
_BACKUP_NAME = re.compile(r"^bot-(\d{8}-\d{6})([+-]\d{4})?\.db$")


def backup_name(now: datetime, tz: tzinfo = UTC) -> str:
    """A timestamped file name in the configured zone, with its UTC offset.

    E.g. `bot-20260920-100000+0800.db` for 02:00 UTC in Asia/Shanghai: the time an
    administrator reads on the office clock, and unambiguous even across a DST change.
    """
    return f"bot-{now.astimezone(tz):%Y%m%d-%H%M%S%z}.db"


def _taken_at(name: str) -> datetime | None:
    match = _BACKUP_NAME.match(name)
    if match is None:
        return None
    stamp, offset = match.group(1), match.group(2) or "+0000"
    return datetime.strptime(stamp + offset, "%Y%m%d-%H%M%S%z")


def backup_target(dest: str | Path, now: datetime, tz: tzinfo = UTC) -> Path:
    """DEST itself, or a timestamped file inside it when DEST is a folder (or ends with /)."""
    # Check the text as typed: Path("backups/") drops the slash that says "a folder".
    path = Path(dest)
    if path.is_dir() or str(dest).endswith(("/", os.sep)):
        return path / backup_name(now, tz)
    return path


def raise_if_broken(result: BackupResult) -> None:
    """One line for the admins (through the error handler) when a copy fails its check."""
    if not result.ok:
        raise DatabaseError(
            f"backup {result.path} failed integrity_check: {result.integrity[:200]}"
        )


def to_prune(names: list[str], keep: int) -> list[str]:
    """Which backup files to delete so that the newest `keep` remain (by the time named)."""
    ours = sorted(
        ((taken, n) for n in names if (taken := _taken_at(n)) is not None),
        key=lambda item: (item[0], item[1]),
    )
    return [n for _taken, n in ours[: max(len(ours) - keep, 0)]]


async def backup_database(config: Config, dest: str | Path, now: datetime) -> BackupResult:
    """Back up the configured database into DEST (a file, or a folder for a timestamped file)."""
    return await online_backup(config.storage_path, backup_target(dest, now, config.timezone))


async def daily_backup(config: Config, now: datetime) -> tuple[BackupResult, list[Path]]:
    """Back up into `backup.dir` and delete all but the newest `backup.keep` backups."""
    folder = config.backup.dir
    result = await online_backup(config.storage_path, folder / backup_name(now, config.timezone))
    removed = []
    if result.ok:
        # Never prune good backups on account of a bad one.
        for name in to_prune([p.name for p in folder.iterdir()], config.backup.keep):
            (folder / name).unlink(missing_ok=True)
            removed.append(folder / name)
    return result, removed
