"""When the official holiday schedule runs out: estimates, admins' warnings, /reload and /plan.

Every scenario passes the time explicitly (the services' clock, or a job run at a set time), so
the outcome is the same whatever day the tests run on.
"""

from __future__ import annotations

import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from telegram.ext import Job

from bot.domain.holidays import PlannedSend
from bot.i18n import translator
from bot.services.digest import PeriodChoice, render_text
from bot.tg.jobs import SCHEDULE_CHECK_JOB
from tests.content.test_estimate_texts import en_ranges_stated_as_fact, zh_dates_stated_as_fact
from tests.harness import ADMIN, Harness, make_config
from tests.tg.delivery_support import drain, seed_members

ROOT = Path(__file__).resolve().parents[2]
BEIJING = ZoneInfo("Asia/Shanghai")
CADRE = 1001

# TEST DATA ONLY: made-up 2027 breaks, shaped like a State Council notice so that the loader
# accepts them. They are not the 2027 schedule (which is not known) and never go in content/.
MADE_UP_2027 = """
# TEST DATA ONLY — made-up 2027 breaks for a scenario test, NOT the State Council schedule.
2027:
  元旦: {start: 2027-01-01, end: 2027-01-03}
  春节: {start: 2027-02-06, end: 2027-02-13}
  清明节: {start: 2027-04-03, end: 2027-04-05}
  劳动节: {start: 2027-05-01, end: 2027-05-05}
  端午节: {start: 2027-06-09, end: 2027-06-11}
  中秋节: {start: 2027-09-15, end: 2027-09-17}
  国庆节: {start: 2027-10-01, end: 2027-10-07}
  makeup_workdays: [2027-02-20]
"""


