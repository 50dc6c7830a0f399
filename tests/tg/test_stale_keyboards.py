"""Buttons that lead nowhere once their step is done do not stay under old messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.harness import Harness, buttons
from tests.tg.report_support import BODY, file_report, png, tick
from tests.tg.test_quiz import CADRE, _answer, restart_on_bank

REPORTER = 58123467  # also the member who takes the quiz below


def labels(message: dict[str, Any]) -> list[str]:
    """The texts of a message's inline buttons."""
    return [b["text"] for b in buttons(message)]


async def test_only_the_newest_attachment_answer_keeps_its_done_button(harness: Harness) -> None:
    h = harness
    await h.join(REPORTER, "张举报人")
    [intro] = await h.send(REPORTER, "/report")
    message = await h.press(REPORTER, intro, "形式主义")
    message = await h.press(REPORTER, message, "办公室")
    [ask] = await h.send(REPORTER, BODY)
    assert labels(ask) == ["完成"]
    [_copy, first] = await h.send_file(REPORTER, png(), "a.png", kind="photo")
    # The question's 完成 went when the first attachment's answer brought its own.
    assert buttons(h.message(REPORTER, ask["message_id"])) == []
    assert labels(first) == ["完成"]
    [_copy, second] = await h.send_file(REPORTER, png(), "b.png", kind="photo")
    assert buttons(h.message(REPORTER, first["message_id"])) == []
    assert labels(second) == ["完成"]
    # A text in between answers without a button and leaves the newest 完成 where it is.
    [hint] = await h.send(REPORTER, "还有一张")
    assert buttons(hint) == []
    assert labels(h.message(REPORTER, second["message_id"])) == ["完成"]
    preview = await h.press(REPORTER, second, "完成")
    assert "完成" not in labels(preview)
    assert any("确认提交" in label for label in labels(preview))
    # In the whole chat, no 完成 is left once the preview is shown.
    assert not any("完成" in label for m in h.sandbox.bot_messages(REPORTER) for label in labels(m))


async def test_added_information_takes_its_button_off_the_status_view(harness: Harness) -> None:
    h = harness
    await h.join(REPORTER, "张举报人")
    code = await file_report(h, REPORTER)
    await h.send(REPORTER, "/status")
    [view] = await h.send(REPORTER, code)
    assert any("补充信息" in label for label in labels(view))
    after = await h.press(REPORTER, view, "补充信息")
    # The view keeps only what still works: deleting the conversation from the chat.
    assert labels(after) == ["🧹 删除本次对话中的消息"]
    assert "请发送一条文字消息补充信息" in h.last(REPORTER)["text"]
    await h.send(REPORTER, "是九月第二周。")
    await tick(h)
    assert "已补充" in h.last(REPORTER)["text"]
    # The cleanup button under the view still does what it says.
    await h.press(REPORTER, h.message(REPORTER, view["message_id"]), "删除本次对话")
    assert h.message(REPORTER, view["message_id"])["deleted"]


async def test_cancel_takes_the_done_button_away_with_the_draft(harness: Harness) -> None:
    h = harness
    await h.join(REPORTER, "张举报人")
    [intro] = await h.send(REPORTER, "/report")
    message = await h.press(REPORTER, intro, "形式主义")
    message = await h.press(REPORTER, message, "办公室")
    [_ask] = await h.send(REPORTER, BODY)
    [_copy, added] = await h.send_file(REPORTER, png(), "a.png", kind="photo")
    assert labels(added) == ["完成"]
    [cancelled] = await h.send(REPORTER, "/cancel")
    assert "已取消" in cancelled["text"]
    assert buttons(h.message(REPORTER, added["message_id"])) == []


async def test_resuming_or_dropping_a_quiz_takes_the_old_questions_buttons_away(
    harness: Harness, tmp_path: Path
) -> None:
    h = harness
    await restart_on_bank(h, tmp_path, 7)
    await h.join(REPORTER, "张干部")
    [picker] = await h.send(REPORTER, "/quiz")
    question = await h.press(REPORTER, picker, "测试题库")
    assert buttons(question)
    [prompt] = await h.send(REPORTER, "/quiz")
    assert "未完成" in prompt["text"]
    resumed = await h.press(REPORTER, prompt, "继续作答")
    assert "第 1/3 题" in resumed["text"]
    assert buttons(resumed)  # the question lives on here now
    assert buttons(h.message(REPORTER, question["message_id"])) == []
    [again] = await h.send(REPORTER, "/quiz")
    dropped = await h.press(REPORTER, again, "放弃")
    assert "已放弃上一组测验" in dropped["text"]
    assert any("测试题库" in label for label in labels(dropped))  # pick a bank again here
    assert buttons(h.message(REPORTER, resumed["message_id"])) == []


async def test_review_started_mid_quiz_takes_the_quiz_questions_buttons_away(
    harness: Harness, tmp_path: Path
) -> None:
    h = harness
    await restart_on_bank(h, tmp_path, 7)
    await h.join(CADRE, "张干部")
    [picker] = await h.send(CADRE, "/quiz")
    message = await h.press(CADRE, picker, "测试题库")
    for _ in range(3):
        message = await _answer(h, message, right=False)
    h.clock.advance(days=1)  # the mistakes come due
    [picker] = await h.send(CADRE, "/quiz")
    question = await h.press(CADRE, picker, "测试题库")
    assert buttons(question)
    [review] = await h.send(CADRE, "/review")
    assert "错题复习" in review["text"]
    assert buttons(review)
    # Starting the review closed the quiz: its question keeps no buttons that lead nowhere.
    assert buttons(h.message(CADRE, question["message_id"])) == []


async def test_another_round_from_an_old_result_takes_the_running_quizs_buttons_away(
    harness: Harness, tmp_path: Path
) -> None:
    h = harness
    await restart_on_bank(h, tmp_path, 7)
    await h.join(CADRE, "张干部")
    [picker] = await h.send(CADRE, "/quiz")
    result = await h.press(CADRE, picker, "测试题库")
    for _ in range(3):
        result = await _answer(h, result, right=True)
    assert "得分：3/3" in result["text"]
    [picker] = await h.send(CADRE, "/quiz")
    question = await h.press(CADRE, picker, "测试题库")
    assert buttons(question)
    again = await h.press(CADRE, result, "再测一组")
    assert "第 1/3 题" in again["text"]
    assert buttons(h.message(CADRE, question["message_id"])) == []
