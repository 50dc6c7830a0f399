"""Callback data of the leaders' /digest."""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from typing import ClassVar

from bot.tg.callbacks.base import CallbackData


class DigestPeriod(StrEnum):
    """Leaders' /digest: the weeks a member can ask for (the scheduled period is not one)."""

    THIS = "this"
    LAST = "last"


@dataclasses.dataclass(frozen=True)
class DigestWeek(CallbackData):
    """Leaders /digest: which week to report."""

    prefix: ClassVar[str] = "dg"
    week: DigestPeriod