def beijing(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A Beijing wall-clock time as UTC (the services' clock is in UTC)."""
    return datetime(year, month, day, hour, minute, tzinfo=BEIJING).astimezone(UTC)


def warnings_in(h: Harness, user_id: int) -> list[dict[str, object]]:
    """The schedule warnings in a chat."""
    return [m for m in h.sandbox.bot_messages(user_id) if "放假安排未载入" in str(m["text"])]


def reminders_in(h: Harness, user_id: int, holiday: str) -> list[str]:
    """Texts of one holiday's reminders in a chat."""
    return [
        str(m["text"])
        for m in h.sandbox.bot_messages(user_id)
        if f"{holiday}" in str(m["text"]) and "廉洁" in str(m["text"])
    ]


def job(h: Harness, name: str) -> Job:
    """The one job with this name."""
    assert h.app is not None
    assert h.app.job_queue is not None
    [found] = h.app.job_queue.get_jobs_by_name(name)
    return found


async def run_job(h: Harness, name: str, at: datetime) -> None:
    """Run a scheduled job as if its time had come (the clock set to `at`)."""
    h.clock.now = at
    assert h.app is not None
    await job(h, name).run(h.app)
    await drain(h)


async def restart_at(h: Harness, at: datetime, content: Path | None = None) -> None:
    """Stop, set the clock, optionally point content.dir at a folder, start again."""
    await h.stop()
    h.clock.now = at
    if content is not None:
        h.config = make_config(h.sandbox, h.db_path, content__dir=str(content))
    await h.start()
    await drain(h)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of the shipped content folder, as an operator keeps it on a volume."""
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    return folder


# --- warnings --------------------------------------------------------------------------------


async def test_in_december_admins_are_warned_once_a_week_not_daily(harness: Harness) -> None:
    h = harness
    await h.join(ADMIN, "王管理")
    await h.join(CADRE, "张干部")
    await restart_at(h, beijing(2026, 12, 1, 10))  # a Tuesday; 2027 is not in holidays.yaml

    [warning] = warnings_in(h, ADMIN)
    text = str(warning["text"])
    for expected in (
        "content/holidays.yaml",
        "2027 年：整年未载入",
        "2026-12-29 元旦（提前 3 天）",
        "/reload",
        "/plan",
        "元旦: {start: 2027-MM-DD, end: 2027-MM-DD}",
        "makeup_workdays: [2027-MM-DD, 2027-MM-DD]",
    ):
        assert expected in text, expected
    assert "尚未公布" not in text

    # The daily check, every morning of the same week, and a restart: nothing new.
    for day in range(2, 7):
        await run_job(h, SCHEDULE_CHECK_JOB, beijing(2026, 12, day))
    await restart_at(h, beijing(2026, 12, 6, 18))
    assert len(warnings_in(h, ADMIN)) == 1

    # The next week (Monday 12-07) brings the next one, and only one.
    await run_job(h, SCHEDULE_CHECK_JOB, beijing(2026, 12, 7))
    await run_job(h, SCHEDULE_CHECK_JOB, beijing(2026, 12, 8))
    assert len(warnings_in(h, ADMIN)) == 2
    assert warnings_in(h, CADRE) == []
    keys = await h.services.db.fetchall(
        "SELECT key, kind FROM campaigns WHERE key LIKE 'schedule-warning:%' ORDER BY id"
    )
    assert [tuple(r) for r in keys] == [
        ("schedule-warning:2026-W49", "admin"),
        ("schedule-warning:2026-W50", "admin"),
    ]


async def test_a_check_before_any_admin_joined_does_not_use_up_the_week(
    harness: Harness,
) -> None:
    h = harness
    await run_job(h, SCHEDULE_CHECK_JOB, beijing(2026, 12, 1))  # no admin is a member yet
    assert await h.services.delivery.existing_keys(["schedule-warning:2026-W49"]) == set()
    await h.join(ADMIN, "王管理")
    await run_job(h, SCHEDULE_CHECK_JOB, beijing(2026, 12, 2))
    assert len(warnings_in(h, ADMIN)) == 1


async def test_no_warning_in_september_and_a_log_line_at_start_up_in_december(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    await h.join(ADMIN, "王管理")
    await run_job(h, SCHEDULE_CHECK_JOB, beijing(2026, 9, 21))
    assert warnings_in(h, ADMIN) == []

    with caplog.at_level(logging.WARNING, logger="bot.tg.jobs"):
        await restart_at(h, beijing(2026, 11, 2, 7))  # before 09:00: the notice waits for 09:00
    [line] = [r.getMessage() for r in caplog.records if "holidays.yaml" in r.getMessage()]
    assert line.startswith("content/holidays.yaml: 2027: warning: no State Council holiday")
    assert warnings_in(h, ADMIN) == []
    await run_job(h, SCHEDULE_CHECK_JOB, beijing(2026, 11, 2))
    assert len(warnings_in(h, ADMIN)) == 1


async def test_the_english_warning_for_an_english_admin(harness: Harness) -> None:
    h = harness
    await h.join(ADMIN, "王管理")
    await h.services.membership.set_language(ADMIN, "en", h.clock())
    await run_job(h, SCHEDULE_CHECK_JOB, beijing(2026, 12, 1))
    [warning] = [m for m in h.sandbox.bot_messages(ADMIN) if "not loaded" in str(m["text"])]
    text = str(warning["text"])
    assert "Holiday schedule not loaded" in text
    assert "· 2027: not in the file" in text
    assert "content/holidays.yaml" in text
    assert "/reload" in text


# --- estimated texts -------------------------------------------------------------------------


async def test_the_2027_new_year_reminder_states_no_date_range_as_fact(harness: Harness) -> None:
    h = harness
    zh, en = await seed_members(h.services.db, h.sandbox, [5101, 5102])
    await h.services.membership.set_language(en, "en", h.clock())
    send: PlannedSend = job(h, "reminder 2027 元旦 3").data  # type: ignore[assignment]
    assert not send.brk.official

    await run_job(h, "reminder 2027 元旦 3", beijing(2026, 12, 29))

    [zh_text] = reminders_in(h, zh, "元旦")
    [en_text] = reminders_in(h, en, "元旦")
    assert "预计1月1日至1月3日，具体以国务院办公厅通知为准" in zh_text
    assert "1月1日至1月1日" not in zh_text
    assert zh_dates_stated_as_fact(zh_text) == []
    assert "days off expected 2027-01-01 to 2027-01-03" in en_text
    assert en_ranges_stated_as_fact(en_text) == []
    assert zh_dates_stated_as_fact(en_text) == []


async def test_the_digest_marks_the_next_campaign_as_an_estimate(harness: Harness) -> None:
    h = harness
    h.clock.now = beijing(2026, 12, 1)
    digest = await h.services.digest.build(
        h.services.digest.period(PeriodChoice.THIS_WEEK, h.clock()), h.clock()
    )
    zh = render_text(digest, translator("zh"))
    en = render_text(digest, translator("en"))
    assert (
        "下一次：元旦（预计 2027-01-01 至 2027-01-03，具体以国务院办公厅通知为准），"
        "提醒计划于 2026-12-29、2026-12-31 09:00 发送（2027 年国务院放假安排未载入 holidays.yaml，"
        "以上为推算日期）"
    ) in zh
    assert "尚未公布" not in zh
    assert "Next: New Year's Day (expected 2027-01-01 to 2027-01-03;" in en
    assert "not loaded into holidays.yaml" in en


# --- /reload and /plan -----------------------------------------------------------------------


async def test_reload_follows_a_new_schedule_and_never_resends_a_sent_campaign(
    harness: Harness, content: Path
) -> None:
    h = harness
    await h.join(ADMIN, "王管理")
    [member] = await seed_members(h.services.db, h.sandbox, [5201])
    # 2027-02-02 10:00: the estimated 春节 break is 02-05–02-10, its 3-day send (09:00) came due.
    await restart_at(h, beijing(2027, 2, 2, 10), content)
    [estimated] = reminders_in(h, member, "春节")
    assert "预计2月5日至2月10日" in estimated
    assert job(h, "reminder 2027 春节 1").next_t is not None

    # The operator adds the (here: made-up) 2027 schedule to the content folder and reloads.
    holidays_file = content / "holidays.yaml"
    holidays_file.write_text(
        holidays_file.read_text(encoding="utf-8") + MADE_UP_2027, encoding="utf-8"
    )
    [answer] = await h.send(ADMIN, "/reload")
    text = str(answer["text"])
    assert "内容已重新加载" in text
    assert "已载入国务院放假安排的年份：2026、2027" in text
    assert "改期 2 次，新增 0 次，取消 0 次" in text
    assert "2027-02-03 09:00 春节，提前 3 天；放假 2027-02-06 至 2027-02-13（国务院通知）" in text
    assert "（已发出，不再重发）" in text  # that 3-day send went out already

    # The jobs follow the new breaks: the 3-day send moved to 02-03, the 1-day one to 02-05.
    moved: PlannedSend = job(h, "reminder 2027 春节 3").data  # type: ignore[assignment]
    assert moved.brk.official
    assert moved.send_at == beijing(2027, 2, 3)
    later: PlannedSend = job(h, "reminder 2027 春节 1").data  # type: ignore[assignment]
    assert later.send_at == beijing(2027, 2, 5)

    # The moved 3-day send has gone out already (campaign keys carry no date): not again.
    await run_job(h, "reminder 2027 春节 3", beijing(2027, 2, 3))
    assert len(reminders_in(h, member, "春节")) == 1
    await run_job(h, "reminder 2027 春节 1", beijing(2027, 2, 5))
    spring = reminders_in(h, member, "春节")
    assert len(spring) == 2
    assert "春节（2月6日至2月13日）" in spring[1]
    assert "预计" not in spring[1]
    rows = await h.services.db.fetchall(
        "SELECT key FROM campaigns WHERE key LIKE 'reminder:2027:春节:%' ORDER BY id"
    )
    assert [r["key"] for r in rows] == ["reminder:2027:春节:3", "reminder:2027:春节:1"]

    # The digest reads the live schedule too.
    digest = await h.services.digest.build(
        h.services.digest.period(PeriodChoice.THIS_WEEK, h.clock()), h.clock()
    )
    assert digest.next_campaign is not None
    assert digest.next_campaign.official


async def test_a_broken_holiday_file_is_refused_and_the_old_plan_stays(
    harness: Harness, content: Path
) -> None:
    h = harness
    await h.join(ADMIN, "王管理")
    await restart_at(h, beijing(2026, 12, 1, 10), content)
    schedule_before = h.services.reminders.schedule
    library_before = h.services.quiz.library
    next_before = job(h, "reminder 2027 春节 3").next_t

    # A bank edit that is fine on its own, and a holiday file with a break that ends too early.
    bank = sorted((content / "quizzes").glob("*.yaml"))[0]
    bank.write_text(bank.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    holidays_file = content / "holidays.yaml"
    lines = holidays_file.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.strip().startswith("春节:"))
    lines[number - 1] = "  春节: {start: 2026-02-23, end: 2026-02-15}"
    holidays_file.write_text("\n".join(lines) + "\n", encoding="utf-8")

    [answer] = await h.send(ADMIN, "/reload")
    text = str(answer["text"])
    assert "未加载" in text
    assert f"{holidays_file}:{number}: 2026 春节: start 2026-02-23 is after end 2026-02-15" in text
    assert h.services.reminders.schedule is schedule_before
    assert h.services.quiz.library is library_before
    assert job(h, "reminder 2027 春节 3").next_t == next_before


async def test_plan_shows_the_next_sends_to_admins_in_their_language(harness: Harness) -> None:
    h = harness
    await h.join(ADMIN, "王管理")
    await h.join(CADRE, "张干部")
    await restart_at(h, beijing(2026, 12, 1, 10))
    menu = h.sandbox.my_commands({"type": "chat", "chat_id": ADMIN})
    assert "plan" in {c["command"] for c in menu}
    [zh] = await h.send(ADMIN, "/plan")
    text = str(zh["text"])
    assert "节前廉洁提醒计划" in text
    assert (
        "· 2026-12-29 09:00 元旦，提前 3 天；放假时间为推算：预计 2027-01-01 至 2027-01-03"
        "（未载入官方安排）"
    ) in text
    assert "2027-02-02 09:00 春节，提前 3 天" in text
    assert "content/holidays.yaml 中缺少 2027 年的国务院放假安排" in text

    await h.services.membership.set_language(ADMIN, "en", h.clock())
    [en] = await h.send(ADMIN, "/plan")
    assert (
        "· 2026-12-29 09:00 New Year's Day, lead days: 3; estimated break: expected 2027-01-01 to "
        "2027-01-03 (official schedule not loaded)"
    ) in str(en["text"])

    [refused] = await h.send(CADRE, "/plan")
    assert "没有执行此操作的权限" in str(refused["text"])


async def test_plan_in_september_rests_on_the_official_schedule(harness: Harness) -> None:
    h = harness
    await h.join(ADMIN, "王管理")
    [answer] = await h.send(ADMIN, "/plan")
    text = str(answer["text"])
    assert (
        "· 2026-09-22 09:00 中秋节，提前 3 天；放假 2026-09-25 至 2026-09-27（国务院通知）" in text
    )
    assert "缺少" not in text
