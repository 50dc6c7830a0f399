"""Reminder texts and the official schedule: loading, validation with lines, rendering, the plan."""

from __future__ import annotations

import re
import textwrap
import unicodedata
from datetime import date, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.content.problems import ContentError
from bot.content.reminders import (
    MAX_TEXT,
    ReminderVariant,
    format_plan,
    load_reminders,
    load_schedule,
    render_reminder,
    variant_ids,
)
from bot.domain.holidays import HOLIDAY_NAMES, HolidayBreak, OfficialSchedule, plan_reminders

ROOT = Path(__file__).resolve().parents[2]
TZ = ZoneInfo("Asia/Shanghai")
FILES = {
    "元旦": "new-year",
    "春节": "spring-festival",
    "清明节": "qingming",
    "劳动节": "labour-day",
    "端午节": "dragon-boat",
    "中秋节": "mid-autumn",
    "国庆节": "national-day",
}


def _reminder_file(
    holiday: str, variant_id: str, body: str = "{holiday}（{start}至{end}）将至。"
) -> str:
    return (
        f"holiday: {holiday}\n"
        "variants:\n"
        f"  - id: {variant_id}\n"
        f"    title: {holiday}提醒\n"
        "    text: |\n"
        "      {org}全体干部职工：\n"
        f"      {body}\n"
    )


def _write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(exc: pytest.ExceptionInfo[ContentError]) -> list[str]:
    return str(exc.value).splitlines()


def _variant(text: str, title: str = "春节前廉洁提醒") -> ReminderVariant:
    return ReminderVariant(id="spring-festival-1", holiday="春节", title=title, text=text)


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# --- shipped content ----------------------------------------------------------------------------


def test_shipped_schedule_loads() -> None:
    schedule = load_schedule(ROOT / "content" / "holidays.yaml")
    assert set(schedule.breaks) == {2026}
    assert schedule.breaks[2026]["春节"] == (date(2026, 2, 15), date(2026, 2, 23))
    assert schedule.breaks[2026]["国庆节"] == (date(2026, 10, 1), date(2026, 10, 7))
    assert set(schedule.breaks[2026]) == set(HOLIDAY_NAMES)
    assert schedule.makeup_workdays[2026] == (
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    )


def test_shipped_reminders_load() -> None:
    reminders = load_reminders(ROOT / "content" / "reminders")
    assert list(reminders) == list(HOLIDAY_NAMES)
    ids = [v.id for variants in reminders.values() for v in variants]
    assert len(ids) == len(set(ids))
    for holiday, variants in reminders.items():
        assert variants
        assert all(v.holiday == holiday and v.title and v.text for v in variants)


def test_shipped_content_renders_for_every_planned_send() -> None:
    schedule = load_schedule(ROOT / "content" / "holidays.yaml")
    reminders = load_reminders(ROOT / "content" / "reminders")
    by_id = {v.id: v for variants in reminders.values() for v in variants}
    for year in (2026, 2027):
        for plan in plan_reminders(year, schedule, [3, 1], time(9), TZ, variant_ids(reminders)):
            message = render_reminder(by_id[plan.variant_id], plan.brk, "某县应急管理局")
            assert "{" not in message
            assert "}" not in message
            assert len(message) < 4096


# --- rendering ----------------------------------------------------------------------------------


def test_render_fills_placeholders_and_formats_dates() -> None:
    variant = _variant("{org}全体干部职工：\n{holiday}（{start}至{end}）将至。")
    brk = HolidayBreak("春节", date(2026, 2, 15), date(2026, 2, 23), official=True)
    assert render_reminder(variant, brk, "县应急管理局") == (
        "<b>春节前廉洁提醒</b>\n\n县应急管理局全体干部职工：\n春节（2月15日至2月23日）将至。"
    )


def test_render_shows_years_when_the_break_crosses_a_year() -> None:
    variant = _variant("{holiday}（{start}至{end}）")
    brk = HolidayBreak("元旦", date(2026, 12, 31), date(2027, 1, 2), official=True)
    assert render_reminder(variant, brk, "x").endswith("元旦（2026年12月31日至2027年1月2日）")


def test_render_escapes_html_in_org_and_text() -> None:
    variant = _variant("{org}：收到 <礼品> & 红包一律上交", title="提醒 <b>")
    brk = HolidayBreak("中秋节", date(2026, 9, 25), date(2026, 9, 27), official=True)
    message = render_reminder(variant, brk, "A<B>&C局")
    assert message == (
        "<b>提醒 &lt;b&gt;</b>\n\nA&lt;B&gt;&amp;C局：收到 &lt;礼品&gt; &amp; 红包一律上交"
    )


# --- the printed plan ---------------------------------------------------------------------------


def _plan_text(year: int, schedule: OfficialSchedule) -> str:
    variants = {name: [f"{FILES[name]}-1", f"{FILES[name]}-2"] for name in HOLIDAY_NAMES}
    plans = plan_reminders(year, schedule, [3, 1], time(9), TZ, variants)
    return format_plan(plans, year, schedule)


