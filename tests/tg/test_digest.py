"""The weekly digest through the sandbox: /digest for leaders, the weekly job, the chart."""

from __future__ import annotations

import io
import warnings
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from matplotlib import image

from bot.services.digest import PeriodChoice
from bot.tg import callbacks as cb
from bot.tg.backup import BACKUP_JOB
from bot.tg.digest import DIGEST_JOB, deliver_weekly_digest, ptb_days
from tests.harness import LEADER, Harness, buttons, make_config
from tests.tg.digest_support import BANK, seed_activity, seed_members

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CADRE = 1001

# Every number below comes from tests/tg/digest_support.py (see the comments there).
LAST_WEEK_LINES = [
    "测试县应急管理局 · 清廉机关建设周报",
    "统计周期：2026-09-07 至 2026-09-13",
    "成员：在册 14 人，其中 13 人可正常接收消息",
    "全体：参与率 50%（7/14 人），较上周上升 21 个百分点；平均分 75，较上周 +12",
    "· 办公室：参与率 50%（3/6 人），较上周上升 17 个百分点；平均分 70，较上周 +20",
    "· 应急指挥科：参与率 60%（3/5 人），较上周上升 40 个百分点；平均分 71，较上周 −29",
    "· 安全生产监督管理科：<5 人，不单独统计比率",
    "薄弱知识点：廉洁自律（正确率 20%，10 次作答）、作风建设（正确率 50%，8 次作答）、"
    "纪律处分（正确率 83%，6 次作答）",
    "易错题：",
    "1. 党员干部可以接受管理服务对象赠送的购物卡。（正确率 20%，10 次作答）",
    "2. 政务处分只适用于公务员。（正确率 25%，4 次作答）",
    "3. 以文件落实文件属于形式主义。（正确率 50%，8 次作答）",
    "本期 1 次提醒，已发出 8 人次，已阅知悉 6 人次，知悉率 75%",
    "下一次：中秋节（2026-09-25 至 2026-09-27），提醒计划于 2026-09-22、2026-09-24 09:00 发送",
    "《测试题库》截止 2026-09-12：已完成 2/5 人（40%）",
    "《测试题库》截止 2026-09-18：对象 <5 人，不单独统计比率",
    "本期截至 2026-09-13 收到 3 件，办结 2 件；在办 4 件，其中超期 2 件"
    "（超过 5 个工作日未初核或 3 个月未办结；按日统计，不含今天）",
]


@pytest.fixture
async def digest_harness(harness: Harness, tmp_path: Path) -> Harness:
    """The bot on a four-question bank, digest on Fridays 17:30, with two weeks of activity."""
    banks = tmp_path / "banks"
    banks.mkdir()
    (banks / "digest-bank.yaml").write_text(BANK, encoding="utf-8")
    await harness.stop()
    harness.config = make_config(
        harness.sandbox,
        harness.db_path,
        quiz__content_dir=str(banks),
        digest__weekday="friday",
        digest__time="17:30",
    )
    await harness.start()
    await seed_members(harness.services.db)
    await seed_activity(harness.services.db)
    return harness


def _assert_png(data: bytes) -> None:
    assert data.startswith(PNG_SIGNATURE)
    pixels = image.imread(io.BytesIO(data), format="png")
    height, width = pixels.shape[:2]
    assert width >= 600
    assert height >= 400
    assert pixels.std() > 0.05  # not a blank canvas


async def test_leader_gets_last_weeks_digest_with_every_seeded_number(
    digest_harness: Harness,
) -> None:
    h = digest_harness
    h.user(LEADER, "李局长")
    [picker] = await h.send(LEADER, "/digest")
    assert [b["text"] for b in buttons(picker)] == ["本周（截至今日）", "上周"]
    before = len(h.sandbox.bot_messages(LEADER))
    text_message = await h.press(LEADER, picker, "上周")
    text = text_message["text"]
    for line in LAST_WEEK_LINES:
        assert line in text.splitlines(), f"missing line: {line}\n---\n{text}"
    # No count or rate of the three-member department leaks anywhere in the text.
    safety = next(line for line in text.splitlines() if "安全生产监督管理科" in line)
    assert "%" not in safety
    [photo] = h.sandbox.bot_messages(LEADER)[before:]
    assert photo["photo"] is not None
    assert "2026-09-07 至 2026-09-13" in photo["caption"]
    _assert_png(h.sandbox.file_bytes(photo["photo"]["file_id"]))


