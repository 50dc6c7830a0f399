"""Attack: a reviewer's own messages place a reporter's addition closer than the hourly batch.

A reporter's added information is stored at a write tick but shown to reviewers only after the
hourly batch. Its place in the thread, though, is fixed when it is stored (`seq` is MAX + 1 at
the tick), and reviewers' messages are written at once. A reviewer who writes to the reporter
every few minutes sees, after the batch, between which two of their own messages the addition
sits: that is the write tick that stored it, 10 minutes, not the hour the README promises for
what a reviewer's screen shows.
"""

from __future__ import annotations

from bot.tg import callbacks as cb
from tests.harness import REVIEWER, Harness
from tests.tg.report_support import batch, file_report, tick

CADRE = 771


async def reviewer_writes(h: Harness, ref: str, text: str) -> None:
    """The reviewer opens the card, presses 回复反映人 and types `text`."""
    [overview] = await h.send(REVIEWER, "/reports")
    card = await h.press_data(REVIEWER, overview["message_id"], cb.ReportOpen(ref).encode())
    await h.press_data(REVIEWER, card["message_id"], cb.ReportReply(ref).encode())
    replies = await h.send(REVIEWER, text)
    assert any("留言已保存" in (m["text"] or "") for m in replies), replies


async def card_text(h: Harness, ref: str) -> str:
    [overview] = await h.send(REVIEWER, "/reports")
    card = await h.press_data(REVIEWER, overview["message_id"], cb.ReportOpen(ref).encode())
    return card["text"] or ""


async def test_the_thread_does_not_place_an_addition_between_reviewer_messages(
    harness: Harness,
) -> None:
    h = harness
    await h.join(REVIEWER, "赵纪检")
    await h.join(CADRE, "张干部")
    code = await file_report(h, CADRE)
    await batch(h)  # 11:00, announced
    ref = (await h.services.db.fetchone("SELECT ref FROM reports"))["ref"]

    h.clock.advance(minutes=5)  # 11:05
    await reviewer_writes(h, ref, "第一条：已收到。")
    h.clock.advance(minutes=7)  # 11:12, the reporter adds information
    [view] = await h.send(CADRE, f"/status {code}")
    await h.press(CADRE, view, "补充信息")
    await h.send(CADRE, "补充信息：每周一都要报。")
    h.clock.advance(minutes=8)  # 11:20, the tick stores it
    await tick(h)
    h.clock.advance(minutes=5)  # 11:25
    await reviewer_writes(h, ref, "第二条：正在核查。")
    h.clock.advance(minutes=10)  # 11:35
    await reviewer_writes(h, ref, "第三条：请耐心等待。")
    await batch(h)  # 12:00: the addition is announced now

    text = await card_text(h, ref)
    print(text)
    first, addition = text.index("第一条"), text.index("补充信息：每周一")
    second, third = text.index("第二条"), text.index("第三条")
    # Shown only at 12:00, it must not sit between 11:05 and 11:25 (the tick of 11:20).
    assert not (first < addition < second < third), text
    # It takes its place when the batch announces it: after every message written before.
    assert first < second < third < addition, text
