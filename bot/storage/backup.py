"""Online backups of the SQLite file with SQLite's backup API, verified by integrity_check."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from bot.storage.database import DatabaseError
from bot.storage.files import make_private_dir, new_private_file


@dataclass(frozen=True)
class BackupResult:
    """Where a backup went, how big it is, and what `PRAGMA integrity_check` said about it."""

    path: Path
    size: int
    integrity: str  # "ok", or the problems SQLite found

    @property
    def ok(self) -> bool:
        """The copy passed the integrity check."""
        return self.integrity == "ok"


def _read_only_uri(path: Path) -> str:
    return f"{path.resolve().as_uri()}?mode=ro"


def _prepare(source: Path, target: Path) -> Path:
    """Check the source, make the target's folder (0700) and an empty partial copy (0600)."""
    if not source.is_file():
        raise DatabaseError(f"{source}: no database file to back up")
    make_private_dir(target.parent)
    partial = target.with_name(f".{target.name}.part")
    # SQLite writes into the existing empty file, which keeps its mode (and so does the
    # journal it makes beside it).
    new_private_file(partial)
    return partial


def _publish(partial: Path, target: Path) -> int:
    """Move the finished copy under its final name; return its size."""
    os.replace(partial, target)
    return target.stat().st_size


async def integrity_check(path: Path) -> str:
    """`PRAGMA integrity_check` of a database file, opened read-only ("ok" when sound)."""
    conn = await aiosqlite.connect(_read_only_uri(path), uri=True)
    try:
        rows = await conn.execute_fetchall("PRAGMA integrity_check")
    finally:
        await conn.close()
    return "\n".join(str(r[0]) for r in rows)


async def online_backup(source: Path, target: Path, *, busy_timeout_ms: int = 5000) -> BackupResult:
    """Copy a database that may be in use into `target`, then verify the copy.

    The copy is read through a connection of its own in one backup step, i.e. from one read
    snapshot: in WAL mode the running bot keeps writing meanwhile, and the copy holds exactly
    what was committed when the step began. It is written beside the target and renamed into
    place, so a crash never leaves a half-written file under the final name.
    """
    partial = _prepare(source, target)
    src = await aiosqlite.connect(source)
    try:
        await src.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        dst = await aiosqlite.connect(partial)
        try:
            await src.backup(dst)  # pages=0: everything in one step, one snapshot
            # The copy inherits WAL mode from the source; a backup file should stand alone.
            await dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            await dst.close()
    except sqlite3.DatabaseError as exc:
        partial.unlink(missing_ok=True)
        if type(exc) is sqlite3.DatabaseError:  # "file is not a database"
            raise DatabaseError(f"{source}: not a SQLite database, or damaged ({exc})") from None
        raise DatabaseError(f"{source}: cannot back up: {exc}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        await src.close()
    size = _publish(partial, target)
    return BackupResult(target, size, await integrity_check(target))
