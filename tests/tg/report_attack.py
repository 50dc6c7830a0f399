"""An insider's tools against the anonymous-report promise: a copy of the data folder taken as a
file backup would take it (contents and modification times), read the way a determined reader
would read it, and a ranking of members by how close their timestamped activity is to the time
the files give away.

The bot runs on the harness clock, file times come from the real clock: `Timeline` records the
real time at the end of every scenario step, so a file's modification time can be read back as
"the step (and so the bot-clock time) during which the file last changed". That is an attacker
who knows the moment of every file write to the step, stronger than a real one.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import struct
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from tests.harness import Harness

# Gap between steps, so that the file system's coarse modification times (one kernel tick,
# a few ms) cannot be read as the wrong step.
_STEP_GAP = 0.02

# Every timestamped column that says a member did something at a moment.
ACTIVITY = [
    ("members", "user_id", "joined_at"),
    ("members", "user_id", "updated_at"),
    ("member_roles", "user_id", "granted_at"),
    ("answers", "user_id", "answered_at"),
    ("quiz_sessions", "user_id", "started_at"),
    ("quiz_sessions", "user_id", "finished_at"),
    ("review_items", "user_id", "last_review"),
    ("acknowledgements", "user_id", "at"),
    ("assignment_results", "user_id", "completed_at"),
    ("outbox", "user_id", "updated_at"),
    ("admin_audit", "actor_id", "at"),
    ("invites", "created_by", "created_at"),
    ("campaigns", "created_by", "created_at"),
    ("assignments", "created_by", "created_at"),
    ("report_audit", "reviewer_id", "at"),
    ("report_notes", "reviewer_id", "at"),
]


class Timeline:
    """Real time at the end of each step, with the bot-clock time the step ran at."""

    def __init__(self, h: Harness) -> None:
        self.h = h
        self.marks: list[tuple[int, datetime]] = [(time.time_ns(), h.clock.now)]

    async def step(self, at: datetime, action: Callable[[], Awaitable[object]]) -> None:
        """Run one action at bot-clock time `at`."""
        await asyncio.sleep(_STEP_GAP)
        self.h.clock.now = at
        await action()
        await self.h.settle()
        await asyncio.sleep(_STEP_GAP)
        self.marks.append((time.time_ns(), at))

    def when(self, mtime_ns: int) -> datetime:
        """The bot-clock time of the step during which a file with this mtime was written."""
        for end, at in self.marks:
            if mtime_ns <= end:
                return at
        return self.marks[-1][1]


@dataclass(frozen=True)
class ShmView:
    """The wal-index (-shm) as a reader decodes it (SQLite's documented layout)."""

    transactions: int  # iChange: counts write transactions
    frames: int  # mxFrame
    backfilled: int  # nBackfill
    read_marks: tuple[int, ...]
    pages: tuple[int, ...]  # page number of each WAL frame, in the order written


@dataclass(frozen=True)
class FolderView:
    """Everything about timing that the files of a copied data folder show."""

    changed: tuple[tuple[str, datetime], ...]  # (file, bot-clock time of its last change)
    wal_bytes: int
    wal_checkpoints: int | None  # the WAL header's checkpoint sequence number
    shm: ShmView | None

    def changed_at(self, name: str) -> datetime:
        """When the copy says a file last changed."""
        return dict(self.changed)[name]


def copy_folder(source: Path, target: Path) -> Path:
    """Copy a data folder as `cp -p` / `rsync -t` would: contents and modification times."""
    target.mkdir(parents=True)
    for item in sorted(source.iterdir()):
        if item.is_file():
            shutil.copy2(item, target / item.name)
    return target


def _shm(path: Path) -> ShmView | None:
    if not path.exists() or path.stat().st_size < 136:
        return None
    data = path.read_bytes()
    change, frames = struct.unpack("<I", data[8:12])[0], struct.unpack("<I", data[16:20])[0]
    backfilled, *marks = struct.unpack("<I5I", data[96:120])
    pages = struct.unpack("<4062I", data[136 : 136 + 4062 * 4])
    return ShmView(change, frames, backfilled, tuple(marks), tuple(p for p in pages if p))


def _wal_checkpoints(path: Path) -> int | None:
    if not path.exists() or path.stat().st_size < 32:
        return None
    return struct.unpack(">I", path.read_bytes()[12:16])[0]


def read_folder(folder: Path, timeline: Timeline) -> FolderView:
    """What the copy says about when things happened (before anything opens the database)."""
    db = folder / "bot.db"
    wal, shm = folder / "bot.db-wal", folder / "bot.db-shm"
    changed = tuple(
        (p.name, timeline.when(p.stat().st_mtime_ns)) for p in (db, wal, shm) if p.exists()
    )
    return FolderView(
        changed=changed,
        wal_bytes=wal.stat().st_size if wal.exists() else 0,
        wal_checkpoints=_wal_checkpoints(wal),
        shm=_shm(shm),
    )


def activity(folder: Path) -> list[tuple[int, datetime]]:
    """Every (member, moment) the database of a copied folder records."""
    scratch = folder.parent / f"{folder.name}-opened"
    copy_folder(folder, scratch)  # opening recovers the WAL: leave the copy itself untouched
    conn = sqlite3.connect(scratch / "bot.db")
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        found = []
        for table, who, at in ACTIVITY:
            if table not in tables:
                continue
            for user, stamp in conn.execute(f"SELECT {who}, {at} FROM {table}"):
                if user is not None and stamp:
                    found.append((int(user), datetime.fromisoformat(stamp)))
        return found
    finally:
        conn.close()


def rank(folder: Path, estimate: datetime) -> list[tuple[int, timedelta]]:
    """Members by how close their nearest recorded activity is to `estimate`, closest first."""
    best: dict[int, timedelta] = {}
    for user, at in activity(folder):
        distance = abs(at - estimate)
        best[user] = min(best.get(user, distance), distance)
    return sorted(best.items(), key=lambda item: (item[1], item[0]))


def singled_out(ranking: list[tuple[int, timedelta]], user: int) -> bool:
    """Whether `user` comes out first, strictly closer than everyone else."""
    return len(ranking) > 1 and ranking[0][0] == user and ranking[0][1] < ranking[1][1]
