"""Callback data of delivery: 已阅知悉 and /broadcast."""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from typing import ClassVar

from bot.tg.callbacks.base import CallbackData


class AudienceKind(StrEnum):
    """Broadcast: who a notice goes to."""

    ALL = "all"
    DEPARTMENT = "department"
    ROLE = "role"


@dataclasses.dataclass(frozen=True)
class Acknowledge(CallbackData):
    """已阅知悉 under a campaign's message (reminders, notices)."""

    prefix: ClassVar[str] = "ack"
    campaign: int


@dataclasses.dataclass(frozen=True)
class BroadcastAudience(CallbackData):
    """Admin /broadcast: audience chosen: all, a department, or a role."""

    prefix: ClassVar[str] = "bca"
    kind: AudienceKind
    value: str  # department id or role; "-" for all


@dataclasses.dataclass(frozen=True)
class BroadcastConfirm(CallbackData):
    """Admin /broadcast: send the previewed notice, or drop it."""

    prefix: ClassVar[str] = "bcc"
    send: bool


@dataclasses.dataclass(frozen=True)
class BroadcastRefresh(CallbackData):
    """Admin: refresh a finished broadcast's report (acknowledgements keep coming in)."""

    prefix: ClassVar[str] = "bcr"
    campaign: int
