"""What membership use cases return: join and revoke outcomes, the caller, reviewer grants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from bot.domain.members import Member, MemberStatus, Role


class JoinOutcome(Enum):
    """What happened when someone pressed /start."""

    JOINED = "joined"
    ALREADY_MEMBER = "already_member"
    NEED_INVITE = "need_invite"
    INVALID_INVITE = "invalid_invite"
    EXPIRED_INVITE = "expired_invite"
    USED_UP_INVITE = "used_up_invite"
    THROTTLED = "throttled"  # too many failed codes: not even checked


class RevokeOutcome(Enum):
    """What happened when an admin revoked an invite."""

    REVOKED = "revoked"
    FROM_CONFIG = "from_config"  # presets are removed from the config, not here
    GONE = "gone"  # already revoked, or no such invite


@dataclass(frozen=True)
class JoinResult:
    """Outcome of a join attempt, with the member as stored afterwards."""

    outcome: JoinOutcome
    member: Member | None = None
    wait: timedelta | None = None  # THROTTLED: until a code is checked again


@dataclass(frozen=True)
class Caller:
    """Who is acting: their member record (if any) and effective roles."""

    user_id: int
    member: Member | None
    roles: frozenset[Role]

    @property
    def is_member(self) -> bool:
        """A member who has not left."""
        return self.member is not None and self.member.status != MemberStatus.LEFT

    def has(self, role: Role) -> bool:
        """Whether the caller holds this role."""
        return role in self.roles


class ReviewerGrant(Enum):
    """What an admin's grant of the reviewer role led to."""

    SELF = "self"  # nobody grants themselves the role
    ALREADY = "already"
    GRANTED = "granted"  # the admin is a reviewer: a reviewer granted it
    PROPOSED = "proposed"  # waits for a reviewer's confirmation
    NO_CONFIRMER = "no_confirmer"  # no reviewer could confirm it


class ReviewerDecision(Enum):
    """What a reviewer's answer to a proposal led to."""

    CONFIRMED = "confirmed"
    DECLINED = "declined"
    EXPIRED = "expired"  # no such proposal (handled already, or the bot restarted)
    NOT_ALLOWED = "not_allowed"  # the proposer or the proposed cannot confirm


@dataclass(frozen=True)
class Proposal:
    """An admin's proposal that a member becomes a reviewer (kept in memory)."""

    user_id: int
    proposer_id: int
