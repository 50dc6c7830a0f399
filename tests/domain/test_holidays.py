"""The holiday planner as pure functions of a year, a schedule and an explicit `now`/`today`."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import holidays
import pytest

from bot.domain.holidays import (
    HOLIDAY_NAMES,
    HolidayBreak,
    OfficialSchedule,
    due_sends,
    estimated_breaks,
    festival_dates,
    holiday_breaks,
    next_break,
    plan_reminders,
    upcoming_sends,
)

TZ = ZoneInfo("Asia/Shanghai")
NINE = time(9, 0)
LEADS = (3, 1)
VARIANTS = {name: [f"{name}-0", f"{name}-1", f"{name}-2"] for name in HOLIDAY_NAMES}
BREAKS_2026 = {
    "元旦": (date(2026, 1, 1), date(2026, 1, 3)),
    "春节": (date(2026, 2, 15), date(2026, 2, 23)),
    "清明节": (date(2026, 4, 4), date(2026, 4, 6)),
    "劳动节": (date(2026, 5, 1), date(2026, 5, 5)),
    "端午节": (date(2026, 6, 19), date(2026, 6, 21)),
    "中秋节": (date(2026, 9, 25), date(2026, 9, 27)),
    "国庆节": (date(2026, 10, 1), date(2026, 10, 7)),
}
SCHEDULE = OfficialSchedule(
    breaks={2026: BREAKS_2026},
    makeup_workdays={2026: (date(2026, 1, 4), date(2026, 2, 14))},
)


def _at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def _plan(year: int, schedule: OfficialSchedule = SCHEDULE) -> list:
    return plan_reminders(year, schedule, LEADS, NINE, TZ, VARIANTS)


def _package_festival(year: int, name: str) -> date:
    calendar = holidays.China(years=year, language="zh_CN")
    return min(d for d in calendar if name in calendar.get_list(d))


def test_festival_dates_2026() -> None:
    assert festival_dates(2026) == {
        "元旦": date(2026, 1, 1),
        "春节": date(2026, 2, 17),
        "清明节": date(2026, 4, 5),
        "劳动节": date(2026, 5, 1),
        "端午节": date(2026, 6, 19),
        "中秋节": date(2026, 9, 25),
        "国庆节": date(2026, 10, 1),
    }


def test_festival_dates_2027_agree_with_the_package() -> None:
    dates = festival_dates(2027)
    assert dates["春节"] == date(2027, 2, 6) == _package_festival(2027, "春节")
    for name in ("清明节", "端午节", "中秋节"):
        assert dates[name] == _package_festival(2027, name)
    assert dates["国庆节"] == date(2027, 10, 1)


def test_festival_on_a_shared_day_is_found() -> None:
    # The package joins two holidays on one day into "中秋节; 国庆节".
    assert festival_dates(2028)["中秋节"] == date(2028, 10, 3)
    assert festival_dates(2031)["中秋节"] == festival_dates(2031)["国庆节"] == date(2031, 10, 1)


def test_festival_dates_returns_a_copy() -> None:
    festival_dates(2026).clear()
    assert len(festival_dates(2026)) == len(HOLIDAY_NAMES)


def test_breaks_2026_are_official() -> None:
    breaks = holiday_breaks(2026, SCHEDULE)
    assert [b.name for b in breaks] == list(HOLIDAY_NAMES)
    assert all(b.official for b in breaks)
    assert breaks[1] == HolidayBreak("春节", date(2026, 2, 15), date(2026, 2, 23), official=True)


def test_breaks_2027_are_estimated_from_the_package_and_the_weekends() -> None:
    breaks = {b.name: b for b in holiday_breaks(2027, SCHEDULE)}
    assert len(breaks) == len(HOLIDAY_NAMES)
    assert not any(b.official for b in breaks.values())
    # holidays 0.109 for 2027: 农历除夕 02-05 (Fri), 春节 02-06..08, 春节（补假） 02-09..10.
    spring = breaks["春节"]
    assert (spring.start, spring.end) == (date(2027, 2, 5), date(2027, 2, 10))
    assert spring.start <= _package_festival(2027, "春节") <= spring.end
    # 国庆节 10-01..03 plus 补假 10-04..05; 元旦 (a Friday) runs on over the weekend.
    assert (breaks["国庆节"].start, breaks["国庆节"].end) == (date(2027, 10, 1), date(2027, 10, 5))
    assert (breaks["元旦"].start, breaks["元旦"].end) == (date(2027, 1, 1), date(2027, 1, 3))
    # 劳动节 05-01..02 is a weekend; its 补假 05-03..04 belong to it.
    assert (breaks["劳动节"].start, breaks["劳动节"].end) == (date(2027, 5, 1), date(2027, 5, 4))
    # 清明 on a Monday takes the weekend before it.
    assert (breaks["清明节"].start, breaks["清明节"].end) == (date(2027, 4, 3), date(2027, 4, 5))


@pytest.mark.parametrize("year", [2027, 2028, 2029, 2030, 2035])
def test_estimated_spring_and_national_day_breaks_are_never_one_day(year: int) -> None:
    breaks = estimated_breaks(year)
    for name in ("春节", "国庆节"):
        start, end = breaks[name]
        assert (end - start).days >= 2, (name, start, end)
        assert start <= festival_dates(year)[name] <= end


def test_the_estimate_reproduces_the_official_2026_schedule() -> None:
    # For 2026 the package carries the official 调休 (shifted days off, make-up workdays), so the
    # estimate must come out as the State Council notice of 2025-11-04 does.
    assert estimated_breaks(2026) == BREAKS_2026


def test_a_break_never_runs_over_a_make_up_workday() -> None:
    # 2026-02-14 (Sat) is a make-up workday: the 春节 break starts on 02-15, not 02-14.
    assert estimated_breaks(2026)["春节"][0] == date(2026, 2, 15)


def test_a_holiday_missing_from_a_year_is_estimated_alone() -> None:
    partial = OfficialSchedule(breaks={2026: {"春节": BREAKS_2026["春节"]}}, makeup_workdays={})
    breaks = {b.name: b for b in holiday_breaks(2026, partial)}
    assert breaks["春节"].official
    assert not breaks["端午节"].official
    assert (breaks["端午节"].start, breaks["端午节"].end) == (date(2026, 6, 19), date(2026, 6, 21))


def test_plan_2026_sends_three_and_one_day_before_each_break() -> None:
    plans = _plan(2026)
    assert len(plans) == 14
    spring = [p for p in plans if p.holiday == "春节"]
    assert [p.send_at for p in spring] == [_at(2026, 2, 12), _at(2026, 2, 14)]
    assert [p.lead_days for p in spring] == [3, 1]
    assert all(p.send_at.tzinfo == TZ for p in plans)
    assert all(p.year == 2026 and p.brk.official for p in plans)
    assert [p.send_at for p in plans] == sorted(p.send_at for p in plans)


def test_new_year_reminders_belong_to_the_year_of_the_holiday() -> None:
    assert not [p for p in _plan(2026) if p.send_at.year == 2026 and p.send_at.month == 12]
    first = _plan(2027)[:2]
    assert [p.holiday for p in first] == ["元旦", "元旦"]
    assert [p.send_at for p in first] == [_at(2026, 12, 29), _at(2026, 12, 31)]
    assert [p.campaign_key for p in first] == ["reminder:2027:元旦:3", "reminder:2027:元旦:1"]
    assert all(p.year == 2027 and not p.brk.official for p in first)


def test_campaign_keys_are_unique_and_stable() -> None:
    keys = [p.campaign_key for year in (2026, 2027, 2028) for p in _plan(year)]
    assert len(keys) == len(set(keys))
    assert [p.campaign_key for p in _plan(2026)] == [p.campaign_key for p in _plan(2026)]
    other_time = plan_reminders(2026, SCHEDULE, LEADS, time(15, 30), TZ, VARIANTS)
    assert [p.campaign_key for p in other_time] == [p.campaign_key for p in _plan(2026)]
    assert "reminder:2026:春节:3" in keys


@pytest.mark.parametrize(("year", "index"), [(2026, 1), (2027, 2), (2028, 0)])
def test_variant_rotates_by_year(year: int, index: int) -> None:
    plans = _plan(year)
    assert {p.variant_id for p in plans if p.holiday == "春节"} == {f"春节-{index}"}


def test_a_single_variant_is_always_used() -> None:
    variants = {name: [f"{name}-only"] for name in HOLIDAY_NAMES}
    plans = plan_reminders(2027, SCHEDULE, LEADS, NINE, TZ, variants)
    assert {p.variant_id for p in plans if p.holiday == "端午节"} == {"端午节-only"}


def test_repeated_lead_days_are_planned_once() -> None:
    plans = plan_reminders(2026, SCHEDULE, [3, 1, 3], NINE, TZ, VARIANTS)
    assert len(plans) == 14


def test_a_joint_break_is_reminded_once_under_its_first_festival() -> None:
    # 2025: 国庆节、中秋节 10-01–10-08 (中秋 on 10-06); 2023: 9-29–10-06 (中秋 on 9-29).
    joint_2025 = (date(2025, 10, 1), date(2025, 10, 8))
    joint_2023 = (date(2023, 9, 29), date(2023, 10, 6))
    schedule = OfficialSchedule(
        breaks={
            2025: {"中秋节": joint_2025, "国庆节": joint_2025},
            2023: {"中秋节": joint_2023, "国庆节": joint_2023},
        },
        makeup_workdays={},
    )
    autumn_2025 = [p for p in _plan(2025, schedule) if p.send_at >= _at(2025, 9, 1)]
    assert [(p.holiday, p.send_at) for p in autumn_2025] == [
        ("国庆节", _at(2025, 9, 28)),
        ("国庆节", _at(2025, 9, 30)),
    ]
    assert autumn_2025[0].brk == HolidayBreak("国庆节", *joint_2025, official=True)
    autumn_2023 = [p for p in _plan(2023, schedule) if p.send_at >= _at(2023, 9, 1)]
    assert [p.holiday for p in autumn_2023] == ["中秋节", "中秋节"]


def test_two_holidays_never_send_in_the_same_minute() -> None:
    # Made-up breaks two days apart: 国庆's 1-day and 中秋's 3-day sends fall on 09-30.
    schedule = OfficialSchedule(
        breaks={
            2028: {
                "国庆节": (date(2028, 10, 1), date(2028, 10, 1)),
                "中秋节": (date(2028, 10, 3), date(2028, 10, 5)),
            }
        },
        makeup_workdays={},
    )
    plans = _plan(2028, schedule)
    assert len({p.send_at for p in plans}) == len(plans) == 13
    assert [p.holiday for p in plans if p.send_at == _at(2028, 9, 30)] == ["国庆节"]


def test_an_estimated_joint_break_is_one_campaign() -> None:
    # Estimated 2028: 中秋 (10-03) falls inside the 国庆 break, so they are reminded once.
    autumn = [p for p in _plan(2028) if p.send_at >= _at(2028, 9, 1)]
    assert [(p.holiday, p.send_at) for p in autumn] == [
        ("国庆节", _at(2028, 9, 27)),
        ("国庆节", _at(2028, 9, 29)),
    ]
    assert (autumn[0].brk.start, autumn[0].brk.end) == (date(2028, 9, 30), date(2028, 10, 4))


def test_missing_variants_and_negative_lead_days_are_errors() -> None:
    with pytest.raises(ValueError, match="端午节"):
        plan_reminders(2026, SCHEDULE, LEADS, NINE, TZ, VARIANTS | {"端午节": []})
    with pytest.raises(ValueError, match="negative"):
        plan_reminders(2026, SCHEDULE, [-1], NINE, TZ, VARIANTS)


def test_upcoming_sends_cross_the_year_boundary() -> None:
    now = _at(2026, 12, 1, 8, 0)
    sends = upcoming_sends(now, SCHEDULE, LEADS, NINE, TZ, VARIANTS, horizon_days=60)
    assert [(p.campaign_key, p.send_at) for p in sends] == [
        ("reminder:2027:元旦:3", _at(2026, 12, 29)),
        ("reminder:2027:元旦:1", _at(2026, 12, 31)),
    ]
    longer = upcoming_sends(now, SCHEDULE, LEADS, NINE, TZ, VARIANTS)
    assert longer[2].campaign_key == "reminder:2027:春节:3"
    assert longer[-1].send_at <= _at(2028, 1, 5)
    assert [p.send_at for p in longer] == sorted(p.send_at for p in longer)


def test_upcoming_sends_include_a_send_at_exactly_now() -> None:
    sends = upcoming_sends(_at(2026, 2, 12), SCHEDULE, LEADS, NINE, TZ, VARIANTS, horizon_days=3)
    assert [p.campaign_key for p in sends] == ["reminder:2026:春节:3", "reminder:2026:春节:1"]


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        upcoming_sends(datetime(2026, 1, 1), SCHEDULE, LEADS, NINE, TZ, VARIANTS)  # noqa: DTZ001


def test_due_sends_catch_up_across_the_year_boundary() -> None:
    now = _at(2027, 1, 1, 7, 0)
    due = due_sends(now, _at(2026, 12, 20), SCHEDULE, LEADS, NINE, TZ, VARIANTS)
    assert [p.campaign_key for p in due] == ["reminder:2027:元旦:3", "reminder:2027:元旦:1"]


def test_a_send_whose_break_has_ended_is_not_due() -> None:
    since = _at(2026, 2, 1)
    during = due_sends(_at(2026, 2, 23, 20, 0), since, SCHEDULE, LEADS, NINE, TZ, VARIANTS)
    assert [p.campaign_key for p in during] == ["reminder:2026:春节:3", "reminder:2026:春节:1"]
    after = due_sends(_at(2026, 2, 24, 0, 5), since, SCHEDULE, LEADS, NINE, TZ, VARIANTS)
    assert after == []


def test_due_sends_respect_since_and_other_time_zones() -> None:
    now = datetime(2026, 2, 14, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    since = datetime(2026, 2, 13, 0, 0, tzinfo=UTC)
    due = due_sends(now, since, SCHEDULE, LEADS, NINE, TZ, VARIANTS)
    assert [p.campaign_key for p in due] == ["reminder:2026:春节:1"]
    just_before = datetime(2026, 2, 14, 0, 59, tzinfo=UTC)
    assert due_sends(just_before, since, SCHEDULE, LEADS, NINE, TZ, VARIANTS) == []


@pytest.mark.parametrize(
    ("today", "name", "start", "official"),
    [
        (date(2026, 1, 1), "元旦", date(2026, 1, 1), True),
        (date(2026, 2, 15), "春节", date(2026, 2, 15), True),
        (date(2026, 2, 16), "清明节", date(2026, 4, 4), True),
        (date(2026, 10, 8), "元旦", date(2027, 1, 1), False),
        (date(2027, 1, 4), "春节", date(2027, 2, 5), False),
    ],
)
def test_next_break(today: date, name: str, start: date, official: bool) -> None:
    brk = next_break(today, SCHEDULE)
    assert brk is not None
    assert (brk.name, brk.start, brk.official) == (name, start, official)


def test_next_break_names_a_joint_break_as_its_campaign() -> None:
    joint = (date(2025, 10, 1), date(2025, 10, 8))
    schedule = OfficialSchedule(
        breaks={2025: {"中秋节": joint, "国庆节": joint}}, makeup_workdays={}
    )
    assert next_break(date(2025, 9, 20), schedule) == HolidayBreak("国庆节", *joint, official=True)
