"""The mistake book as a Leitner schedule: boxes with growing review intervals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LeitnerBox:
    """Where a question sits in one member's mistake book."""

    box: int  # 1-based
    due_at: datetime


@dataclass(frozen=True)
class LeitnerSchedule:
    """Days until review, box by box (e.g. 1, 2, 4, 7, 15); past the last box a question leaves."""

    intervals: tuple[int, ...] = (1, 2, 4, 7, 15)

    def after_answer(
        self, current: LeitnerBox | None, correct: bool, now: datetime
    ) -> LeitnerBox | None:
        """The new place after an answer: wrong → box 1; right → next box, or out of the book."""
        if not correct:
            return self._in_box(1, now)
        if current is None:
            return None  # a right answer to a question not in the book keeps it out
        if current.box >= len(self.intervals):
            return None  # mastered
        return self._in_box(current.box + 1, now)

    def _in_box(self, box: int, now: datetime) -> LeitnerBox:
        return LeitnerBox(box, now + timedelta(days=self.intervals[box - 1]))


def is_due(item: LeitnerBox, now: datetime) -> bool:
    """Whether a mistake-book item should be reviewed at `now`."""
    return item.due_at <= now
