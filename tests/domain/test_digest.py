"""The digest builder as pure functions: periods, rounding, the small-group rule, weak spots."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from bot.domain.digest import (
    EVERYONE,
    ActivityRow,
    DigestInputs,
    MemberRow,
    Period,
    QuestionInfo,
    ReportCounts,
    build_digest,
    half_up,
    percent,
    scheduled_period,
    trend_windows,
    weakest,
    week_period,
)

WED = date(2026, 9, 16)
PERIOD = Period(date(2026, 9, 7), date(2026, 9, 13))
CURRENT, PREVIOUS = 7, 6  # window indexes of the period and the week before


def test_this_week_runs_monday_to_today_and_last_week_is_a_whole_calendar_week() -> None:
    assert week_period(WED) == Period(date(2026, 9, 14), WED)
    assert week_period(WED, weeks_back=1) == Period(date(2026, 9, 7), date(2026, 9, 13))
    assert week_period(date(2026, 9, 14)) == Period(date(2026, 9, 14), date(2026, 9, 14))
    assert week_period(date(2026, 9, 20)).start == date(2026, 9, 14)  # Sunday is still this week


def test_the_weekly_job_reports_the_seven_days_before_it_runs() -> None:
    # Sent on a Monday, that is exactly last calendar week.
    assert scheduled_period(date(2026, 9, 14)) == week_period(date(2026, 9, 14), weeks_back=1)
    assert scheduled_period(date(2026, 9, 18)) == Period(date(2026, 9, 11), date(2026, 9, 17))


def test_trend_is_eight_contiguous_weeks_ending_with_the_period() -> None:
    windows = trend_windows(PERIOD)
    assert len(windows) == 8
    assert windows[-1] == PERIOD
    assert windows[-2] == PERIOD.previous() == Period(date(2026, 8, 31), date(2026, 9, 6))
    for earlier, later in itertools.pairwise(windows):
        assert earlier.days == 7
        assert (later.start - earlier.end).days == 1


def test_period_bounds_are_local_midnights() -> None:
    lo, hi = PERIOD.bounds(ZoneInfo("Asia/Shanghai"))
    assert lo.astimezone(UTC) == datetime(2026, 9, 6, 16, 0, tzinfo=UTC)
    assert hi.astimezone(UTC) == datetime(2026, 9, 13, 16, 0, tzinfo=UTC)


def test_rates_round_half_up_in_whole_numbers() -> None:
    assert percent(5, 8) == 63  # 62.5: a float round() would say 62
    assert percent(1, 3) == 33
    assert percent(2, 3) == 67
    assert percent(0, 0) is None
    assert half_up(62.5) == 63
    assert half_up(71.25) == 71
    assert half_up(-2.5) == -3


def _inputs(members: list[MemberRow], activity: list[ActivityRow]) -> DigestInputs:
    return DigestInputs(
        organization="测试局",
        period=PERIOD,
        departments=[("big", "大科室"), ("small", "小科室")],
        members=members,
        activity=activity,
        question_stats=[],
        questions={},
        reminders=[],
        assignments=[],
        reports=ReportCounts(0, 0, 0, 0, 5, 3, PERIOD.end),
        next_campaign=None,
        today=date(2026, 9, 20),
    )


def test_groups_under_five_show_no_rates_and_no_change() -> None:
    members = [MemberRow(w, "big", 6, 6) for w in (PREVIOUS, CURRENT)] + [
        MemberRow(w, "small", 4, 4) for w in (PREVIOUS, CURRENT)
    ]
    activity = [
        ActivityRow(CURRENT, "big", 3, 2, 150.0),
        ActivityRow(PREVIOUS, "big", 2, 1, 50.0),
        ActivityRow(CURRENT, "small", 4, 4, 400.0),
    ]
    digest = build_digest(_inputs(members, activity))
    big, small = digest.departments
    assert (big.name, big.participation, big.participants, big.average_score) == (
        "大科室",
        50,
        3,
        75,
    )
    assert (big.participation_change, big.score_change) == (17, 25)  # 50 − 33, 75 − 50
    assert small.small
    assert (small.participation, small.participants, small.average_score) == (None, None, None)
    assert (small.participation_change, small.score_change) == (None, None)
    overall = digest.overall
    assert overall.key == EVERYONE
    assert (overall.members, overall.participants, overall.participation) == (10, 7, 70)
    assert overall.average_score == 92  # (150 + 400) / 6 = 91.67
    assert not digest.partial


def test_a_small_organisation_shows_no_overall_rates_either() -> None:
    digest = build_digest(
        _inputs([MemberRow(CURRENT, None, 3, 3)], [ActivityRow(CURRENT, None, 2, 2, 160.0)])
    )
    assert digest.overall.small
    assert digest.overall.participation is None
    [unassigned] = digest.departments
    assert unassigned.key is None
    assert unassigned.small
    assert all(p.participation is None for p in digest.trend)


def test_weakest_need_enough_answers_and_a_wrong_one() -> None:
    questions = {
        "a": QuestionInfo("A?", ("甲",)),
        "b": QuestionInfo("B?", ("乙",)),
        "c": QuestionInfo("C?", ("甲", "丙")),
        "d": QuestionInfo("D?", ("丁",)),
    }
    stats = [("a", 4, 1), ("b", 10, 5), ("c", 2, 0), ("d", 9, 9), ("gone", 50, 0)]
    tags, items = weakest(stats, questions)
    # 甲 = a + c = 1/6; 乙 5/10; 丙 only 2 answers; 丁 all right; "gone" left the banks.
    assert [(w.label, w.right, w.answered, w.accuracy) for w in tags] == [
        ("甲", 1, 6, 17),
        ("乙", 5, 10, 50),
    ]
    # c has too few answers for a question (2 < 3); d is never missed.
    assert [w.label for w in items] == ["A?", "B?"]


def test_ties_go_to_the_more_answered() -> None:
    questions = {q: QuestionInfo(q, (q,)) for q in ("x", "y")}
    _, items = weakest([("x", 4, 2), ("y", 8, 4)], questions)
    assert [w.label for w in items] == ["y", "x"]


def test_send_time_and_upcoming_campaign_days() -> None:
    from bot.domain.digest import upcoming_campaign
    from bot.domain.holidays import HolidayBreak

    brk = HolidayBreak("国庆节", date(2026, 10, 1), date(2026, 10, 7), official=True)
    upcoming = upcoming_campaign(brk, (1, 3), time(9, 0))
    assert upcoming.sends == (date(2026, 9, 28), date(2026, 9, 30))
    assert upcoming.official
