"""/broadcast end to end: text → audience → preview → confirm → progress → report."""

from __future__ import annotations

from bot.tg import callbacks as cb
from tests.harness import ADMIN, Harness, buttons
from tests.tg.delivery_support import drain, seed_members

CADRE = 555
TEXT = "明天<8点>在三楼开会 & 请带笔记本"


async def _campaigns(h: Harness) -> list[tuple[str, int | None]]:
    rows = await h.services.db.fetchall("SELECT kind, created_by FROM campaigns ORDER BY id")
    return [(r["kind"], r["created_by"]) for r in rows]


def _edits(h: Harness, chat_id: int, since: int) -> int:
    calls = h.sandbox.calls[since:]
    return sum(1 for _, method, chat in calls if (method, chat) == ("editMessageText", chat_id))


async def test_admin_broadcasts_to_everyone_and_watches_progress_to_the_report(
    harness: Harness,
) -> None:
    h = harness
    await h.join(ADMIN, "王管理")
    members = await seed_members(h.services.db, h.sandbox, range(1001, 1101), department="command")

    [prompt] = await h.send(ADMIN, "/broadcast")
    assert "群发通知" in prompt["text"]
    [ask] = await h.send(ADMIN, TEXT)
    assert ask["text"] == "发给谁？"
    assert [b["text"] for b in buttons(ask)] == [
        "全体成员",
        "办公室",
        "应急指挥科",
        "安全生产监督管理科",
        "领导",
        "纪检监察组",
        "管理员",
    ]

    preview = await h.press(ADMIN, ask, "全体成员")
    assert preview["text"] == TEXT  # escaped on the way in, shown exactly as typed
    assert [b["text"] for b in buttons(preview)] == [
        "已阅知悉",
        "✅ 发送给全体成员（101 人）",
        "取消",
    ]
    await h.press(ADMIN, preview, "已阅知悉")
    assert h.toasts(ADMIN)[-1] == "这是预览；正式消息中的按钮可用。"

    # The admin typed faster than Telegram's ~1 message/s per chat allows; from here on the
    # bot alone decides the pace, and the sandbox enforces the limits.
    h.sandbox.reset_stats()
    h.sandbox.set_limits(enforce=True)
    calls_before = len(h.sandbox.calls)
    sending = await h.press(ADMIN, preview, "发送给")
    assert "正在发送" in sending["text"]
    assert "剩余 101" in sending["text"]
    await drain(h)

    report = h.message(ADMIN, preview["message_id"])
    assert report["text"].splitlines() == [
        "✅ 发送完成（共 101 人）",
        "已发出：101（Telegram 已接收；它不回告是否送达、是否阅读）",
        "失败：0",
        "已屏蔽机器人：0",
        "结果不明（未重发）：0",
        "已退出：0",
        "已阅知悉：0 人（只计人数，不列姓名）",
    ]
    assert [b["text"] for b in buttons(report)] == ["🔄 刷新"]
    # Confirm edit, at least one progress edit while ~3.5 s of sending, the final report.
    assert _edits(h, ADMIN, calls_before) >= 3
    for user_id in [*members, ADMIN]:
        [notice] = [m for m in h.sandbox.bot_messages(user_id) if m["text"] == TEXT]
        assert [b["text"] for b in buttons(notice)] == ["已阅知悉"]
    assert await _campaigns(h) == [("notice", ADMIN)]
    stats = h.sandbox.stats()
    assert stats["rejected_429"] == 0
    assert stats["max_chat_rate"] <= 1
    h.sandbox.set_limits(enforce=False)
    # Three members acknowledge; the refresh shows the count (a number, never names).
    for user_id in members[:3]:
        [notice] = [m for m in h.sandbox.bot_messages(user_id) if m["text"] == TEXT]
        await h.press(user_id, notice, "已阅知悉")
    refreshed = await h.press(ADMIN, report, "刷新")
    assert "已阅知悉：3 人（只计人数，不列姓名）" in refreshed["text"]
    assert "已更新" in h.toasts(ADMIN)[-1]
    assert not any(f"成员{uid}" in refreshed["text"] for uid in members)
    assert [b["text"] for b in buttons(refreshed)] == ["🔄 刷新"]
    # A refresh pressed by someone who is not an admin is refused.
    [own] = [m for m in h.sandbox.bot_messages(members[0]) if m["text"] == TEXT]
    await h.press_data(members[0], own["message_id"], buttons(report)[0]["callback_data"])
    assert "没有执行此操作的权限" in h.toasts(members[0])[-1]


