"""Working days on the official 2026 schedule (春节 02-15 … 02-23, make-up days 02-14 and
02-28), estimated years, and the case clocks counted in them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.content.reminders import load_schedule
from bot.domain.workdays import (
    Target,
    Targets,
    WorkCalendar,
    add_months,
    add_working_days,
    case_clock,
    working_days_after,
)

HOLIDAYS = Path(__file__).resolve().parents[2] / "content" / "holidays.yaml"
TARGETS = Targets(review_workdays=5, close_months=3, remind_workdays=1)


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    return WorkCalendar(load_schedule(HOLIDAYS))


def test_the_spring_festival_break_and_its_make_up_days(calendar: WorkCalendar) -> None:
    assert calendar.is_working_day(date(2026, 2, 13))  # Friday
    assert calendar.is_working_day(date(2026, 2, 14))  # Saturday, make-up workday
    assert not calendar.is_working_day(date(2026, 2, 16))  # Monday in the break
    assert not calendar.is_working_day(date(2026, 2, 23))  # last day of the break
    assert calendar.is_working_day(date(2026, 2, 24))
    assert calendar.is_working_day(date(2026, 2, 28))  # Saturday, make-up workday
    assert not calendar.is_working_day(date(2026, 3, 1))  # an ordinary Sunday


def test_ages_across_the_break_count_make_up_days_and_skip_the_break(
    calendar: WorkCalendar,
) -> None:
    received = date(2026, 2, 12)  # Thursday
    assert working_days_after(received, received, calendar).days == 0
    # 02-13 (1), Sat 02-14 make-up (2), break 02-15…02-23, 02-24 (3) … 02-27 (6),
    # Sat 02-28 make-up (7), Sun 03-01, Mon 03-02 (8).
    age = working_days_after(received, date(2026, 3, 2), calendar)
    assert age.days == 8
    assert not age.estimated
    assert working_days_after(received, date(2026, 2, 23), calendar).days == 2
    # Counting weekdays only would say 12; calendar days 18.
    assert add_working_days(received, 5, calendar) == (date(2026, 2, 26), False)
    assert add_working_days(received, 15, calendar)[0] == date(2026, 3, 11)


def test_a_year_the_schedule_lacks_is_estimated_and_says_so(calendar: WorkCalendar) -> None:
    assert not calendar.official(date(2027, 3, 1))
    age = working_days_after(date(2026, 12, 28), date(2027, 1, 8), calendar)
    assert age.estimated
    # 12-29, 12-30, 12-31 (3); 2027-01-01 is 元旦 in the package; 01-04 … 01-08 (5).
    assert age.days == 8
    clock = case_clock(
        date(2026, 12, 28),
        date(2027, 1, 8),
        reviewed=False,
        closed=False,
        targets=TARGETS,
        calendar_=calendar,
    )
    assert clock.estimated_year == 2027
    inside = case_clock(
        date(2026, 2, 12),
        date(2026, 3, 2),
        reviewed=True,
        closed=False,
        targets=TARGETS,
        calendar_=calendar,
    )
    assert inside.estimated_year is None


def test_case_clock_targets_nearing_and_overdue(calendar: WorkCalendar) -> None:
    def clock(today: date, *, reviewed: bool = False, closed: bool = False) -> object:
        return case_clock(
            date(2026, 2, 12),
            today,
            reviewed=reviewed,
            closed=closed,
            targets=TARGETS,
            calendar_=calendar,
        )

    early = clock(date(2026, 2, 24))
    assert early.review_due == date(2026, 2, 26)
    assert early.close_due == date(2026, 5, 12)
    assert early.pending == (Target.REVIEW, Target.CLOSE)
    assert early.nearing == ()  # two working days left
    near = clock(date(2026, 2, 25))
    assert near.nearing == (Target.REVIEW,)
    assert near.overdue == ()
    late = clock(date(2026, 2, 27))
    assert late.overdue == (Target.REVIEW,)
    reviewed = clock(date(2026, 2, 27), reviewed=True)
    assert reviewed.pending == (Target.CLOSE,)
    assert reviewed.overdue == ()
    assert clock(date(2026, 5, 13), reviewed=True).overdue == (Target.CLOSE,)
    assert clock(date(2026, 5, 13), reviewed=True, closed=True).pending == ()


def test_months_are_calendar_months_clamped_to_the_month_end() -> None:
    assert add_months(date(2026, 2, 12), 3) == date(2026, 5, 12)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 10, 31), 4) == date(2027, 2, 28)
