"""The digest compares like with like: a partial week against the same days of last week.

Through the sandbox at a Wednesday clock (2026-09-16, Asia/Shanghai), over the activity of
tests/tg/digest_support.py; and a small office where no department reaches five members.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.domain.digest import Period, digest_windows, trend_windows
from bot.i18n import translator
from bot.services.charts import render_chart
from bot.services.digest import PeriodChoice
from tests.harness import LEADER, Harness, make_config
from tests.tg.digest_support import BANK, seed_activity, seed_members

WEDNESDAY = datetime(2026, 9, 16, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture
async def wednesday(harness: Harness, tmp_path: Path) -> Harness:
    banks = tmp_path / "banks"
    banks.mkdir()
    (banks / "digest-bank.yaml").write_text(BANK, encoding="utf-8")
    await harness.stop()
    harness.config = make_config(harness.sandbox, harness.db_path, quiz__content_dir=str(banks))
    harness.clock.now = WEDNESDAY
    await harness.start()
    await seed_members(harness.services.db)
    await seed_activity(harness.services.db)
    return harness


def test_a_partial_week_is_compared_with_the_same_days_and_left_out_of_the_trend() -> None:
    week = Period(date(2026, 9, 14), date(2026, 9, 16))
    assert week.previous() == Period(date(2026, 9, 7), date(2026, 9, 9))
    trend = trend_windows(week)
    assert len(trend) == 8
    assert all(w.days == 7 for w in trend)
    assert trend[-1] == Period(date(2026, 9, 7), date(2026, 9, 13))
    windows = digest_windows(week)
    assert windows[-2:] == (week.previous(), week)
    whole = Period(date(2026, 9, 7), date(2026, 9, 13))
    assert digest_windows(whole) == trend_windows(whole)
    assert trend_windows(whole)[-1] == whole


async def test_this_week_on_a_wednesday_compares_with_last_monday_to_wednesday(
    wednesday: Harness,
) -> None:
    h = wednesday
    h.user(LEADER, "李局长")
    [picker] = await h.send(LEADER, "/digest")
    message = await h.press(LEADER, picker, "本周")
    text = message["text"]
    assert (
        "统计周期：2026-09-14 至 2026-09-16（本周截至今日；"
        "与上周同期 2026-09-07 至 2026-09-09 比较）" in text
    )
    # This week: 2004 finished a quiz on Monday 00:00 (1/5). Last Monday to Wednesday: 2001
    # only (1/5), so no change; against the whole last week (3/5) it would read "down 40".
    assert "· 应急指挥科：参与率 20%（1/5 人），与上周持平；平均分 100，较上周 +17" in text
    # The office: 1001 and 1002 on 09-08 and 09-09 (2/6 = 33%), nobody this week.
    assert "· 办公室：参与率 0%（0/6 人），较上周下降 33 个百分点" in text
    assert h.last(LEADER)["photo"] is not None

    services = h.services
    now = services.now()
    digest = await services.digest.build(services.digest.period(PeriodChoice.THIS_WEEK, now), now)
    assert [p.period.days for p in digest.trend] == [7] * 8
    assert digest.trend[-1].period.start.isoformat() == "2026-09-07"
    # The last whole week, 09-07 … 09-13: 7 of 14 took part (see the last-week digest).
    assert digest.trend[-1].participation == 50
    chart = render_chart(digest, translator("zh"))
    assert "近 8 个完整周趋势（全体；本周未满 7 天，不计入）" in chart.texts
    assert "09-14" not in chart.texts  # the partial week is not a trend point
    assert "09-07" in chart.texts


async def test_a_small_office_gets_one_line_instead_of_an_empty_department_panel(
    harness: Harness,
) -> None:
    h = harness
    for uid in (5001, 5002, 5003):  # three members, all in the office
        await h.join(uid, f"成员{uid}")
    h.user(LEADER, "李局长")
    [picker] = await h.send(LEADER, "/digest")
    message = await h.press(LEADER, picker, "本周")  # they joined today
    lines = message["text"].splitlines()
    small = [line for line in lines if "不足 5 人" in line]
    assert len(small) == 1
    assert small[0].startswith("· 各部门（")
    assert not any(line.startswith("· 办公室") for line in lines)
    services = h.services
    now = services.now()
    digest = await services.digest.build(services.digest.period(PeriodChoice.THIS_WEEK, now), now)
    chart = render_chart(digest, translator("zh"))
    assert "各部门均不足 5 人，不单独显示" in chart.texts
    assert "各部门参与率与平均分" not in chart.texts
    en = render_chart(digest, translator("en"))
    assert "Every department has fewer than 5 members; none is shown" in en.texts


async def test_the_burden_line_counts_messages_per_member_and_their_minutes(
    wednesday: Harness,
) -> None:
    """Last week (09-07 … 09-13, 14 members): the seeded reminder (8 delivered) and broadcast
    (5) plus a daily-question notice to 3; the week before, one reminder delivered to 4."""
    h = wednesday
    async with h.services.db.transaction() as tx:
        campaign = await tx.insert(
            "INSERT INTO campaigns (key, kind, payload, status, created_at) "
            "VALUES ('daily:2026-09-10', 'daily', '{\"text\": {\"zh\": \"x\"}}', 'done', "
            "'2026-09-10T00:30:00+00:00')"
        )
        await tx.executemany(
            "INSERT INTO outbox (campaign_id, user_id, status) VALUES (?, ?, ?)",
            [(campaign, 6000 + i, s) for i, s in enumerate(["sent"] * 3 + ["failed"])],
        )
    h.clock.now = datetime(2026, 9, 20, 2, 0, tzinfo=UTC)
    h.user(LEADER, "李局长")
    [picker] = await h.send(LEADER, "/digest")
    text = (await h.press(LEADER, picker, "上周"))["text"]
    # 16 messages / 14 members = 1.1; (13 × 0.5 + 3 × 2) / 14 = 0.9 minutes.
    # The week before: 4 / 14 = 0.3 messages, 2 / 14 = 0.1 minutes.
    assert (
        "本期平均每人收到本机器人消息 1.1 条，估计占用 0.9 分钟；上周同期 0.3 条、0.1 分钟。"
    ) in text
    assert "按每条通知 0.5 分钟、每条测验通知 2 分钟估算" in text
    assert "不含对成员自己操作的直接回复" in text
    # Unit-level only: no member's name or id anywhere in the digest.
    for uid in (1001, 2001, 3001):
        assert f"成员{uid}" not in text
        assert str(uid) not in text
