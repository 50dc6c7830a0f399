"""When the official schedule runs out: who must be warned, about which year, and re-planning."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.holidays import (
    HOLIDAY_NAMES,
    OfficialSchedule,
    next_estimated_send,
    plan_changes,
    plan_reminders,
    schedule_warning,
    warning_week,
)
from tests.domain.test_holidays import BREAKS_2026, SCHEDULE

LEADS = (3, 1)
NOV_1 = (11, 1)
TZ = ZoneInfo("Asia/Shanghai")
VARIANTS = {name: [f"{name}-0"] for name in HOLIDAY_NAMES}


def _warning(
    today: date, schedule: OfficialSchedule = SCHEDULE, warn_from: tuple[int, int] = NOV_1
):
    return schedule_warning(today, schedule, LEADS, warn_from)


def test_no_warning_before_november_while_this_year_is_complete() -> None:
    assert _warning(date(2026, 9, 20)) is None
    assert _warning(date(2026, 10, 31)) is None


@pytest.mark.parametrize(
    ("today", "first_day", "first_lead"),
    [
        (date(2026, 11, 1), date(2026, 12, 29), 3),
        (date(2026, 12, 1), date(2026, 12, 29), 3),
        (date(2026, 12, 31), date(2026, 12, 31), 1),
    ],
)
def test_from_november_next_year_missing_is_a_warning(
    today: date, first_day: date, first_lead: int
) -> None:
    warning = _warning(today)
    assert warning is not None
    [gap] = warning.gaps
    assert (gap.year, gap.absent, gap.missing) == (2027, True, HOLIDAY_NAMES)
    first = warning.next_estimated
    assert first is not None
    assert (first.year, first.brk.name, first.day, first.lead_days) == (
        2027,
        "元旦",
        first_day,
        first_lead,
    )


def test_the_warning_day_is_configurable() -> None:
    assert _warning(date(2026, 10, 15), warn_from=(10, 15)) is not None
    assert _warning(date(2026, 11, 30), warn_from=(12, 1)) is None
    # A late start does not silence the warning before the first estimated send.
    late = _warning(date(2026, 12, 22), warn_from=(12, 31))
    assert late is not None
    assert [g.year for g in late.gaps] == [2027]


def test_loaded_next_year_ends_the_warning() -> None:
    # Made-up 2027 breaks (test data only): the month-days of 2026, 春节 around its festival.
    full_2027 = {
        name: (start.replace(year=2027), end.replace(year=2027))
        for name, (start, end) in BREAKS_2026.items()
    }
    full_2027["春节"] = (date(2027, 2, 5), date(2027, 2, 11))
    schedule = OfficialSchedule(breaks={2026: BREAKS_2026, 2027: full_2027}, makeup_workdays={})
    assert _warning(date(2026, 12, 1), schedule) is None


def test_a_partial_year_names_the_missing_holidays_still_to_come() -> None:
    partial = {k: v for k, v in BREAKS_2026.items() if k not in ("中秋节", "国庆节")}
    schedule = OfficialSchedule(breaks={2026: partial}, makeup_workdays={})
    warning = _warning(date(2026, 6, 1), schedule)
    assert warning is not None
    [gap] = warning.gaps
    assert (gap.year, gap.absent, gap.missing) == (2026, False, ("中秋节", "国庆节"))
    # Once those breaks are over, the gap no longer matters.
    assert _warning(date(2026, 10, 20), schedule) is None


def test_this_year_missing_is_a_warning_all_year() -> None:
    warning = _warning(date(2027, 1, 10))
    assert warning is not None
    [gap] = warning.gaps
    assert gap.year == 2027
    assert "元旦" not in gap.missing  # its break is over
    assert "春节" in gap.missing


def test_next_estimated_send_is_the_first_send_on_an_estimate() -> None:
    first = next_estimated_send(date(2026, 12, 30), SCHEDULE, LEADS)
    assert first is not None
    assert (first.day, first.brk.name, first.lead_days) == (date(2026, 12, 31), "元旦", 1)
    assert not first.brk.official
    assert next_estimated_send(date(2026, 2, 1), SCHEDULE, LEADS) is not None


def test_warning_weeks_change_on_monday() -> None:
    tuesday = date(2026, 12, 1)
    assert {warning_week(tuesday + timedelta(days=n)) for n in range(6)} == {"2026-W49"}
    assert warning_week(date(2026, 12, 7)) == "2026-W50"
    assert warning_week(date(2027, 1, 1)) == "2026-W53"


def test_plan_changes_by_campaign_key() -> None:
    before = plan_reminders(2027, SCHEDULE, LEADS, time(9, 0), TZ, VARIANTS)
    moved_spring = OfficialSchedule(
        breaks={**SCHEDULE.breaks, 2027: {"春节": (date(2027, 2, 4), date(2027, 2, 12))}},
        makeup_workdays={},
    )
    after = plan_reminders(2027, moved_spring, LEADS, time(9, 0), TZ, VARIANTS)
    changes = plan_changes(before, after)
    assert sorted(p.campaign_key for p in changes.moved) == [
        "reminder:2027:春节:1",
        "reminder:2027:春节:3",
    ]
    assert changes.added == changes.removed == ()
    fewer = plan_changes(before, [p for p in after if p.lead_days == 3])
    assert {p.lead_days for p in fewer.removed} == {1}
    assert plan_changes([], after).added == tuple(after)
