"""Callback data of quizzes: sessions, the daily question, assigned tests and /assign."""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from typing import ClassVar

from bot.tg.callbacks.base import CallbackData


class ResumeAction(StrEnum):
    """Quiz: what to do with an unfinished session."""

    CONTINUE = "continue"
    ABANDON = "abandon"


@dataclasses.dataclass(frozen=True)
class QuizPickBank(CallbackData):
    """Quiz: start a session on a bank (or the mixed bank)."""

    prefix: ClassVar[str] = "qbank"
    bank: str


@dataclasses.dataclass(frozen=True)
class QuizAnswer(CallbackData):
    """Quiz: pick option `choice` (as shown) of question `position` of a session."""

    prefix: ClassVar[str] = "qa"
    session: int
    position: int
    choice: int


@dataclasses.dataclass(frozen=True)
class QuizSubmit(CallbackData):
    """Quiz: submit the toggled options of a multiple-choice question."""

    prefix: ClassVar[str] = "qs"
    session: int
    position: int


@dataclasses.dataclass(frozen=True)
class QuizResume(CallbackData):
    """Quiz: an unfinished session exists: continue it, or abandon it."""

    prefix: ClassVar[str] = "qres"
    session: int
    action: ResumeAction


@dataclasses.dataclass(frozen=True)
class QuizReview(CallbackData):
    """Quiz: start reviewing due mistakes."""

    prefix: ClassVar[str] = "qrev"


@dataclasses.dataclass(frozen=True)
class DailyStart(CallbackData):
    """Daily question notice: show today's question."""

    prefix: ClassVar[str] = "qday"
    day: str  # YYYYMMDD of the notice, so yesterday's button is recognisably old


@dataclasses.dataclass(frozen=True)
class AssignmentStart(CallbackData):
    """Assigned test notice: start the test."""

    prefix: ClassVar[str] = "qasg"
    assignment: int


@dataclasses.dataclass(frozen=True)
class AssignBank(CallbackData):
    """Admin /assign: bank chosen."""

    prefix: ClassVar[str] = "asb"
    bank: str


@dataclasses.dataclass(frozen=True)
class AssignAudience(CallbackData):
    """Admin /assign: audience chosen (all, or one department); the bank is in the draft."""

    prefix: ClassVar[str] = "asa"
    department: str  # "*" for everyone


@dataclasses.dataclass(frozen=True)
class AssignDeadline(CallbackData):
    """Admin /assign: deadline in days chosen; creates the assignment."""

    prefix: ClassVar[str] = "asd"
    department: str
    days: int


@dataclasses.dataclass(frozen=True)
class AssignConfirm(CallbackData):
    """Admin /assign: create the previewed assignment and notify, or drop it."""

    prefix: ClassVar[str] = "asc"
    send: bool