async def test_broadcast_to_one_department_counts_only_its_members(harness: Harness) -> None:
    h = harness
    await h.join(ADMIN, "王管理")
    safety = await seed_members(h.services.db, h.sandbox, range(1201, 1204), department="safety")
    command = await seed_members(h.services.db, h.sandbox, range(1301, 1306), department="command")
    await h.send(ADMIN, "/broadcast")
    [ask] = await h.send(ADMIN, "安全检查通知")
    preview = await h.press(ADMIN, ask, "安全生产监督管理科")
    assert "（3 人）" in buttons(preview)[1]["text"]
    await h.press(ADMIN, preview, "发送给")
    await drain(h)
    reached = [u for u in [*safety, *command] if h.sandbox.bot_messages(u)]
    assert reached == safety


async def test_cancel_works_at_every_step(harness: Harness) -> None:
    h = harness
    await h.join(ADMIN, "王管理")
    await h.send(ADMIN, "/broadcast")
    [cancelled] = await h.send(ADMIN, "/cancel")
    assert cancelled["text"] == "已取消群发。"

    await h.send(ADMIN, "/broadcast")
    [ask] = await h.send(ADMIN, "草稿")
    [cancelled] = await h.send(ADMIN, "/cancel")
    assert cancelled["text"] == "已取消群发。"
    await h.press(ADMIN, ask, "全体成员")
    assert h.toasts(ADMIN)[-1] == "这份群发草稿已失效，请重新发送 /broadcast。"

    await h.send(ADMIN, "/broadcast")
    [ask] = await h.send(ADMIN, "又一份草稿")
    preview = await h.press(ADMIN, ask, "全体成员")
    dropped = await h.press(ADMIN, preview, "取消")
    assert dropped["text"] == "已取消群发。"
    assert await _campaigns(h) == []


async def test_too_long_text_is_refused_with_the_limit(harness: Harness) -> None:
    h = harness
    await h.join(ADMIN, "王管理")
    await h.send(ADMIN, "/broadcast")
    [reply] = await h.send(ADMIN, "长" * 3501)
    assert "3501" in reply["text"]
    assert "3500" in reply["text"]


async def test_non_admin_cannot_broadcast_even_with_forged_buttons(harness: Harness) -> None:
    h = harness
    await h.join(ADMIN, "王管理")
    await h.join(CADRE, "普通干部")
    [refused] = await h.send(CADRE, "/broadcast")
    assert refused["text"] == "你没有执行此操作的权限。"
    [own] = h.sandbox.bot_messages(CADRE)[:1]
    for data in (cb.BroadcastAudience("all", "-"), cb.BroadcastConfirm(True)):
        await h.press_data(CADRE, own["message_id"], data.encode())
    assert h.toasts(CADRE) == ["你没有执行此操作的权限。"] * 2
    assert await _campaigns(h) == []


async def test_a_stale_confirm_after_restart_sends_nothing(harness: Harness) -> None:
    h = harness
    await h.join(ADMIN, "王管理")
    await h.send(ADMIN, "/broadcast")
    [ask] = await h.send(ADMIN, "重启前的草稿")
    preview = await h.press(ADMIN, ask, "全体成员")
    await h.restart()  # drafts live in memory only
    await h.press(ADMIN, preview, "发送给")
    assert h.toasts(ADMIN)[-1] == "这份群发草稿已失效，请重新发送 /broadcast。"
    assert await _campaigns(h) == []
