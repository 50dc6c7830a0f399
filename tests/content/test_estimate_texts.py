"""Reminder texts for a year without an official schedule never state a date range as fact.

Every shipped variant, every placeholder path (a range, a lone start or end, the title), in the
Chinese text and in the English lead-in.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, time
from pathlib import Path

import pytest

from bot.config import parse_config
from bot.content.reminders import (
    ESTIMATE_AUTHORITY,
    ReminderVariant,
    load_reminders,
    load_schedule,
    render_reminder,
    variant_ids,
)
from bot.domain.holidays import HolidayBreak, PlannedSend, plan_reminders
from bot.i18n import days_off, translator
from bot.services.delivery import DeliveryService
from bot.services.reminders import ReminderContent, ReminderService
from bot.storage.database import Database

ROOT = Path(__file__).resolve().parents[2]
CONFIG = parse_config({}, require_token=False)
ZH_DATE = r"(?:\d{4}年)?\d{1,2}月\d{1,2}日"
ZH_RANGE = re.compile(
    rf"(预计)?({ZH_DATE})\s*(?:至|到|—|–|-|~|～)\s*({ZH_DATE})(，{ESTIMATE_AUTHORITY})?"
)
EN_RANGE = re.compile(r"(expected )?\d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}")
ESTIMATED_NEW_YEAR = HolidayBreak("元旦", date(2027, 1, 1), date(2027, 1, 3), official=False)


def zh_dates_stated_as_fact(message: str) -> list[str]:
    """Every date range or single date in a Chinese text that is not worded as an estimate."""
    found = []
    for match in ZH_RANGE.finditer(message):
        if not (match.group(1) and match.group(4)):
            found.append(match.group(0))
    rest = ZH_RANGE.sub("", message)
    found += [m.group(0) for m in re.finditer(rf"(?<!预计){ZH_DATE}", rest)]
    return found


def en_ranges_stated_as_fact(message: str) -> list[str]:
    """Every ISO date range in an English text that is not introduced as expected."""
    return [m.group(0) for m in EN_RANGE.finditer(message) if not m.group(1)]


def _service() -> ReminderService:
    content = ReminderContent(
        schedule=load_schedule(ROOT / "content" / "holidays.yaml"),
        variants=load_reminders(ROOT / "content" / "reminders"),
    )
    # notice() renders only; the delivery service's database is never opened.
    return ReminderService(CONFIG, content, DeliveryService(CONFIG, Database(Path("unused.db"))))


def _send(service: ReminderService, year: int, holiday: str) -> PlannedSend:
    """The 3-days-ahead send of one holiday in `year`, planned from the shipped content."""
    [send] = [
        p
        for p in plan_reminders(
            year,
            service.content.schedule,
            [3],
            time(9),
            CONFIG.timezone,
            variant_ids(service.content.variants),
        )
        if p.holiday == holiday
    ]
    return send


def test_the_checkers_catch_a_date_range_stated_as_fact() -> None:
    assert zh_dates_stated_as_fact("元旦（1月1日至1月1日）临近") == ["1月1日至1月1日"]
    assert zh_dates_stated_as_fact("于2027年1月3日结束") == ["2027年1月3日"]
    assert zh_dates_stated_as_fact(f"（预计1月1日至1月3日，{ESTIMATE_AUTHORITY}）") == []
    assert en_ranges_stated_as_fact("(days off 2027-01-01 to 2027-01-03)") != []
    assert en_ranges_stated_as_fact("(days off expected 2027-01-01 to 2027-01-03; …)") == []


def test_every_shipped_variant_words_an_estimated_break_as_expected() -> None:
    service = _service()
    schedule = service.content.schedule
    variants = service.content.variants
    by_id = {v.id: v for items in variants.values() for v in items}
    plans = plan_reminders(2027, schedule, [3, 1], time(9), CONFIG.timezone, variant_ids(variants))
    assert plans
    assert all(not p.brk.official for p in plans)
    rendered = 0
    for variant in by_id.values():
        # Every variant, not only the ones 2027's rotation picks.
        plan = next(p for p in plans if p.holiday == variant.holiday)
        message = render_reminder(variant, plan.brk, "某县应急管理局")
        assert zh_dates_stated_as_fact(message) == [], (variant.id, message)
        assert ESTIMATE_AUTHORITY in message
        rendered += 1
    assert rendered == 21


def test_the_2027_new_year_reminder_in_both_languages() -> None:
    service = _service()
    send = _send(service, 2027, "元旦")
    notice = service.notice(send)
    zh, en = notice.text["zh"], notice.text["en"]
    assert "元旦（预计1月1日至1月3日，具体以国务院办公厅通知为准）" in zh
    assert zh_dates_stated_as_fact(zh) == []
    assert "days off expected 2027-01-01 to 2027-01-03" in en
    assert "the State Council General Office's notice is authoritative" in en
    assert en_ranges_stated_as_fact(en) == []
    assert zh_dates_stated_as_fact(en) == []  # the Chinese body under the English lead-in


def test_an_official_break_is_stated_plainly() -> None:
    service = _service()
    send = _send(service, 2026, "春节")
    notice = service.notice(send)
    assert "春节（2月15日至2月23日）" in notice.text["zh"]
    assert "预计" not in notice.text["zh"]
    assert "(days off 2026-02-15 to 2026-02-23)" in notice.text["en"]


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        # A range with another separator.
        (
            "提醒",
            "{holiday}（{start}到{end}）",
            f"元旦（预计1月1日到1月3日，{ESTIMATE_AUTHORITY}）",
        ),
        # A lone start or end: "预计", and the note at the end of the text.
        ("提醒", "{start}起放假", "预计1月1日起放假"),
        ("提醒", "假期至{end}结束", "假期至预计1月3日结束"),
        # A range in the title.
        (
            "{holiday}（{start}至{end}）",
            "请遵守规定。",
            f"预计1月1日至1月3日，{ESTIMATE_AUTHORITY}",
        ),
        # Two lone dates that do not form a range.
        ("提醒", "自{start}起，到{end}止", "自预计1月1日起，到预计1月3日止"),
    ],
)
def test_every_placeholder_path_is_worded_as_an_estimate(
    title: str, text: str, expected: str
) -> None:
    variant = ReminderVariant("x-1", "元旦", title, text)
    message = render_reminder(variant, ESTIMATED_NEW_YEAR, "某局")
    assert expected in message
    assert zh_dates_stated_as_fact(message) == [], message
    assert ESTIMATE_AUTHORITY in message


def test_a_lone_date_adds_the_note_and_a_range_does_not() -> None:
    lone = render_reminder(ReminderVariant("x-1", "元旦", "t", "{start}起"), ESTIMATED_NEW_YEAR, "")
    assert lone.endswith("（文中放假日期为预计，具体以国务院办公厅通知为准。）")
    ranged = render_reminder(
        ReminderVariant("x-1", "元旦", "t", "（{start}至{end}）"), ESTIMATED_NEW_YEAR, ""
    )
    assert ranged.count(ESTIMATE_AUTHORITY) == 1


def test_literal_braces_and_html_survive_the_estimate_wording() -> None:
    variant = ReminderVariant("x-1", "元旦", "t", "{{start}} <b>{org}</b> {start}至{end}")
    message = render_reminder(variant, ESTIMATED_NEW_YEAR, "A&B")
    assert message.startswith("<b>t</b>\n\n{start} &lt;b&gt;A&amp;B&lt;/b&gt; 预计1月1日至1月3日")


def test_a_one_day_break_reads_as_its_day() -> None:
    variant = ReminderVariant("x-1", "端午节", "t", "{holiday}（{start}至{end}）将至")
    estimated = HolidayBreak("端午节", date(2027, 6, 9), date(2027, 6, 9), official=False)
    official = HolidayBreak("端午节", date(2027, 6, 9), date(2027, 6, 9), official=True)
    expected = f"端午节（预计6月9日，{ESTIMATE_AUTHORITY}）将至"
    assert expected in render_reminder(variant, estimated, "")
    assert "端午节（6月9日）将至" in render_reminder(variant, official, "")


def test_a_one_day_break_in_the_english_lead_in_and_the_admins_plan() -> None:
    service = _service()
    send = _send(service, 2027, "元旦")
    one_day = HolidayBreak("元旦", date(2027, 1, 1), date(2027, 1, 1), official=False)
    lone = dataclasses.replace(send, brk=one_day)
    en = service.notice(lone).text["en"]
    assert "days off expected 2027-01-01;" in en
    assert "to 2027-01-01" not in en
    assert days_off(translator("zh"), one_day.start, one_day.end) == "2027-01-01"
    assert days_off(translator("en"), send.brk.start, send.brk.end) == "2027-01-01 to 2027-01-03"
