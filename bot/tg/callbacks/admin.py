"""Callback data of the admins' /invite and /members."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from bot.domain.members import Role
from bot.tg.callbacks.base import CallbackData


@dataclasses.dataclass(frozen=True)
class InviteDepartment(CallbackData):
    """Admin: department chosen for a new invite."""

    prefix: ClassVar[str] = "invd"
    department: str


@dataclasses.dataclass(frozen=True)
class InviteCreate(CallbackData):
    """Admin: create the invite with these limits (0 = no limit)."""

    prefix: ClassVar[str] = "invc"
    department: str
    max_uses: int
    days: int


@dataclasses.dataclass(frozen=True)
class InviteList(CallbackData):
    """Admin: a page of the invites that can still admit someone."""

    prefix: ClassVar[str] = "invl"
    offset: int


@dataclasses.dataclass(frozen=True)
class InviteRevoke(CallbackData):
    """Admin: withdraw an invite made in the bot (codes are 16 URL-safe characters)."""

    prefix: ClassVar[str] = "invr"
    code: str
    offset: int


@dataclasses.dataclass(frozen=True)
class MembersPage(CallbackData):
    """Admin: a page of the member list."""

    prefix: ClassVar[str] = "mpage"
    offset: int


@dataclasses.dataclass(frozen=True)
class MemberShow(CallbackData):
    """Admin: one member's card."""

    prefix: ClassVar[str] = "mshow"
    user_id: int
    offset: int


@dataclasses.dataclass(frozen=True)
class MemberRole(CallbackData):
    """Admin: grant or revoke a role."""

    prefix: ClassVar[str] = "mrole"
    user_id: int
    role: Role
    grant: bool
    offset: int