async def test_digest_chart_draws_every_label_with_a_cjk_font(
    digest_harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Every Chinese character of every label has a glyph in the font that drew it.

    This machine (and CI) has no CJK font installed: the font comes from the bot's own
    dependencies. A missing glyph would show as matplotlib's "Glyph … missing from font(s)"
    warning and as a character outside the font's character map.
    """
    from matplotlib.ft2font import FT2Font

    from bot.i18n import translator
    from bot.services.charts import cjk_font, render_chart

    services = digest_harness.services
    now = services.now()
    digest = await services.digest.build(services.digest.period(PeriodChoice.LAST_WEEK, now), now)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chart = render_chart(digest, translator("zh"))
    _assert_png(chart.png)
    labels = "".join(chart.texts)
    assert "安全生产监督管理科" in labels
    assert "近 8 周趋势" in labels
    assert "<5人" in labels
    _family, packaged = cjk_font()
    assert chart.fonts == {packaged}, "a label was drawn with another font"
    font = FT2Font(packaged)
    chinese = {c for c in labels if "\u4e00" <= c <= "\u9fff" or c in "，：（）"}
    assert len(chinese) > 30
    missing = sorted(c for c in set(labels) if not c.isspace() and not font.get_char_index(ord(c)))
    assert not missing, f"{packaged} has no glyph for {missing}"
    problems = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert not problems, problems
    assert not [r for r in caplog.records if "findfont" in r.getMessage()]


async def test_this_week_says_it_runs_to_today(digest_harness: Harness) -> None:
    h = digest_harness
    h.user(LEADER, "李局长")
    [picker] = await h.send(LEADER, "/digest")
    message = await h.press(LEADER, picker, "本周")
    assert (
        "统计周期：2026-09-14 至 2026-09-20（本周截至今日；"
        "与上周同期 2026-09-07 至 2026-09-13 比较）" in message["text"]
    )
    # 2004's session at 00:00:00 on Monday belongs to this week.
    assert "· 应急指挥科：参与率 20%（1/5 人）" in message["text"]
    assert h.last(LEADER)["photo"] is not None


async def test_cadre_is_refused_and_a_forged_digest_button_too(digest_harness: Harness) -> None:
    h = digest_harness
    await h.join(CADRE + 10000, "张干部")
    cadre = CADRE + 10000
    [reply] = await h.send(cadre, "/digest")
    assert "没有执行此操作的权限" in reply["text"]
    count = len(h.sandbox.bot_messages(cadre))
    await h.press_data(cadre, reply["message_id"], cb.DigestWeek("last").encode())
    assert "没有执行此操作的权限" in h.toasts(cadre)[-1]
    assert len(h.sandbox.bot_messages(cadre)) == count
    assert all(m["photo"] is None for m in h.sandbox.bot_messages(cadre))
    # A leader pressing a button with a period that does not exist is answered politely.
    h.user(LEADER, "李局长")
    [picker] = await h.send(LEADER, "/digest")
    await h.press_data(LEADER, picker["message_id"], "v1:dg:next")
    assert "已失效" in h.toasts(LEADER)[-1]


async def test_weekly_job_runs_on_the_configured_weekday_and_time(
    digest_harness: Harness,
) -> None:
    h = digest_harness
    assert h.app is not None
    assert h.app.job_queue is not None
    [job] = h.app.job_queue.get_jobs_by_name(DIGEST_JOB)
    local = job.next_t.astimezone(ZoneInfo("Asia/Shanghai"))
    assert local.strftime("%A %H:%M:%S") == "Friday 17:30:00"
    assert job.job.misfire_grace_time >= 3600
    # Whatever the real date is, it is the next Friday 17:30 in Shanghai, within a week.
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    assert 0 < (local - now).total_seconds() <= 7 * 86400


async def test_weekly_job_sends_text_and_chart_to_every_leader_who_has_not_left(
    digest_harness: Harness,
) -> None:
    h = digest_harness
    h.user(LEADER, "李局长")
    await h.send(LEADER, "/start")  # the configured leader joins
    granted, gone = h.user(1002, "王副局长"), h.user(1003, "前任")
    db = h.services.db
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO member_roles (user_id, role, granted_at) VALUES (?, 'leader', ?)",
            [(granted, "2026-09-01T00:00:00+00:00"), (gone, "2026-09-01T00:00:00+00:00")],
        )
        await tx.execute("UPDATE members SET status = 'left' WHERE user_id = ?", (gone,))
        await tx.execute("UPDATE members SET language = 'en' WHERE user_id = ?", (granted,))
    assert h.app is not None
    assert h.app.job_queue is not None
    [job] = h.app.job_queue.get_jobs_by_name(DIGEST_JOB)
    start = {u: len(h.sandbox.bot_messages(u)) for u in (LEADER, granted, gone)}
    await job.run(h.app)
    await h.settle()
    zh = h.sandbox.bot_messages(LEADER)[start[LEADER] :]
    en = h.sandbox.bot_messages(granted)[start[granted] :]
    # A digest that fits a photo caption (1024) comes as one photo, else as text and photo.
    for sent in (zh, en):
        assert sent[-1]["photo"] is not None
        assert len(sent) == (1 if sent[-1]["caption"] and len(sent[-1]["caption"]) > 200 else 2)
    # The job on Sunday 09-20 reports the seven days before: 09-13 … 09-19.
    zh_text = zh[0]["text"] or zh[0]["caption"]
    assert "统计周期：2026-09-13 至 2026-09-19" in zh_text
    # 1003 has left; the configured leader joined today, after the period: 13 members.
    assert "成员：在册 13 人" in zh_text
    assert "Period: 2026-09-13 to 2026-09-19" in (en[0]["text"] or en[0]["caption"])
    assert h.sandbox.bot_messages(gone)[start[gone] :] == []
    _assert_png(h.sandbox.file_bytes(zh[-1]["photo"]["file_id"]))
    # Called directly (as the job does), the count of leaders reached comes back.
    assert await deliver_weekly_digest(h.app.bot, h.services, h.services.now()) == 2


def test_ptb_counts_days_from_sunday() -> None:
    # Our config: 0 = Monday … 6 = Sunday. PTB's run_daily: 0 = Sunday … 6 = Saturday.
    assert [ptb_days(d) for d in range(7)] == [(1,), (2,), (3,), (4,), (5,), (6,), (0,)]


async def test_daily_backup_job_runs_at_the_configured_local_time(harness: Harness) -> None:
    assert harness.app is not None
    assert harness.app.job_queue is not None
    [job] = harness.app.job_queue.get_jobs_by_name(BACKUP_JOB)
    local = job.next_t.astimezone(ZoneInfo("Asia/Shanghai"))
    assert local.strftime("%H:%M:%S") == "03:00:00"
    assert 0 < (local - datetime.now(ZoneInfo("Asia/Shanghai"))).total_seconds() <= 86400


async def test_daily_backup_job_writes_a_verified_copy(harness: Harness, tmp_path: Path) -> None:
    await harness.stop()
    harness.config = make_config(
        harness.sandbox, harness.db_path, backup__dir=str(tmp_path / "backups"), backup__keep=1
    )
    await harness.start()
    assert harness.app is not None
    assert harness.app.job_queue is not None
    [job] = harness.app.job_queue.get_jobs_by_name(BACKUP_JOB)
    for _ in range(2):
        await job.run(harness.app)
        harness.clock.advance(days=1)
    [copy] = (tmp_path / "backups").iterdir()
    assert copy.name == "bot-20260921-100000+0800.db"  # the newer one stays (keep: 1)
