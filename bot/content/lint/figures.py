"""The lint's figures and report: the counts behind every rate, notes, line numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.content.problems import Problem
from bot.content.quizzes import question_line
from bot.domain.questions import Bank, Question


@dataclass
class Figures:
    """The counts behind every rate, for one bank or for all of them."""

    questions: int = 0
    judge: int = 0
    judge_true: int = 0
    single: int = 0
    longest_key: int = 0
    wrong_options: int = 0
    wrong_cued: int = 0
    key_options: int = 0
    key_cued: int = 0
    multiple: int = 0
    one_wrong: int = 0
    all_right: int = 0
    trivia: int = 0

    def add(self, other: Figures) -> None:
        """Add another bank's counts to these."""
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def judge_true_rate(self) -> float | None:
        """Share of judge questions whose answer is true."""
        return share(self.judge_true, self.judge)

    @property
    def longest_key_rate(self) -> float | None:
        """Share of single questions whose key is the uniquely longest option."""
        return share(self.longest_key, self.single)

    @property
    def cue_gap(self) -> float | None:
        """Cue rate in wrong options minus cue rate in right options."""
        wrong, key = (
            share(self.wrong_cued, self.wrong_options),
            share(self.key_cued, self.key_options),
        )
        if wrong is None or key is None:
            return None
        return wrong - key

    @property
    def one_wrong_rate(self) -> float | None:
        """Share of multiple questions with exactly one wrong option."""
        return share(self.one_wrong, self.multiple)

    @property
    def all_right_rate(self) -> float | None:
        """Share of multiple questions whose every option is right."""
        return share(self.all_right, self.multiple)

    @property
    def trivia_rate(self) -> float | None:
        """Share of questions whose stem only asks for a date, issuer, count or article."""
        return share(self.trivia, self.questions)


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Note:
    """Why one question counted towards a figure (printed with --details)."""

    question: Question
    rule: str
    detail: str


@dataclass
class LintReport:
    """Figures per bank and overall, the failures, and what each question counted towards."""

    banks: list[tuple[Bank, Figures]] = field(default_factory=list)
    overall: Figures = field(default_factory=Figures)
    failures: list[Problem] = field(default_factory=list)
    failed_rules: set[str] = field(default_factory=set)
    notes: list[Note] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every rule passes."""
        return not self.failures


def percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.0f}%"


class QuestionLines:
    """Line numbers of questions in their bank files (read once per file)."""

    def __init__(self) -> None:
        self._texts: dict[Path, str] = {}

    def of(self, bank: Bank, question: Question) -> int:
        if bank.path is None:
            return 1
        if bank.path not in self._texts:
            try:
                self._texts[bank.path] = bank.path.read_text(encoding="utf-8")
            except OSError:
                self._texts[bank.path] = ""
        return question_line(self._texts[bank.path], question.id)
