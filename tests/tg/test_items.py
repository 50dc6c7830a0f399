"""Question quality in the bot: /items for admins, and the weekly notice through the engine."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.tg.quiz_jobs import ITEMS_JOB
from tests.harness import ADMIN, Harness, make_config
from tests.services.items_support import BANK, STRONG, seed_scenario

CADRE = 701
# Monday 2026-09-21 08:00 Asia/Shanghai: the digest's default weekday and time.
NOTICE_AT = datetime(2026, 9, 21, 0, 0, tzinfo=UTC)


@pytest.fixture
async def quality(harness: Harness, tmp_path: Path) -> Harness:
    """The bot on the item-analysis bank, with a week of seeded first attempts."""
    banks = tmp_path / "banks"
    banks.mkdir()
    (banks / "item-bank.yaml").write_text(BANK, encoding="utf-8")
    await harness.stop()
    harness.config = make_config(harness.sandbox, harness.db_path, quiz__content_dir=str(banks))
    await harness.start()
    await harness.join(ADMIN, "王管理")
    await harness.join(CADRE, "张干部")
    await seed_scenario(harness.services.db)
    return harness


async def test_items_lists_the_flagged_questions_for_admins_only(quality: Harness) -> None:
    h = quality
    [listing] = await h.send(ADMIN, "/items")
    text = listing["text"]
    assert "题目质量分析" in text
    assert "目前 12 道" in text
    assert "需要修订的题目 3 道" in text
    assert text.index("q-reversed") < text.index("q-hard") < text.index("q-easy")
    assert "首次作答 40 人次 · 答对率 50% · 区分度 -" in text
    assert "区分度低（低于 0.15" in text
    assert "过难（答对率低于 20%" in text
    assert "q-good" not in text
    assert "python -m bot export items" in text
    # Questions, never people.
    assert not any(f"成员{m}" in text for m in STRONG)

    await h.services.membership.set_language(ADMIN, "en", h.clock.now)
    [english] = await h.send(ADMIN, "/items")
    assert "3 questions need revision" in english["text"]
    assert "40 first attempts · facility 50% · discrimination -" in english["text"]

    [refused] = await h.send(CADRE, "/items")
    assert "没有执行此操作的权限" in refused["text"]
    [help_cadre] = await h.send(CADRE, "/help")
    assert "/items" not in help_cadre["text"]
    [help_admin] = await h.send(ADMIN, "/help")
    assert "/items" in help_admin["text"]


async def test_items_says_so_when_nothing_needs_revision(harness: Harness) -> None:
    h = harness
    await h.join(ADMIN, "王管理")
    [listing] = await h.send(ADMIN, "/items")
    assert "暂无需要修订的题目" in listing["text"]
    assert "目前 0 道" in listing["text"]


async def _run_notice(h: Harness) -> None:
    assert h.app is not None
    [job] = h.app.job_queue.get_jobs_by_name(ITEMS_JOB)
    await job.run(h.app)


async def test_weekly_notice_goes_to_admins_through_the_delivery_engine(quality: Harness) -> None:
    h = quality
    assert h.app is not None
    [job] = h.app.job_queue.get_jobs_by_name(ITEMS_JOB)
    local = job.next_t.astimezone(h.config.timezone)
    assert (local.isoweekday(), local.hour, local.minute) == (1, 8, 0)

    h.clock.now = NOTICE_AT
    await _run_notice(h)
    await _run_notice(h)  # a second run the same day creates nothing
    await h.sandbox.wait_for(
        lambda: any("题目质量周报" in m["text"] for m in h.sandbox.bot_messages(ADMIN)),
        timeout=10,
    )
    [notice] = [m for m in h.sandbox.bot_messages(ADMIN) if "题目质量周报" in m["text"]]
    assert "本周新增 3 道需要修订的题目" in notice["text"]
    assert "目前共 3 道待修订，发送 /items 查看全部" in notice["text"]
    assert not any("题目质量周报" in m["text"] for m in h.sandbox.bot_messages(CADRE))
    rows = await h.services.db.fetchall("SELECT key FROM campaigns WHERE kind = 'items'")
    assert [r["key"] for r in rows] == ["items:2026-09-21"]

    # Next Monday nothing new was flagged: no message at all.
    h.clock.now = NOTICE_AT.replace(day=28)
    await _run_notice(h)
    rows = await h.services.db.fetchall("SELECT key FROM campaigns WHERE kind = 'items'")
    assert len(rows) == 1