SCHEDULE_2026 = OfficialSchedule(
    breaks={
        2026: {
            "元旦": (date(2026, 1, 1), date(2026, 1, 3)),
            "春节": (date(2026, 2, 15), date(2026, 2, 23)),
            "清明节": (date(2026, 4, 4), date(2026, 4, 6)),
            "劳动节": (date(2026, 5, 1), date(2026, 5, 5)),
            "端午节": (date(2026, 6, 19), date(2026, 6, 21)),
            "中秋节": (date(2026, 9, 25), date(2026, 9, 27)),
            "国庆节": (date(2026, 10, 1), date(2026, 10, 7)),
        }
    },
    makeup_workdays={},
)


def test_plan_2026_lists_every_send_without_a_note() -> None:
    text = _plan_text(2026, SCHEDULE_2026)
    lines = text.splitlines()
    assert len(lines) == 2 + 14
    row = next(line for line in lines if line.startswith("2026-02-12"))
    assert row.split() == [
        "2026-02-12",
        "09:00",
        "春节",
        "2026-02-15–2026-02-23",
        "国务院通知/official",
        "提前3天",
        "spring-festival-1",
    ]
    assert "尚未载入" not in text
    assert "not in content/holidays.yaml" not in text


def test_plan_2027_says_the_schedule_is_not_loaded() -> None:
    text = _plan_text(2027, SCHEDULE_2026)
    assert "注意：2027年的国务院放假安排尚未载入 content/holidays.yaml" in text
    assert "Note: the State Council schedule for 2027 is not in content/holidays.yaml" in text
    assert "2026-12-29  09:00  元旦*" in text


def test_plan_columns_line_up_with_chinese_text() -> None:
    table = _plan_text(2026, SCHEDULE_2026).splitlines()[1:]
    starts = [
        [_display_width(line[: m.start()]) for m in re.finditer(r"\S+", line)] for line in table
    ]
    assert len(starts[0]) == 7
    assert all(row == starts[0] for row in starts)


# --- validation: content/holidays.yaml ----------------------------------------------------------


def test_schedule_problems_are_listed_with_file_and_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "holidays.yaml",
        textwrap.dedent(
            """\
            2026:
              元旦: {start: 2026-01-01, end: 2026-01-03}
              春节: {start: 2026-02-23, end: 2026-02-15}
              清明节: {start: 2026-04-04, end: 2026-04-06}
              劳动节: {start: 2026-05-01, end: 2026-05-05}
              端午节: {start: 2026-06-20, end: 2026-06-21}
              中秋节: {start: 2026-09-25, end: 2026-09-27}
              国庆节: {start: 2026-10-01, end: 2026-10-07}
              七夕: {start: 2026-08-19, end: 2026-08-19}
              makeup_workdays: [2026-01-04, 2026-02-16]
            2027:
              春节: {start: 2027-02-05, end: 2027-02-30, until: 2027-02-13}
            1999:
              元旦: {start: 1999-01-01, end: 1999-01-03}
            """
        ),
    )
    with pytest.raises(ContentError) as exc:
        load_schedule(path)
    problems = _problems(exc)
    for expected in (
        f"{path}:3: 2026 春节: start 2026-02-23 is after end 2026-02-15",
        f"{path}:6: 2026 端午节: break 2026-06-20–2026-06-21 does not include the festival "
        "day 2026-06-19",
        f"{path}:9: 2026 七夕: unknown key '七夕' (a holiday: 元旦、春节、清明节、劳动节、端午节、"
        "中秋节、国庆节; or makeup_workdays)",
        f"{path}:10: 2026 makeup_workdays: 2026-02-16 is a Monday; a make-up workday (调休上班) "
        "is a Saturday or Sunday",
        f"{path}:12: 2027 春节: end must be a date YYYY-MM-DD, got '2027-02-30'",
        f"{path}:12: 2027 春节: unknown key 'until' (start, end)",
        f"{path}:11: 2027 端午节: no break listed; list every holiday of the year "
        "(holidays that share a break get the same range)",
        f"{path}:13: 1999: a year must be a number from 2000 to 2100",
    ):
        assert expected in problems
    assert len(problems) == 8 + 5  # 2027 also misses 元旦, 清明节, 劳动节, 中秋节, 国庆节


def test_schedule_accepts_new_year_from_the_last_days_of_december(tmp_path: Path) -> None:
    # The 2023 notice: 元旦 2022-12-31–2023-01-02, 中秋节、国庆节 together 9-29–10-06.
    path = _write(
        tmp_path,
        "holidays.yaml",
        textwrap.dedent(
            """\
            2023:
              元旦: {start: 2022-12-31, end: 2023-01-02}
              春节: {start: 2023-01-21, end: 2023-01-27}
              清明节: {start: 2023-04-05, end: 2023-04-05}
              劳动节: {start: 2023-04-29, end: 2023-05-03}
              端午节: {start: 2023-06-22, end: 2023-06-24}
              中秋节: {start: 2023-09-29, end: 2023-10-06}
              国庆节: {start: 2023-09-29, end: 2023-10-06}
              makeup_workdays: [2023-01-28, 2023-01-29, 2023-04-23, 2023-05-06, 2023-06-25,
                                2023-10-07, 2023-10-08]
            """
        ),
    )
    schedule = load_schedule(path)
    assert schedule.breaks[2023]["元旦"] == (date(2022, 12, 31), date(2023, 1, 2))
    assert len(schedule.makeup_workdays[2023]) == 7


