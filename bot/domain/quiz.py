"""Quiz sessions as plain values: drawing questions, shuffling options, grading, scoring."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from bot.domain.questions import Question, QuestionType

MIXED = "mixed"  # the 综合 bank: questions drawn from every bank


class SessionKind(StrEnum):
    """Why a session exists."""

    QUIZ = "quiz"
    REVIEW = "review"
    DAILY = "daily"
    ASSIGNED = "assigned"


@dataclass(frozen=True)
class SessionItem:
    """One question of a session, with its options in the order this member sees them."""

    question_id: str
    order: tuple[int, ...]  # order[shown position] = index in question.options

    def shown_to_original(self, shown: Iterable[int]) -> frozenset[int]:
        """Map positions the member picked to the question's own option indices."""
        return frozenset(self.order[i] for i in shown if 0 <= i < len(self.order))

    def correct_shown(self, question: Question) -> frozenset[int]:
        """Positions (as shown) of the right answers."""
        return frozenset(i for i, original in enumerate(self.order) if original in question.answer)


@dataclass(frozen=True)
class Session:
    """A quiz in progress or finished."""

    id: int
    user_id: int
    kind: SessionKind
    bank_id: str | None
    items: tuple[SessionItem, ...]
    position: int
    selection: frozenset[int]
    correct: int
    message_id: int | None
    status: str
    started_at: datetime
    finished_at: datetime | None = None
    assignment_id: int | None = None

    @property
    def current(self) -> SessionItem | None:
        """The item awaiting an answer, if any."""
        return self.items[self.position] if self.position < len(self.items) else None

    @property
    def total(self) -> int:
        """How many questions the session has."""
        return len(self.items)

    @property
    def active(self) -> bool:
        """Still being answered."""
        return self.status == "active"

    def toggled(self, shown: int) -> Session:
        """The session with one option of a multiple-choice question toggled."""
        return replace(self, selection=self.selection ^ {shown})


def option_order(question: Question, rng: random.Random) -> tuple[int, ...]:
    """A fresh option order for one member (judge questions keep 正确, 错误)."""
    if question.type is QuestionType.JUDGE:
        return (0, 1)
    order = list(range(len(question.options)))
    rng.shuffle(order)
    return tuple(order)


def draw(pool: Sequence[Question], count: int, rng: random.Random) -> list[Question]:
    """Up to `count` distinct questions at random."""
    return rng.sample(list(pool), min(count, len(pool)))


def make_items(questions: Sequence[Question], rng: random.Random) -> tuple[SessionItem, ...]:
    """Session items with options shuffled per question."""
    return tuple(SessionItem(q.id, option_order(q, rng)) for q in questions)


def grade(question: Question, item: SessionItem, shown: Iterable[int]) -> bool:
    """Whether the member's picks are exactly the right answers."""
    return item.shown_to_original(shown) == question.answer


def pick_daily(
    due_review: Sequence[str],
    seen: set[str],
    all_ids: Sequence[str],
    rng: random.Random,
) -> str | None:
    """The daily question: the most overdue review item, else an unseen question, else any."""
    if due_review:
        return due_review[0]
    unseen = [q for q in all_ids if q not in seen]
    pool = unseen or list(all_ids)
    return rng.choice(pool) if pool else None


def score_percent(correct: int, total: int) -> int:
    """A score out of 100, rounded."""
    return round(100 * correct / total) if total else 0


def duration(started: datetime, finished: datetime) -> timedelta:
    """How long a session took (never negative)."""
    return max(finished - started, timedelta(0))


@dataclass(frozen=True)
class QuizRecord:
    """A member's totals for /me: finished rounds, their average score, answers given."""

    sessions: int
    average: float | None  # percent, over finished rounds (daily questions not counted)
    answered: int
    right: int


class BookCounts(NamedTuple):
    """A member's mistake book: due now, in the book, and when the next one falls due."""

    due: int
    total: int
    next_due: datetime | None


@dataclass(frozen=True)
class PastSession:
    """A finished round (or daily question) with its answers, as if members had taken it."""

    user_id: int
    kind: str
    bank_id: str | None
    questions: Sequence[tuple[str, str, int]]  # (question id, bank id, option count)
    right: Sequence[bool]
    started_at: datetime
    finished_at: datetime
