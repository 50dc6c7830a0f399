"""Members, roles and invites as plain values and rules."""

from __future__ import annotations

import math
import re
import secrets
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum, StrEnum
from typing import NamedTuple


class Role(StrEnum):
    """A privileged role; every member is a cadre besides."""

    ADMIN = "admin"
    REVIEWER = "reviewer"
    LEADER = "leader"


class MemberStatus(StrEnum):
    """Whether a member currently receives messages."""

    ACTIVE = "active"
    INACTIVE = "inactive"  # blocked the bot (a send answered 403)
    LEFT = "left"  # left through /settings; needs a new invite to come back


@dataclass(frozen=True)
class Member:
    """A person who joined the program."""

    user_id: int
    first_name: str
    username: str | None
    department_id: str | None
    language: str | None
    status: MemberStatus
    joined_at: datetime
    daily_question: bool = True

    @property
    def display_name(self) -> str:
        """Name shown to admins."""
        return self.first_name or (f"@{self.username}" if self.username else str(self.user_id))


class Holder(NamedTuple):
    """An active member who holds a role now (from the config or granted), and their language."""

    user_id: int
    language: str


@dataclass(frozen=True)
class Invite:
    """A join link for one department."""

    code: str
    department_id: str
    created_by: int | None
    created_at: datetime
    max_uses: int | None
    uses: int
    expires_at: datetime | None
    revoked: bool = False

    @property
    def from_config(self) -> bool:
        """Fixed in the config (access.invites): only invites made in the bot have a maker."""
        return self.created_by is None


class InviteState(Enum):
    """Whether an invite can be used right now."""

    VALID = "valid"
    EXPIRED = "expired"
    USED_UP = "used_up"
    REVOKED = "revoked"


def invite_state(invite: Invite, now: datetime) -> InviteState:
    """Decide whether an invite may be used at `now`."""
    if invite.revoked:
        return InviteState.REVOKED
    if invite.expires_at is not None and now >= invite.expires_at:
        return InviteState.EXPIRED
    if invite.max_uses is not None and invite.uses >= invite.max_uses:
        return InviteState.USED_UP
    return InviteState.VALID


def new_invite_code() -> str:
    """A random, URL-safe invite code that fits Telegram's 64-character start parameter."""
    # 12 bytes → 16 characters of base64url: unguessable, short enough to type if needed.
    return secrets.token_urlsafe(12)


# A part made only of lowercase letters, only of capitals, or only of digits: a word or a number.
_WORDLIKE = re.compile(r"[a-z]+|[A-Z]+|[0-9]+")


def guessable_code(code: str) -> bool:
    """Whether an invite code reads as words and numbers (`join-office-2026`), not as random.

    Codes the bot makes (`secrets.token_urlsafe`) mix capitals, small letters and digits in
    every part; a code whose every part is one word or one number can be guessed by anyone
    who has seen another.
    """
    parts = [p for p in re.split(r"[-_]", code) if p]
    return not parts or all(_WORDLIKE.fullmatch(p) for p in parts)


def invite_expiry(now: datetime, days: int | None) -> datetime | None:
    """When an invite made at `now` for `days` days expires (None: never)."""
    return None if days is None else now + timedelta(days=days)


def deep_link(bot_username: str, code: str) -> str:
    """The t.me link that opens the bot and sends /start <code>."""
    return f"https://t.me/{bot_username}?start={code}"


@dataclass
class JoinThrottle:
    """Failed `/start <code>` attempts, kept in memory: per user, and for the whole bot.

    A user who typed `per_user` wrong codes within `per_user_window` waits until the oldest
    of them leaves the window; `overall` failures within `overall_window` from anyone pause
    code checks for everybody (many accounts guessing together). Members who joined, and
    holders of config roles, never pass through here.
    """

    per_user: int = 5
    per_user_window: timedelta = timedelta(minutes=15)
    overall: int = 30
    overall_window: timedelta = timedelta(minutes=1)
    _users: dict[int, deque[datetime]] = field(default_factory=dict)
    _all: deque[datetime] = field(default_factory=deque)

    @staticmethod
    def _recent(times: deque[datetime], now: datetime, window: timedelta) -> deque[datetime]:
        while times and now - times[0] >= window:
            times.popleft()
        return times

    def wait(self, user_id: int, now: datetime) -> timedelta | None:
        """How long this user must wait before a code is checked again (None: check it)."""
        waits = []
        mine = self._recent(self._users.get(user_id, deque()), now, self.per_user_window)
        if len(mine) >= self.per_user:
            waits.append(mine[-self.per_user] + self.per_user_window - now)
        everyone = self._recent(self._all, now, self.overall_window)
        if len(everyone) >= self.overall:
            waits.append(everyone[-self.overall] + self.overall_window - now)
        return max(waits) if waits else None

    def failed(self, user_id: int, now: datetime) -> None:
        """Count one wrong, expired or used-up code."""
        if len(self._users) > 4096:
            for key in [
                k for k, v in self._users.items() if not v or now - v[-1] >= self.per_user_window
            ]:
                del self._users[key]
        self._users.setdefault(user_id, deque()).append(now)
        self._all.append(now)
        self._recent(self._all, now, self.overall_window)


def whole_minutes(wait: timedelta) -> int:
    """A wait as whole minutes for a message (at least 1)."""
    return max(1, math.ceil(wait.total_seconds() / 60))
