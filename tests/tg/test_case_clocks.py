"""Case clocks through the sandbox: a report's age in working days on its card, the reviewers'
reminder (once per report and target, through the delivery engine, at the fixed daily time),
and the digest's overdue count by the targets."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.tg.case_clock_jobs import CASE_CLOCK_JOB
from tests.harness import LEADER, REVIEWER, Harness
from tests.tg.report_support import BODY

TZ = ZoneInfo("Asia/Shanghai")


def local(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=TZ).astimezone(UTC)


async def _filed_on(h: Harness, when: datetime) -> str:
    """A report received (and announced to reviewers) on that day, as storage holds it; its ref.

    Written straight into the database: the harness clock starts in September, and the
    reporter-write ticks never run backwards.
    """
    ref = "CLK001"
    async with h.services.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO reports (id, ref, receipt_hash, category, unit, body, status, "
            "submitted_on, notified) VALUES (7, ?, 'hash', 'formalism', '办公室', ?, 'new', ?, 1)",
            (ref, BODY, when.astimezone(TZ).date().isoformat()),
        )
    return ref


async def _card(h: Harness, ref: str) -> str:
    [overview] = await h.send(REVIEWER, "/reports")
    listing = await h.press(REVIEWER, overview, "新收到")
    card = await h.press(REVIEWER, listing, ref)
    return card["text"]


async def _run_clock_job(h: Harness) -> None:
    assert h.app is not None
    assert h.app.job_queue is not None
    [job] = h.app.job_queue.get_jobs_by_name(CASE_CLOCK_JOB)
    await job.run(h.app)


async def _campaign_keys(h: Harness) -> list[str]:
    rows = await h.services.db.fetchall(
        "SELECT key FROM campaigns WHERE key LIKE 'case-clock:%' ORDER BY key"
    )
    return [r["key"] for r in rows]


async def test_a_card_counts_working_days_across_the_spring_festival(harness: Harness) -> None:
    h = harness
    await h.join(REVIEWER, "赵纪检")
    ref = await _filed_on(h, local(2, 12))  # Thursday before 春节
    h.clock.now = local(3, 2)
    text = await _card(h, ref)
    # 02-13, make-up Saturday 02-14, 02-24 … 02-27, make-up Saturday 02-28, 03-02.
    assert "已在办 8 个工作日" in text
    assert "初核期限：2026-02-26（收到后第 5 个工作日）（已超期）" in text
    assert "办结期限：2026-05-12（收到后 3 个月）" in text
    assert "推算" not in text  # 2026 is on the official schedule
    row = await h.services.db.fetchone("SELECT submitted_on FROM reports WHERE ref = ?", (ref,))
    assert row["submitted_on"] == "2026-02-12"  # a date only: the age comes from it


async def test_reviewers_are_reminded_once_per_report_and_target_at_the_fixed_time(
    harness: Harness,
) -> None:
    h = harness
    await h.join(REVIEWER, "赵纪检")
    ref = await _filed_on(h, local(2, 12))
    assert h.app is not None
    [job] = h.app.job_queue.get_jobs_by_name(CASE_CLOCK_JOB)
    assert job.next_t.astimezone(TZ).strftime("%H:%M:%S") == "09:00:00"

    h.clock.now = local(2, 24, 9)  # two working days before the review target: not yet
    await _run_clock_job(h)
    assert await _campaign_keys(h) == []

    h.clock.now = local(2, 25, 9)  # one working day before 02-26
    before = len(h.sandbox.bot_messages(REVIEWER))
    await _run_clock_job(h)
    expected = (
        f"反映 {ref} 的初核期限 2026-02-26 将至（收到后第 5 个工作日），目前已在办 4 个工作日"
    )
    await h.sandbox.wait_for(
        lambda: any(expected in m["text"] for m in h.sandbox.bot_messages(REVIEWER)), timeout=10
    )
    [reminder] = [m for m in h.sandbox.bot_messages(REVIEWER)[before:] if ref in m["text"]]
    assert BODY not in reminder["text"]  # counts and refs only
    assert await _campaign_keys(h) == [f"case-clock:{ref}:review"]

    # Again the next day: the same target reminds no more.
    h.clock.now = local(2, 26, 9)
    await _run_clock_job(h)
    await h.settle()
    assert await _campaign_keys(h) == [f"case-clock:{ref}:review"]
    assert sum(ref in m["text"] for m in h.sandbox.bot_messages(REVIEWER)[before:]) == 1

    # Near the closure target (three months), the other clock reminds once.
    h.clock.now = local(5, 11, 9)
    await _run_clock_job(h)
    assert await _campaign_keys(h) == [f"case-clock:{ref}:close", f"case-clock:{ref}:review"]


async def test_the_digest_counts_overdue_reports_by_the_targets(harness: Harness) -> None:
    h = harness
    await h.join(REVIEWER, "赵纪检")
    await _filed_on(h, local(2, 12))
    clocks = h.services.case_clocks
    assert await clocks.overdue_count(local(2, 26).date()) == 0  # due that very day
    assert await clocks.overdue_count(local(2, 27).date()) == 1
    h.clock.now = local(3, 2)  # Monday: last week is 02-23 … 03-01
    h.user(LEADER, "李局长")
    [picker] = await h.send(LEADER, "/digest")
    message = await h.press(LEADER, picker, "上周")
    assert (
        "本期截至 2026-03-01 收到 0 件，办结 0 件；在办 1 件，其中超期 1 件"
        "（超过 5 个工作日未初核或 3 个月未办结；按日统计，不含今天）"
    ) in message["text"]
