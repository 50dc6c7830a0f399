"""Callback data of /settings: language, daily question, leaving the program."""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from typing import ClassVar

from bot.tg.callbacks.base import CallbackData


class LeaveStep(StrEnum):
    """Settings: the steps of leaving the program."""

    ASK = "ask"
    YES = "yes"
    NO = "no"


@dataclasses.dataclass(frozen=True)
class SetLanguage(CallbackData):
    """Settings: choose the interface language."""

    prefix: ClassVar[str] = "lang"
    language: str


@dataclasses.dataclass(frozen=True)
class SetDailyQuestion(CallbackData):
    """Settings: receive the daily question or not."""

    prefix: ClassVar[str] = "daily"
    enabled: bool


@dataclasses.dataclass(frozen=True)
class Leave(CallbackData):
    """Settings: leave the program (ask, then confirm or cancel)."""

    prefix: ClassVar[str] = "leave"
    step: LeaveStep
