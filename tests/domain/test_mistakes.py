"""The mistake book's FSRS schedule, with an explicit clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from bot.domain.mistakes import MASTERED_DAYS, MistakeSchedule, ReviewCard

NOW = datetime(2026, 9, 20, 2, 0, tzinfo=UTC)


def test_a_miss_enters_the_book_due_the_next_day() -> None:
    card = MistakeSchedule().after_answer(None, False, NOW)
    assert card is not None
    assert card.due_at == NOW + timedelta(days=1)
    assert card.last_review == NOW
    assert card.interval_days == 1


def test_a_right_answer_to_a_question_not_in_the_book_keeps_it_out() -> None:
    assert MistakeSchedule().after_answer(None, True, NOW) is None


def test_right_answers_on_the_due_day_grow_the_interval_until_the_question_leaves() -> None:
    schedule = MistakeSchedule()
    card = schedule.after_answer(None, False, NOW)
    intervals = []
    while card is not None:
        intervals.append(card.interval_days)
        card = schedule.after_answer(card, True, card.due_at)
        assert len(intervals) < 10, "the question never left the book"
    assert intervals == [1, 2, 6, 17]
    assert all(a < b for a, b in pairwise(intervals))
    assert intervals[-1] < MASTERED_DAYS


def test_leaving_is_decided_by_the_threshold() -> None:
    schedule = MistakeSchedule()
    # Seventeen days of stability, reviewed on its due day: FSRS would wait 44 days, past 21.
    strong = ReviewCard(17.38, 6.38, NOW, NOW - timedelta(days=17))
    assert schedule.after_answer(strong, True, NOW) is None
    # Six days: the next interval is 17, under the threshold, so it stays.
    young = ReviewCard(6.27, 6.39, NOW, NOW - timedelta(days=6))
    kept = schedule.after_answer(young, True, NOW)
    assert kept is not None
    assert kept.interval_days == 17


def test_a_miss_of_a_question_well_on_its_way_brings_it_back_soon() -> None:
    schedule = MistakeSchedule()
    card = ReviewCard(17.38, 6.38, NOW, NOW - timedelta(days=17))
    again = schedule.after_answer(card, False, NOW)
    assert again is not None
    assert again.interval_days <= 2
    assert again.stability < card.stability
    assert again.difficulty > card.difficulty


def test_an_early_right_answer_grows_the_interval_less_than_one_on_time() -> None:
    schedule = MistakeSchedule()
    card = ReviewCard(6.27, 6.39, NOW + timedelta(days=6), NOW)
    early = schedule.after_answer(card, True, NOW + timedelta(days=1))
    on_time = schedule.after_answer(card, True, NOW + timedelta(days=6))
    assert early is not None
    assert on_time is not None
    assert early.interval_days < on_time.interval_days


def test_local_times_are_accepted_and_the_schedule_is_deterministic() -> None:
    local = NOW.astimezone(ZoneInfo("Asia/Shanghai"))
    first = MistakeSchedule().after_answer(None, False, local)
    second = MistakeSchedule().after_answer(None, False, NOW)
    assert first == second
