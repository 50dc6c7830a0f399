"""Problems found in content files, reported as `file:line: item: what is wrong`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a content file."""

    path: str
    line: int
    item: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.item}: {self.message}"


class ContentError(Exception):
    """Content that must not go live; the message lists every problem, one per line."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in problems))
