"""The heartbeat: the running bot writes it on a fixed period; `python -m bot health` reads it.

The bot writes a small JSON file beside the database every `HEARTBEAT_EVERY`, after checking
that its database answers and that Telegram does (a recent successful getUpdates, or the
webhook still registered). The health command reads only that file, so a container health
check costs no Bot API call and needs no token. Nothing in it relates to a member's action.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.config import Config
from bot.storage.database import Database, DatabaseError
from bot.storage.files import write_private

HEARTBEAT_EVERY = timedelta(seconds=30)
# Polling long-polls 10 s at a time: a minute without one successful getUpdates is a fault.
POLL_STALE_AFTER = timedelta(seconds=60)
# The health command fails when the newest healthy beat is older than this (three beats).
DEFAULT_MAX_AGE = timedelta(seconds=90)


def heartbeat_path(config: Config) -> Path | None:
    """Where the heartbeat lives: beside the database (None for an in-memory database)."""
    path = config.storage_path
    if str(path) == ":memory:":
        return None
    return path.with_name(f"{path.name}.heartbeat")


@dataclass(frozen=True)
class Beat:
    """One check of the running bot."""

    checked_at: datetime
    mode: str
    problem: str | None  # None: healthy


@dataclass(frozen=True)
class Verdict:
    """What the health command concludes from the heartbeat file."""

    healthy: bool
    line: str


class HealthService:
    """The running bot's half: check the database, write the heartbeat."""

    def __init__(self, config: Config, db: Database) -> None:
        self.config = config
        self.db = db
        self.path = heartbeat_path(config)
        self.healthy_at: datetime | None = None

    async def database_problem(self) -> str | None:
        """None if the database answers a read of its schema, else what went wrong."""
        try:
            await self.db.ping()
        except DatabaseError as exc:
            return f"database: {exc}"
        return None

    def record(self, beat: Beat) -> None:
        """Write the heartbeat file (mode 600) with this beat and the last healthy time."""
        if beat.problem is None:
            self.healthy_at = beat.checked_at
        if self.path is None:
            return
        payload = {
            "checked_at": beat.checked_at.isoformat(timespec="seconds"),
            "healthy_at": self.healthy_at.isoformat(timespec="seconds")
            if self.healthy_at
            else None,
            "mode": beat.mode,
            "problem": beat.problem,
            "pid": os.getpid(),
        }
        write_private(self.path, json.dumps(payload).encode("utf-8"))


def judge(path: Path | None, now: datetime, max_age: timedelta = DEFAULT_MAX_AGE) -> Verdict:
    """Read the heartbeat at `path` and decide whether the bot is healthy at `now`."""
    if path is None:
        return Verdict(False, "unhealthy: the database is in memory, so there is no heartbeat")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        checked = datetime.fromisoformat(data["checked_at"])
        healthy = datetime.fromisoformat(data["healthy_at"]) if data["healthy_at"] else None
        problem, mode = data["problem"], data["mode"]
    except FileNotFoundError:
        return Verdict(False, f"unhealthy: {path}: no heartbeat yet (is the bot running?)")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return Verdict(False, f"unhealthy: {path}: unreadable heartbeat ({type(exc).__name__})")
    age = int((now - checked).total_seconds())
    if now - checked > max_age:
        return Verdict(False, f"unhealthy: last heartbeat {age} s ago (the bot has stopped?)")
    if problem:
        since = f", healthy {int((now - healthy).total_seconds())} s ago" if healthy else ""
        return Verdict(False, f"unhealthy: {problem}{since}")
    return Verdict(True, f"ok: {mode}, heartbeat {age} s ago")