def test_schedule_rejects_a_year_listed_twice_and_bad_yaml(tmp_path: Path) -> None:
    twice = _write(tmp_path, "twice.yaml", "2026:\n  makeup_workdays: []\n2026:\n  x: 1\n")
    with pytest.raises(ContentError) as exc:
        load_schedule(twice)
    assert f"{twice}:3: 2026: listed twice (also at line 1)" in _problems(exc)
    broken = _write(tmp_path, "broken.yaml", "2026:\n  元旦: {start: 2026-01-01\n")
    with pytest.raises(ContentError) as exc:
        load_schedule(broken)
    assert _problems(exc)[0].startswith(f"{broken}:3: -: not valid YAML")


# --- validation: content/reminders/*.yaml -------------------------------------------------------


def _good_directory(directory: Path, skip: tuple[str, ...] = ()) -> None:
    for holiday, stem in FILES.items():
        if holiday not in skip:
            _write(directory, f"{stem}.yaml", _reminder_file(holiday, f"{stem}-1"))


def test_reminder_problems_are_listed_with_file_and_line(tmp_path: Path) -> None:
    directory = tmp_path / "reminders"
    _good_directory(directory, skip=("清明节", "端午节"))
    stray = _write(
        directory,
        "qingming.yaml",
        _reminder_file("清明节", "qingming-1", "{holiday}将至，{foo}请注意。\n      单个 { 括号。"),
    )
    unknown = _write(directory, "qixi.yaml", _reminder_file("七夕", "qixi-1"))
    duplicate = _write(directory, "zz-extra.yaml", _reminder_file("春节", "new-year-1"))
    with pytest.raises(ContentError) as exc:
        load_reminders(directory)
    problems = _problems(exc)
    assert (
        f"{stray}:7: qingming-1: unknown placeholder {{foo}} (use {{holiday}}, {{start}}, "
        "{end}, {org})"
    ) in problems
    assert f"{stray}:8: qingming-1: a stray {{ or }} (write {{{{ or }}}} for a literal brace)" in (
        problems
    )
    assert (
        f"{unknown}:1: 七夕: unknown holiday '七夕' (one of 元旦、春节、清明节、劳动节、端午节、"
        "中秋节、国庆节)"
    ) in problems
    first = directory / "new-year.yaml"
    assert f"{duplicate}:3: new-year-1: duplicate id (also at {first}:3)" in problems
    assert f"{directory}:0: 端午节: no reminder file for this holiday" in problems
    assert len(problems) == 5


def test_reminder_variant_fields_are_checked(tmp_path: Path) -> None:
    directory = tmp_path / "reminders"
    _good_directory(directory, skip=("春节",))
    path = _write(
        directory,
        "spring-festival.yaml",
        textwrap.dedent(
            """\
            holiday: 春节
            variants:
              - id: Spring_1
                title: ""
                text: "{org!r}：{start:>10}"
                note: x
              - id: spring-2
                title: 春节提醒
                text: |
            """
        )
        + "      "
        + "廉" * (MAX_TEXT + 1)
        + "\n",
    )
    with pytest.raises(ContentError) as exc:
        load_reminders(directory)
    problems = _problems(exc)
    for expected in (
        f"{path}:3: Spring_1: id must be a-z, 0-9 and '-'",
        f"{path}:4: Spring_1: title is empty",
        f"{path}:5: Spring_1: placeholder {{org!r}} takes no format (write {{org}})",
        f"{path}:5: Spring_1: placeholder {{start:>10}} takes no format (write {{start}})",
        f"{path}:6: Spring_1: unknown key 'note' (id, title, text)",
        f"{path}:9: spring-2: text is {MAX_TEXT + 1} characters (at most {MAX_TEXT})",
    ):
        assert expected in problems
    assert len(problems) == 6


def test_a_file_without_variants_is_a_problem(tmp_path: Path) -> None:
    directory = tmp_path / "reminders"
    _good_directory(directory, skip=("国庆节",))
    path = _write(directory, "national-day.yaml", "holiday: 国庆节\nvariants: []\n")
    with pytest.raises(ContentError) as exc:
        load_reminders(directory)
    assert _problems(exc) == [f"{path}:2: -: variants must be a non-empty list"]


def test_an_empty_directory_names_every_holiday(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as exc:
        load_reminders(tmp_path)
    problems = _problems(exc)
    assert problems[0] == f"{tmp_path}:0: -: no reminder files (*.yaml) found"
    assert len(problems) == 1 + len(HOLIDAY_NAMES)
