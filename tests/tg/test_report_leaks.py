"""Attacks through the smaller leaks: a receipt code landing in another input or staying in a
chat, the receipt and the reporter's messages left on a phone, forged reviewer lines in a thread,
a draft kept alive by a missed timer, and a graceful stop with reports still queued."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.logs import quiet_libraries
from tests.harness import ADMIN, REVIEWER, Harness, buttons
from tests.tg.report_support import (
    BODY,
    CODE_RE,
    all_rows,
    batch,
    file_report,
    png,
    tick,
)

REPORTER = 761


def _live(h: Harness, chat: int) -> list[dict[str, Any]]:
    """What the chat shows now (deleted messages gone), the member's and the bot's."""
    return [m for m in h.sandbox.messages(chat) if not m["deleted"]]


def _spans(message: dict[str, Any], kind: str) -> list[str]:
    """The text each entity of `kind` covers (offsets count UTF-16 units, as Telegram's do)."""
    units = message["text"].encode("utf-16-le")
    return [
        units[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in message["entities"]
        if e["type"] == kind
    ]


async def test_a_code_typed_during_a_broadcast_draft_goes_only_to_status(
    harness: Harness,
) -> None:
    h = harness
    await h.join(ADMIN, "王管理")
    code = await file_report(h, ADMIN)
    earlier = {m["message_id"] for m in h.sandbox.messages(ADMIN)}
    [ask] = await h.send(ADMIN, "/broadcast")
    assert "通知" in ask["text"]
    # Unfinished broadcast; the admin checks the report in between: /status ends the draft.
    [dropped, asked] = await h.send(ADMIN, "/status")
    assert "已取消群发" in dropped["text"]
    assert "查询码" in asked["text"]
    [view] = await h.send(ADMIN, code)
    assert "反映办理情况" in view["text"]
    [ask] = await h.send(ADMIN, "/broadcast")
    # A code typed while only the broadcast asks for text: deleted, never taken, never echoed.
    [told] = await h.send(ADMIN, code.replace("-", " "))
    assert "看起来像查询码，已删除" in told["text"]
    for message in h.sandbox.messages(ADMIN):
        if message["message_id"] in earlier:
            continue  # the receipt itself
        text = (message["text"] or "").replace(" ", "-")
        if not message["from_bot"] and code in text:
            assert message["deleted"], text
        if message["from_bot"] and not message["deleted"]:
            assert code not in text, text  # no echo, no preview with the code
    # The broadcast draft still takes its real text afterwards.
    [audience] = await h.send(ADMIN, "明天上午九点召开廉政警示教育大会。")
    assert "发给谁" in audience["text"]


async def test_a_code_typed_for_a_reviewers_note_is_not_saved_as_the_note(
    harness: Harness,
) -> None:
    h = harness
    await h.join(REVIEWER, "赵纪检")
    code = await file_report(h, REVIEWER)
    await batch(h)
    ref = (await h.services.db.fetchone("SELECT ref FROM reports"))["ref"]
    [overview] = await h.send(REVIEWER, "/reports")
    listing = await h.press(REVIEWER, overview, "新收到（1）")
    card = await h.press(REVIEWER, listing, ref)
    await h.press(REVIEWER, card, "内部备注")
    [told] = await h.send(REVIEWER, code)
    assert "看起来像查询码，已删除" in told["text"]
    assert (await h.services.db.fetchone("SELECT COUNT(*) FROM report_notes"))[0] == 0
    [saved, _card] = await h.send(REVIEWER, "已约谈科室负责人。")  # the note still works
    assert "备注已保存" in saved["text"]


async def test_a_code_sent_anywhere_but_status_is_deleted(harness: Harness) -> None:
    h = harness
    await h.join(REPORTER, "张干部")
    code = await file_report(h, REPORTER)
    [told] = await h.send(REPORTER, f"我的查询码是 {code}")
    assert "/status" in told["text"]
    [intro] = await h.send(REPORTER, "/report")
    message = await h.press(REPORTER, intro, "形式主义")
    await h.press(REPORTER, message, "办公室")
    [told] = await h.send(REPORTER, code)  # typed where the description is expected
    assert "看起来像查询码，已删除" in told["text"]
    [prompt] = await h.send(REPORTER, BODY)  # the draft goes on, without the code
    assert "最多 5 个" in prompt["text"]
    typed = [m for m in h.sandbox.messages(REPORTER) if not m["from_bot"] and code in m["text"]]
    assert len(typed) == 2
    assert all(m["deleted"] for m in typed)
    rows = all_rows(h.db_path)
    assert not any(code in str(r) for table in rows.values() for r in table)
    # An earlier message edited so that it carries the code is deleted too.
    earlier = [m for m in h.sandbox.messages(REPORTER) if m["text"] == BODY][-1]
    await h.edit(REPORTER, earlier["message_id"], f"{BODY} {code}")
    assert h.message(REPORTER, earlier["message_id"])["deleted"]


async def test_the_receipt_is_protected_and_the_conversation_can_be_wiped(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    await h.join(REPORTER, "张干部")
    h.user(REPORTER, "改过的名字")  # a name change the buttons must not write either
    before = all_rows(h.db_path)["members"]
    caplog.set_level(logging.DEBUG)
    quiet_libraries()
    caplog.clear()
    code = await file_report(h, REPORTER, photos=1)
    [receipt] = [m for m in _live(h, REPORTER) if code in (m["text"] or "")]
    assert receipt["protected"]
    assert [b["text"] for b in buttons(receipt)] == [
        "✅ 已抄写，删除本条",
        "🧹 删除本次对话中的消息",
    ]
    await h.press(REPORTER, receipt, "删除本次对话")
    # Everything of the conversation is gone from the chat but the receipt, which keeps
    # only 已抄写.
    [left] = _live(h, REPORTER)[-1:]
    assert left["message_id"] == receipt["message_id"]
    assert BODY not in " ".join(m["text"] or "" for m in _live(h, REPORTER))
    assert not any(m["photo"] for m in _live(h, REPORTER))
    assert [b["text"] for b in buttons(h.message(REPORTER, receipt["message_id"]))] == [
        "✅ 已抄写，删除本条"
    ]
    await h.press(REPORTER, h.message(REPORTER, receipt["message_id"]), "已抄写")
    assert h.message(REPORTER, receipt["message_id"])["deleted"]
    assert not any(code in (m["text"] or "") for m in _live(h, REPORTER))
    # /status offers the same for its view.
    [view] = await h.send(REPORTER, f"/status {code}")
    await h.press(REPORTER, view, "删除本次对话")
    assert h.message(REPORTER, view["message_id"])["deleted"]
    assert all_rows(h.db_path)["members"] == before
    assert [r.getMessage() for r in caplog.records] == []


async def test_a_button_nothing_claims_on_the_receipt_writes_nothing_about_the_presser(
    harness: Harness,
) -> None:
    """A press on the receipt that no report handler claims (a button from an older version,
    a forged one) is still a reporter's action: the gate must not write the name change."""
    h = harness
    await h.join(REPORTER, "张干部")
    code = await file_report(h, REPORTER)
    [receipt] = [m for m in _live(h, REPORTER) if code in (m["text"] or "")]
    h.user(REPORTER, "改过的名字")
    before = all_rows(h.db_path)["members"]
    await h.press_data(REPORTER, receipt["message_id"], "v0:rcpt:old")
    assert all_rows(h.db_path)["members"] == before
    # The same press on a message without a code is an ordinary member's: the name is kept.
    [menu] = await h.send(REPORTER, "/help")
    await h.press_data(REPORTER, menu["message_id"], "v0:rcpt:old")
    assert all_rows(h.db_path)["members"] != before


@pytest.mark.parametrize("data", ["v0:rpa:1", "v0:rpz:1", "v9:rpc:misconduct", "v0:rpr"])
async def test_a_reporters_button_from_another_version_writes_nothing_about_the_presser(
    harness: Harness, data: str
) -> None:
    """After an upgrade changes the callback version, a reporter's old buttons (on a /status
    view, the information-saved reply: no code in their text) are still a reporter's."""
    h = harness
    await h.join(REPORTER, "张干部")
    code = await file_report(h, REPORTER)
    [view] = await h.send(REPORTER, f"/status {code}")
    assert code not in (view["text"] or "")
    h.user(REPORTER, "改过的名字")
    before = all_rows(h.db_path)["members"]
    await h.press_data(REPORTER, view["message_id"], data)
    assert all_rows(h.db_path)["members"] == before


async def test_a_reporter_cannot_forge_a_reviewers_line_in_the_thread(harness: Harness) -> None:
    h = harness
    await h.join(REVIEWER, "赵纪检")
    await h.join(REPORTER, "张干部")
    code = await file_report(h, REPORTER)
    await batch(h)
    ref = (await h.services.db.fetchone("SELECT ref FROM reports"))["ref"]
    assert await h.services.reports.reply(ref, REVIEWER, "请补充时间。", h.clock.now)
    forged = "好的。\n纪检监察组（2026-09-20）：经核查反映不属实，请勿再反映。"
    [view] = await h.send(REPORTER, f"/status {code}")
    await h.press(REPORTER, view, "补充信息")
    await h.send(REPORTER, forged)
    await tick(h)
    await batch(h)
    [view] = await h.send(REPORTER, f"/status {code}")
    # One bold label per real message; the forged "label" sits inside the reporter's quote.
    labels = [s for s in _spans(view, "bold") if "（" in s]
    assert labels == ["纪检监察组（2026-09-20）：", "你的补充（2026-09-20）："]
    [real, mine] = _spans(view, "blockquote")
    assert real == "请补充时间。"
    assert "经核查反映不属实" in mine
    # The reviewers' card renders the thread the same way.
    [overview] = await h.send(REVIEWER, "/reports")
    listing = await h.press(REVIEWER, overview, "新收到（1）")
    card = await h.press(REVIEWER, listing, ref)
    assert [s for s in _spans(card, "bold") if s.startswith(("→", "←"))] == [
        "→ 纪检监察组（2026-09-20）：",
        "← 反映人（2026-09-20）：",
    ]
    assert any("经核查反映不属实" in s for s in _spans(card, "blockquote"))


async def test_an_idle_draft_expires_without_a_timer_job_or_a_log_line(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    assert h.app is not None
    await h.join(REPORTER, "张干部")
    caplog.set_level(logging.DEBUG)
    quiet_libraries()
    caplog.clear()
    [intro] = await h.send(REPORTER, "/report")
    message = await h.press(REPORTER, intro, "形式主义")
    await h.press(REPORTER, message, "办公室")
    # No per-conversation timer (PTB's has a 1 s misfire grace and logs the missed time).
    timers = [j for j in h.app.job_queue.jobs() if j.callback.__name__ == "_trigger_timeout"]
    assert timers == []
    h.clock.advance(minutes=31)
    await tick(h)  # the tick sweeps idle drafts out of memory
    assert "report_draft" not in h.app.user_data[REPORTER]
    [expired] = await h.send(REPORTER, BODY)
    assert "超过 30 分钟没有完成" in expired["text"]
    assert (await h.services.db.fetchone("SELECT COUNT(*) FROM reports"))[0] == 0
    assert [r.getMessage() for r in caplog.records] == []
    # A code typed long after /status asked for it is still deleted (and looked up).
    code = await file_report(h, REPORTER)
    await h.send(REPORTER, "/status")
    h.clock.advance(minutes=45)
    await tick(h)  # (past the full hour: the batch's own log line)
    caplog.clear()
    [view] = await h.send(REPORTER, code)
    assert "反映办理情况" in view["text"]
    typed = [m for m in h.sandbox.messages(REPORTER) if m["text"] == code]
    assert typed
    assert all(m["deleted"] for m in typed)
    assert [r.getMessage() for r in caplog.records] == []


async def test_a_graceful_stop_stores_what_is_queued_and_sends_the_code(harness: Harness) -> None:
    h = harness
    await h.join(REPORTER, "张干部")
    [intro] = await h.send(REPORTER, "/report")
    message = await h.press(REPORTER, intro, "形式主义")
    message = await h.press(REPORTER, message, "办公室")
    await h.send(REPORTER, BODY)
    await h.send_file(REPORTER, png(), "a.png")
    preview = await h.press(REPORTER, h.last(REPORTER), "完成")
    await h.press(REPORTER, preview, "确认提交")
    assert (await h.services.db.fetchone("SELECT COUNT(*) FROM reports"))[0] == 0
    await h.restart()  # before the next tick
    assert (await h.services.db.fetchone("SELECT COUNT(*) FROM reports"))[0] == 1
    assert CODE_RE.search(h.last(REPORTER)["text"])
