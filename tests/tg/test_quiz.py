"""Quiz scenarios through the sandbox: every question type, restarts, stale buttons, review."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.domain.questions import LETTERS
from bot.domain.quiz import SessionKind
from tests.harness import Harness, buttons, make_config

CADRE = 701
BANK = """\
id: test-bank
title: 测试题库
tags: [作风建设]
questions:
  - id: t-single
    type: single
    stem: 中央八项规定是哪一年审议通过的？
    options: [2012年, 2013年, 2015年]
    answer: A
    explanation: 2012年12月4日中央政治局会议审议通过。
    source: 新华社（2012年12月4日）
  - id: t-multiple
    type: multiple
    stem: 下列哪些属于“三公”经费？
    options: [因公出国（境）费, 公务用车购置及运行维护费, 公务接待费, 差旅费]
    answer: [A, B, C]
    explanation: 三公经费包括因公出国（境）费、公务用车购置及运行维护费和公务接待费。
    source: 施甸县政府网站
  - id: t-judge
    type: judge
    stem: 开除党籍是党内的最高处分。
    answer: true
    explanation: 党章规定开除党籍是党内的最高处分。
    source: 《中国共产党章程》
"""


async def restart_on_bank(h: Harness, tmp_path: Path, seed: int, **overrides: object) -> None:
    """Restart the bot on the three-question bank (plus config overrides), shuffle seeded."""
    banks = tmp_path / "banks"
    banks.mkdir()
    (banks / "test-bank.yaml").write_text(BANK, encoding="utf-8")
    await h.stop()
    h.config = make_config(
        h.sandbox,
        h.db_path,
        quiz__content_dir=str(banks),
        quiz__questions_per_session=3,
        **overrides,
    )
    await h.start()
    h.services.quiz.rng = random.Random(seed)


@pytest.fixture
async def quiz_harness(harness: Harness, tmp_path: Path) -> Harness:
    """The harness restarted on a three-question bank, with a seeded shuffle."""
    await restart_on_bank(harness, tmp_path, 7)
    await harness.join(CADRE, "张干部")
    return harness


async def _session(h: Harness) -> Any:
    session = await h.services.quiz.active(CADRE)
    assert session is not None
    return session


async def _labels(h: Harness, *, right: bool) -> list[str]:
    """Button labels that answer the current question right (or wrong)."""
    session = await _session(h)
    item = session.current
    question = h.services.quiz.questions[item.question_id]
    good = item.correct_shown(question)
    if question.type.value == "judge":
        picks = good if right else {1 - next(iter(good))}
        return ["正确" if i == 0 else "错误" for i in picks]
    picks = good if right else {next(i for i in range(len(item.order)) if i not in good)}
    return [LETTERS[i] for i in sorted(picks)]


def _calls(h: Harness, since: int) -> list[str]:
    """Bot API calls made since a point, polling excluded."""
    return [method for _, method, _ in h.sandbox.calls[since:] if method != "getUpdates"]


async def _answer(h: Harness, message: dict[str, Any], *, right: bool) -> dict[str, Any]:
    """Answer the question shown in `message`; return the message after."""
    session = await _session(h)
    qtype = h.services.quiz.questions[session.current.question_id].type.value
    labels = await _labels(h, right=right)
    if qtype == "multiple":
        for label in labels:
            message = await h.press(CADRE, message, f"☐ {label}")
        return await h.press(CADRE, message, "提交")
    return await h.press(CADRE, message, labels[0])


async def test_full_session_of_every_type_costs_one_edit_per_answer(
    quiz_harness: Harness,
) -> None:
    h = quiz_harness
    [picker] = await h.send(CADRE, "/quiz")
    assert "每组 3 题" in picker["text"]
    message = await h.press(CADRE, picker, "测试题库")
    assert "第 1/3 题" in message["text"]
    seen_types = set()
    outcomes = {}
    for number in range(1, 4):
        session = await _session(h)
        question = h.services.quiz.questions[session.current.question_id]
        seen_types.add(question.type.value)
        right = question.type.value != "multiple"  # miss the multiple-choice one
        start = len(h.sandbox.calls)
        if question.type.value == "multiple":
            labels = await _labels(h, right=False)
            message = await h.press(CADRE, message, f"☐ {labels[0]}")
            assert any(b["text"] == f"☑ {labels[0]}" for b in buttons(message))
            start = len(h.sandbox.calls)
            message = await h.press(CADRE, message, "提交")
        else:
            message = await _answer(h, message, right=True)
        # One answer: the callback answer plus one edit of the same message, nothing sent.
        assert sorted(_calls(h, start)) == ["answerCallbackQuery", "editMessageText"]
        outcomes[question.id] = right
        assert ("回答正确" if right else "回答错误") in message["text"]
        assert f"解析：{question.explanation}" in message["text"]
        assert f"出处：{question.source}" in message["text"]
        if number < 3:
            assert f"第 {number + 1}/3 题" in message["text"]
    assert seen_types == {"single", "multiple", "judge"}
    assert "测验完成" in message["text"]
    assert "得分：2/3（67 分）" in message["text"]
    assert "下列哪些属于“三公”经费" in message["text"]  # the missed one is listed
    assert "再测一组" in [b["text"] for b in buttons(message)]
    rows = await h.services.db.fetchall(
        "SELECT question_id, correct FROM answers WHERE user_id = ?", (CADRE,)
    )
    assert {r["question_id"]: bool(r["correct"]) for r in rows} == outcomes
    review = await h.services.db.fetchall(
        "SELECT question_id, due_at FROM review_items WHERE user_id = ?", (CADRE,)
    )
    # The miss is due for review a day after it was answered.
    assert [(r["question_id"], r["due_at"]) for r in review] == [
        ("t-multiple", (h.clock.now + timedelta(days=1)).isoformat())
    ]
    # A message id counts messages in the member's chat: none outlives the session.
    sessions = await h.services.db.fetchall(
        "SELECT status, message_id FROM quiz_sessions WHERE user_id = ?", (CADRE,)
    )
    assert [(r["status"], r["message_id"]) for r in sessions] == [("finished", None)]


async def test_restart_mid_quiz_continues_on_the_same_message(quiz_harness: Harness) -> None:
    h = quiz_harness
    [picker] = await h.send(CADRE, "/quiz")
    message = await h.press(CADRE, picker, "测试题库")
    message = await _answer(h, message, right=True)
    assert "第 2/3 题" in message["text"]
    await h.restart()
    message = await _answer(h, h.message(CADRE, message["message_id"]), right=True)
    assert "第 3/3 题" in message["text"]
    [prompt] = await h.send(CADRE, "/quiz")
    assert "未完成" in prompt["text"]
    assert "已答 2/3" in prompt["text"]
    resumed = await h.press(CADRE, prompt, "继续作答")
    assert "第 3/3 题" in resumed["text"]
    # The resumed message now owns the session; the old one's buttons are stale.
    before = len(h.toasts(CADRE))
    await h.press_data(CADRE, message["message_id"], buttons(message)[0]["callback_data"])
    assert len(h.toasts(CADRE)) == before + 1
    assert "已作答" in h.toasts(CADRE)[-1]
    final = await _answer(h, resumed, right=True)
    assert "得分：3/3" in final["text"]


async def test_stale_double_and_foreign_buttons_are_answered_politely(
    quiz_harness: Harness,
) -> None:
    h = quiz_harness
    [picker] = await h.send(CADRE, "/quiz")
    message = await h.press(CADRE, picker, "测试题库")
    first_buttons = buttons(message)
    message = await _answer(h, message, right=True)
    # Pressing a button of the already-answered question (a double tap) grades nothing.
    await h.press_data(CADRE, message["message_id"], first_buttons[0]["callback_data"])
    assert "已作答" in h.toasts(CADRE)[-1]
    count = await h.services.db.fetchone("SELECT COUNT(*) FROM answers")
    assert count[0] == 1
    # Another member forging this member's session id is refused.
    other = 702
    await h.join(other, "李干部")
    [help_message] = await h.send(other, "/help")
    session = await _session(h)
    await h.press_data(
        other, help_message["message_id"], f"v1:qa:{session.id}:{session.position}:0"
    )
    assert "已作答" in h.toasts(other)[-1]
    assert (await h.services.db.fetchone("SELECT COUNT(*) FROM answers"))[0] == 1
    # Out-of-range choices and garbage are refused too.
    await h.press_data(CADRE, message["message_id"], f"v1:qa:{session.id}:{session.position}:9")
    assert (await h.services.db.fetchone("SELECT COUNT(*) FROM answers"))[0] == 1


async def test_wrong_answers_come_back_in_review_until_learnt(quiz_harness: Harness) -> None:
    h = quiz_harness
    [picker] = await h.send(CADRE, "/quiz")
    message = await h.press(CADRE, picker, "测试题库")
    for _ in range(3):
        message = await _answer(h, message, right=False)
    [nothing] = await h.send(CADRE, "/review")
    assert "没有到期" in nothing["text"]
    assert "共 3 题" in nothing["text"]
    assert "下一题将在 2026-09-21 10:00 到期" in nothing["text"]
    # Each round of right answers on the due day puts the next review further off (FSRS with
    # its default parameters: 2, 6, then 17 days); the fourth takes the questions out.
    for days, interval in ((1, 2), (2, 6), (6, 17), (17, None)):
        h.clock.advance(days=days - 1, hours=23)
        [early] = await h.send(CADRE, "/review")
        assert "没有到期" in early["text"]
        h.clock.advance(hours=1)
        [review] = await h.send(CADRE, "/review")
        assert "错题复习" in review["text"]
        assert "第 1/3 题" in review["text"]
        message = review
        for _ in range(3):
            message = await _answer(h, message, right=True)
            due = h.clock.now + timedelta(days=interval or 0)
            expected = (
                f"错题本：下次复习 {due.astimezone(h.config.timezone):%Y-%m-%d}（{interval} 天后）"
                if interval
                else "错题本：已经记牢，移出错题本"
            )
            assert expected in message["text"]
        assert "得分：3/3" in message["text"]
    [empty] = await h.send(CADRE, "/review")
    assert "错题本是空的" in empty["text"]
    assert (await h.services.db.fetchone("SELECT COUNT(*) FROM review_items"))[0] == 0


async def test_a_miss_in_review_comes_back_the_next_day(quiz_harness: Harness) -> None:
    h = quiz_harness
    [picker] = await h.send(CADRE, "/quiz")
    message = await h.press(CADRE, picker, "测试题库")
    for _ in range(3):
        message = await _answer(h, message, right=False)
    h.clock.advance(days=1)
    [review] = await h.send(CADRE, "/review")
    message = await _answer(h, review, right=True)
    assert "（2 天后）" in message["text"]
    message = await _answer(h, message, right=False)
    assert "（1 天后）" in message["text"]
    assert "回答错误" in message["text"]


async def test_grading_keeps_the_mistake_book_in_the_answers_transaction(
    quiz_harness: Harness,
) -> None:
    """One answer is one transaction: the mistake book adds a read and at most one write."""
    h = quiz_harness
    quiz = h.services.quiz
    statements: list[str] = []
    await h.services.db.conn.set_trace_callback(lambda sql: statements.append(sql.split()[0]))
    try:
        session = await quiz.start(CADRE, SessionKind.QUIZ, h.clock.now, bank_id="test-bank")
        statements.clear()
        wrong = frozenset(range(len(session.current.order))) - session.current.correct_shown(
            quiz.questions[session.current.question_id]
        )
        outcome = await quiz.answer(session, frozenset({min(wrong)}), h.clock.now)
        assert outcome is not None
        assert not outcome.correct
        # Session update, the answer, the card read, the card write.
        # (After COMMIT the database reads once, so the -shm's read mark follows the commit.)
        assert statements == ["BEGIN", "UPDATE", "INSERT", "SELECT", "INSERT", "COMMIT", "PRAGMA"]
        session = outcome.session
        statements.clear()
        right = session.current.correct_shown(quiz.questions[session.current.question_id])
        outcome = await quiz.answer(session, right, h.clock.now)
        assert outcome is not None
        assert outcome.correct
        # Right, and not in the book: nothing to write there.
        assert statements == ["BEGIN", "UPDATE", "INSERT", "SELECT", "COMMIT", "PRAGMA"]
    finally:
        await h.services.db.conn.set_trace_callback(None)


async def test_grading_is_one_call_into_the_database_thread(
    quiz_harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole grading transaction runs in one hop to aiosqlite's thread, whatever it
    writes (the mistake book's read and write included)."""
    h = quiz_harness
    db, quiz = h.services.db, h.services.quiz
    session = await quiz.start(CADRE, SessionKind.QUIZ, h.clock.now, bank_id="test-bank")
    calls: list[str] = []
    queue = db.conn._execute

    async def counted(fn: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(getattr(fn, "__name__", "?"))
        return await queue(fn, *args, **kwargs)

    monkeypatch.setattr(db.conn, "_execute", counted)
    wrong = frozenset(range(len(session.current.order))) - session.current.correct_shown(
        quiz.questions[session.current.question_id]
    )
    outcome = await quiz.answer(session, frozenset({min(wrong)}), h.clock.now)
    assert outcome is not None
    assert not outcome.correct
    assert outcome.card is not None
    assert len(calls) == 1
    calls.clear()
    # A double tap: still one call, and nothing graded.
    assert await quiz.answer(session, frozenset({min(wrong)}), h.clock.now) is None
    assert len(calls) == 1


async def test_me_shows_attempts_average_and_mistakes(quiz_harness: Harness) -> None:
    h = quiz_harness
    [empty] = await h.send(CADRE, "/me")
    assert "还没有答题记录" in empty["text"]
    [picker] = await h.send(CADRE, "/quiz")
    message = await h.press(CADRE, picker, "测试题库")
    for right in (True, False, False):
        message = await _answer(h, message, right=right)
    [me] = await h.send(CADRE, "/me")
    assert "完成测验：1 组" in me["text"]
    assert "平均得分：33" in me["text"]
    assert "累计答题：3 题" in me["text"]
    assert "正确率：33%" in me["text"]
    assert "错题本：0 题到期待复习（共 2 题）" in me["text"]
    assert buttons(empty) == []  # no mistake book yet: no review button
    assert [b["text"] for b in buttons(me)] == ["开始复习错题"]
    # Right after the quiz nothing is due: the button says when the first item comes due.
    pressed = await h.press(CADRE, me, "开始复习错题")
    assert "下一题将在 2026-09-21 10:00 到期" in h.last(CADRE)["text"]
    assert buttons(pressed) == []  # the step is done: its keyboard is removed
    h.clock.advance(days=1)
    [me] = await h.send(CADRE, "/me")
    assert "错题本：2 题到期待复习（共 2 题）" in me["text"]
    assert "发送 /review 或点下方按钮复习" in me["text"]
    await h.press(CADRE, me, "开始复习错题")
    review = h.last(CADRE)
    assert "错题复习" in review["text"]
    assert buttons(review)  # the first review question, with its answer buttons


async def test_reload_refuses_a_broken_bank_and_keeps_the_live_one(
    quiz_harness: Harness,
) -> None:
    h = quiz_harness
    await h.join(1, "王管理")  # ADMIN from the harness config
    bank_file = h.config.quiz.content_dir / "test-bank.yaml"
    bank_file.write_text(BANK.replace("answer: A", "answer: E"), encoding="utf-8")
    [refused] = await h.send(1, "/reload")
    assert "未加载" in refused["text"]
    assert "test-bank.yaml:" in refused["text"]
    assert "answer E is not among the options" in (refused["text"])
    assert "t-single" in h.services.quiz.questions
    bank_file.write_text(BANK.replace("3年", "4年"), encoding="utf-8")
    [ok] = await h.send(1, "/reload")
    assert "1 个题库，3 道题" in ok["text"]
    [cadre_try] = await h.send(CADRE, "/reload")
    assert "没有执行此操作的权限" in cadre_try["text"]
