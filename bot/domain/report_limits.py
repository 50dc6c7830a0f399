"""In-memory abuse limits of anonymous reports, keyed by opaque sender hashes.

Nothing here knows who sent a report: senders are keyed by a hash made with a per-process random
salt (`SenderKeys`), so this memory holds no Telegram id, and everything it counts is forgotten
on restart by design.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta


class SenderKeys:
    """Opaque keys for the in-memory limiters: a salted hash of a Telegram id, salt per process."""

    def __init__(self, salt: bytes | None = None) -> None:
        self._salt = salt or secrets.token_bytes(32)

    def key(self, user_id: int) -> str:
        """The key for one sender; unlinkable to the id without this process's salt."""
        return hmac.new(self._salt, str(user_id).encode(), hashlib.sha256).hexdigest()[:32]


class DailyLimiter:
    """At most `limit` reports per sender per calendar day; only today's counts are kept."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._day: date | None = None
        self._counts: dict[str, int] = {}

    def _roll(self, today: date) -> None:
        if self._day != today:
            self._day, self._counts = today, {}

    def allows(self, key: str, today: date) -> bool:
        """Whether the sender may file one more report today."""
        self._roll(today)
        return self._counts.get(key, 0) < self.limit

    def record(self, key: str, today: date) -> None:
        """Count one report filed today."""
        self._roll(today)
        self._counts[key] = self._counts.get(key, 0) + 1


@dataclass
class _Misses:
    count: int
    last: datetime
    locked_until: datetime | None = None


class AttemptLimiter:
    """Wrong receipt codes: `free` misses, then a lock-out that doubles with each further miss."""

    def __init__(
        self,
        free: int = 5,
        first_lock: timedelta = timedelta(minutes=1),
        max_lock: timedelta = timedelta(hours=24),
        forget_after: timedelta = timedelta(days=1),
    ) -> None:
        self.free = free
        self.first_lock = first_lock
        self.max_lock = max_lock
        self.forget_after = forget_after
        self._misses: dict[str, _Misses] = {}

    def _current(self, key: str, now: datetime) -> _Misses | None:
        misses = self._misses.get(key)
        if misses is None:
            return None
        locked = misses.locked_until is not None and now < misses.locked_until
        if not locked and now - misses.last >= self.forget_after:
            del self._misses[key]
            return None
        return misses

    def locked_for(self, key: str, now: datetime) -> timedelta | None:
        """How long this sender must still wait, or None if they may try now."""
        misses = self._current(key, now)
        if misses is None or misses.locked_until is None or now >= misses.locked_until:
            return None
        return misses.locked_until - now

    def failed(self, key: str, now: datetime) -> timedelta | None:
        """Count a wrong code; return the lock-out it starts, if any."""
        if len(self._misses) > 4096:
            self._prune(now)
        misses = self._current(key, now)
        if misses is None:
            misses = self._misses[key] = _Misses(0, now)
        misses.count += 1
        misses.last = now
        if misses.count < self.free:
            return None
        lock: timedelta = min(self.first_lock * 2 ** (misses.count - self.free), self.max_lock)
        misses.locked_until = now + lock
        return lock

    def _prune(self, now: datetime) -> None:
        for key in list(self._misses):
            self._current(key, now)
