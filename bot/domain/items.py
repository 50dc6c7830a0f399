"""Item analysis: how well each question works, from members' first attempts.

Definitions (the /items list, the weekly notice and `export items` all use these):

- First attempt: a member's earliest stored answer to a question. Later answers come after the
  explanation was shown, so they measure the explanation, not the question (Moodle's quiz
  statistics also count first attempts only, by default).
- Facility: the share of a question's first attempts that were right.
- Rest score of a member, for one question: the share right of that member's *other* first
  attempts. A member with no other first attempt has none and counts for facility only.
- Discrimination: the point-biserial correlation between the item score (1 right, 0 wrong) and
  the rest score over the question's first attempts — Moodle's discrimination index, the
  correlation of a question's score with the rest of the test
  (https://docs.moodle.org/dev/Quiz_statistics_calculations). Chosen over upper–lower 27 %
  groups because it uses every attempt (the groups drop the middle 46 %, which matters when a
  question has 30 attempts), and because members here take no common test: each draws from the
  banks, so the rest score is a share over each member's own other questions.
- Flags, once a question has `MIN_ATTEMPTS` first attempts (fewer say too little): facility
  above `HIGH_FACILITY` (nearly everyone knows it, or the key is guessable), facility below
  `LOW_FACILITY` (perhaps a wrong key or an ambiguous stem), discrimination below
  `LOW_DISCRIMINATION` (members who do well elsewhere do no better here; negative: worse).

Everything here is per question; no member's result leaves the storage query.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

MIN_ATTEMPTS = 30
HIGH_FACILITY = 0.95
LOW_FACILITY = 0.20
LOW_DISCRIMINATION = 0.15


class Flag(StrEnum):
    """Why a question needs a look."""

    LOW_DISCRIMINATION = "low_discrimination"
    TOO_EASY = "too_easy"
    TOO_HARD = "too_hard"


@dataclass(frozen=True)
class ItemTotals:
    """Sums over one question's first attempts, as the storage query returns them.

    x is the item score (1 right, 0 wrong) and r the member's rest score; the `paired` sums run
    over the attempts whose member has a rest score.
    """

    question_id: str
    attempts: int
    right: int
    paired: int = 0
    paired_right: int = 0  # Σx
    rest: float = 0.0  # Σr
    rest_squared: float = 0.0  # Σr²
    right_rest: float = 0.0  # Σxr


@dataclass(frozen=True)
class ItemStats:
    """One question's facility, discrimination and flags."""

    question_id: str
    attempts: int
    facility: float | None  # None: no attempts
    discrimination: float | None  # None: undefined (no spread in item or rest scores)
    flags: tuple[Flag, ...]

    @property
    def judged(self) -> bool:
        """Whether the question has enough first attempts to be flagged."""
        return self.attempts >= MIN_ATTEMPTS

    @property
    def flagged(self) -> bool:
        """Whether the question needs revision."""
        return bool(self.flags)


def point_biserial(
    n: int, sum_x: float, sum_r: float, sum_r2: float, sum_xr: float
) -> float | None:
    """Pearson's r between a 0/1 score x and a score r, from sums (Σx² = Σx for 0/1 scores)."""
    if n < 2:
        return None
    spread_x = n * sum_x - sum_x * sum_x
    spread_r = n * sum_r2 - sum_r * sum_r
    # Sums of floats: a spread that is zero in exact arithmetic may come out a hair off it.
    if spread_x <= 0 or spread_r <= 1e-9 * max(1.0, n * sum_r2):
        return None
    r = (n * sum_xr - sum_x * sum_r) / math.sqrt(spread_x * spread_r)
    return max(-1.0, min(1.0, r))


def analyse(totals: ItemTotals) -> ItemStats:
    """Facility, discrimination and flags for one question."""
    facility = totals.right / totals.attempts if totals.attempts else None
    discrimination = point_biserial(
        totals.paired, totals.paired_right, totals.rest, totals.rest_squared, totals.right_rest
    )
    flags: list[Flag] = []
    if totals.attempts >= MIN_ATTEMPTS and facility is not None:
        if discrimination is not None and discrimination < LOW_DISCRIMINATION:
            flags.append(Flag.LOW_DISCRIMINATION)
        if facility > HIGH_FACILITY:
            flags.append(Flag.TOO_EASY)
        if facility < LOW_FACILITY:
            flags.append(Flag.TOO_HARD)
    return ItemStats(totals.question_id, totals.attempts, facility, discrimination, tuple(flags))


def worst_first(stats: Iterable[ItemStats]) -> list[ItemStats]:
    """Flagged questions, those with most flags and lowest discrimination first."""
    return sorted(
        (s for s in stats if s.flagged),
        key=lambda s: (
            -len(s.flags),
            s.discrimination if s.discrimination is not None else math.inf,
            s.question_id,
        ),
    )


def newly_flagged(now: Iterable[ItemStats], before: Iterable[ItemStats]) -> list[ItemStats]:
    """Questions flagged now that were not flagged before (e.g. a week ago), worst first."""
    earlier = {s.question_id for s in before if s.flagged}
    return [s for s in worst_first(now) if s.question_id not in earlier]
