"""Attack: a reporter who is also in another conversation (an admin's unfinished /broadcast).

The broadcast conversation comes first in group 0. If it claims the reporter's messages, the
gate does not see them as a reporter's (so it may write the member row), and the description
can land in a broadcast draft.
"""

from __future__ import annotations

from tests.harness import ADMIN, REVIEWER, Harness, buttons
from tests.tg.report_support import BODY, batch, file_report


async def test_an_unfinished_broadcast_does_not_take_the_report(harness: Harness) -> None:
    h = harness
    await h.join(ADMIN, "王管理")
    [ask] = await h.send(ADMIN, "/broadcast")
    assert "通知" in ask["text"]
    replies = await h.send(ADMIN, "/report")
    [intro] = [m for m in replies if buttons(m)]
    assert "匿名反映" in intro["text"], replies
    message = await h.press(ADMIN, intro, "形式主义")
    message = await h.press(ADMIN, message, "办公室")
    replies = await h.send(ADMIN, BODY)
    assert not any("发给谁" in (m["text"] or "") for m in replies), replies
    assert not any(BODY in (m["text"] or "") for m in h.sandbox.bot_messages(ADMIN)), "echoed"


async def test_any_command_ends_an_open_broadcast_before_it_runs(harness: Harness) -> None:
    h = harness
    await h.join(ADMIN, "王管理")
    for command, answer in (("/status", "查询码"), ("/help", "/report"), ("/cancel", "已取消")):
        await h.send(ADMIN, "/broadcast")
        replies = await h.send(ADMIN, command)
        texts = [m["text"] or "" for m in replies]
        assert "已取消群发。" in texts, (command, texts)  # the draft is dropped, and said so
        assert any(answer in t for t in texts), (command, texts)
        if command == "/status":
            # The code-shaped answer that follows is /status's, never a notice.
            replies = await h.send(ADMIN, "ABCD-EFGH-JKMN-PQRS")
            assert not any("发给谁" in (m["text"] or "") for m in replies), replies
        replies = await h.send(ADMIN, "这段文字不是通知。")
        assert not any("发给谁" in (m["text"] or "") for m in replies), (command, replies)


async def test_a_command_ends_a_reviewers_note_and_the_report_text_is_no_note(
    harness: Harness,
) -> None:
    h = harness
    await h.join(REVIEWER, "赵纪检")
    await h.join(905, "戊干部")
    await file_report(h, 905)
    await batch(h)
    [overview] = await h.send(REVIEWER, "/reports")
    listing = await h.press(REVIEWER, overview, "新收到（1）")
    [ref] = [b["text"].split(" · ")[0] for b in buttons(listing) if " · " in b["text"]]
    card = await h.press(REVIEWER, listing, ref)
    await h.press(REVIEWER, card, "内部备注")
    replies = await h.send(REVIEWER, "/report")
    assert any("已取消，没有保存" in (m["text"] or "") for m in replies), replies
    [intro] = [m for m in replies if buttons(m)]
    message = await h.press(REVIEWER, intro, "形式主义")
    message = await h.press(REVIEWER, message, "办公室")
    description = "另一件事：会议纪要要求手写三遍，耗时耗力，影响正常工作。"
    replies = await h.send(REVIEWER, description)
    assert not any("备注已保存" in (m["text"] or "") for m in replies), replies
    view = await h.services.reports.view(ref)
    assert view is not None
    assert view.notes == [], view.notes
