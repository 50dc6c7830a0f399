"""Item analysis as plain arithmetic: point-biserial against the standard library, and flags."""

from __future__ import annotations

import random
import statistics

import pytest

from bot.domain.items import (
    MIN_ATTEMPTS,
    Flag,
    ItemStats,
    ItemTotals,
    analyse,
    newly_flagged,
    point_biserial,
    worst_first,
)


def _totals(pairs: list[tuple[int, float]], attempts: int | None = None) -> ItemTotals:
    """Sums as the storage query makes them, from (item score, rest score) pairs."""
    return ItemTotals(
        question_id="q",
        attempts=len(pairs) if attempts is None else attempts,
        right=sum(x for x, _ in pairs),
        paired=len(pairs),
        paired_right=sum(x for x, _ in pairs),
        rest=sum(r for _, r in pairs),
        rest_squared=sum(r * r for _, r in pairs),
        right_rest=sum(x * r for x, r in pairs),
    )


def test_point_biserial_is_pearsons_r_of_the_pairs() -> None:
    rng = random.Random(5)
    for _ in range(20):
        rest = [rng.random() for _ in range(40)]
        scores = [int(rng.random() < 0.3 + 0.5 * r) for r in rest]
        pairs = list(zip(scores, rest, strict=True))
        stats = analyse(_totals(pairs))
        assert stats.discrimination == pytest.approx(statistics.correlation(scores, rest))


def test_no_spread_means_no_discrimination() -> None:
    assert point_biserial(1, 1, 0.5, 0.25, 0.5) is None
    everyone_right = _totals([(1, r / 10) for r in range(40)])
    assert analyse(everyone_right).discrimination is None
    same_rest = _totals([(i % 2, 0.5) for i in range(40)])
    assert analyse(same_rest).discrimination is None


@pytest.mark.parametrize(
    ("right", "attempts", "flag"),
    [
        (29, 30, Flag.TOO_EASY),  # 96.7 %
        (5, 30, Flag.TOO_HARD),  # 16.7 %
    ],
)
def test_facility_flags_at_thirty_attempts(right: int, attempts: int, flag: Flag) -> None:
    stats = analyse(ItemTotals("q", attempts, right))  # no rest scores: no discrimination
    assert stats.flags == (flag,)
    assert stats.discrimination is None


def test_facility_thresholds_are_strict() -> None:
    # Exactly 95 % and exactly 20 % are fine.
    assert analyse(ItemTotals("q", 40, 38)).flags == ()
    assert analyse(ItemTotals("q", 40, 8)).flags == ()
    assert analyse(ItemTotals("q", 40, 39)).flags == (Flag.TOO_EASY,)
    assert analyse(ItemTotals("q", 40, 7)).flags == (Flag.TOO_HARD,)


def test_low_and_negative_discrimination_are_flagged_and_good_items_are_not() -> None:
    good = [(1, 0.9)] * 15 + [(0, 0.3)] * 15 + [(1, 0.4)] * 2 + [(0, 0.8)] * 2
    reversed_ = [(x, 1 - r) for x, r in good]
    flat = [(i % 2, 0.2 + (i // 2 % 2) * 0.1) for i in range(34)]  # no relation at all
    assert analyse(_totals(good)).flags == ()
    assert analyse(_totals(reversed_)).discrimination < 0
    assert analyse(_totals(reversed_)).flags == (Flag.LOW_DISCRIMINATION,)
    assert analyse(_totals(flat)).discrimination == pytest.approx(0.0)
    assert analyse(_totals(flat)).flags == (Flag.LOW_DISCRIMINATION,)


def test_nothing_is_flagged_under_thirty_attempts() -> None:
    assert MIN_ATTEMPTS == 30
    few = [(1, 0.1)] * 14 + [(0, 0.9)] * 15  # 29 attempts, negative discrimination
    assert analyse(_totals(few)).discrimination < 0
    assert analyse(_totals(few)).flags == ()
    assert analyse(ItemTotals("q", 29, 29)).flags == ()  # everyone right
    assert not analyse(ItemTotals("q", 29, 29)).judged
    assert analyse(ItemTotals("q", 0, 0)).facility is None


def test_worst_first_and_newly_flagged() -> None:
    a = ItemStats("a", 40, 0.5, 0.10, (Flag.LOW_DISCRIMINATION,))
    b = ItemStats("b", 40, 0.1, -0.2, (Flag.LOW_DISCRIMINATION, Flag.TOO_HARD))
    c = ItemStats("c", 40, 1.0, None, (Flag.TOO_EASY,))
    d = ItemStats("d", 40, 0.5, 0.4, ())
    assert [s.question_id for s in worst_first([a, b, c, d])] == ["b", "a", "c"]
    before = [ItemStats("a", 30, 0.5, 0.12, (Flag.LOW_DISCRIMINATION,)), d]
    assert [s.question_id for s in newly_flagged([a, b, c, d], before)] == ["b", "c"]
