"""Quiz questions and banks as plain values."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

LETTERS = "ABCDEF"  # option letters as members see them; a question has at most six options


class QuestionType(StrEnum):
    """How a question is answered."""

    SINGLE = "single"
    MULTIPLE = "multiple"
    JUDGE = "judge"


@dataclass(frozen=True)
class Question:
    """One question. Judge questions have no options; their answer is {0} (true) or {1} (false)."""

    id: str
    bank_id: str
    type: QuestionType
    stem: str
    options: tuple[str, ...]
    answer: frozenset[int]
    explanation: str
    source: str
    difficulty: int = 2
    tags: tuple[str, ...] = ()

    @property
    def choice_count(self) -> int:
        """How many choices a member picks from (judge: true/false)."""
        return 2 if self.type is QuestionType.JUDGE else len(self.options)


@dataclass(frozen=True)
class Bank:
    """A question bank (one file)."""

    id: str
    title: str
    description: str
    tags: tuple[str, ...]
    questions: tuple[Question, ...]
    path: Path | None = None
