"""The daily question and assigned tests: notices through the delivery engine, then the quiz."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.tg.quiz_jobs import DAILY_JOB, DEADLINE_JOB
from tests.harness import ADMIN, Harness, buttons
from tests.tg.test_quiz import restart_on_bank

CADRE, MUTED, OTHER_DEPT = 701, 702, 703
# 08:30 Asia/Shanghai on 2026-09-21.
DAILY_AT = datetime(2026, 9, 21, 0, 30, tzinfo=UTC)


@pytest.fixture
async def notices(harness: Harness, tmp_path: Path) -> Harness:
    """Three members (one muted, one in another department) on the three-question bank."""
    harness.clock.now = DAILY_AT - timedelta(hours=2)
    await restart_on_bank(
        harness,
        tmp_path,
        3,
        quiz__daily_time="08:30",
        access__invites=[
            {"code": "test-office-invite", "department": "office"},
            {"code": "test-safety-invite", "department": "safety"},
        ],
    )
    await harness.join(ADMIN, "王管理")
    await harness.join(CADRE, "张干部")
    await harness.join(MUTED, "李干部")
    await harness.join(OTHER_DEPT, "赵干部", code="test-safety-invite")
    await harness.services.membership.set_daily_question(MUTED, False, DAILY_AT)
    return harness


async def _answer(h: Harness, user_id: int, message: dict, *, right: bool) -> dict:
    """Answer the question a message shows (any session kind); return the message after."""
    row = await h.services.db.fetchone(
        "SELECT id, position FROM quiz_sessions "
        "WHERE message_id = ? AND user_id = ? AND status = 'active'",
        (message["message_id"], user_id),
    )
    session = await h.services.quiz.session_for_button(
        user_id, row["id"], row["position"], message["message_id"]
    )
    item = session.current
    question = h.services.quiz.questions[item.question_id]
    good = item.correct_shown(question)
    picks = good if right else {next(i for i in range(len(item.order)) if i not in good)}
    if question.type.value == "judge":
        return await h.press(user_id, message, "正确" if 0 in picks else "错误")
    letters = ["ABCDEF"[i] for i in sorted(picks)]
    if question.type.value == "multiple":
        for letter in letters:
            message = await h.press(user_id, message, f"☐ {letter}")
        return await h.press(user_id, message, "提交")
    return await h.press(user_id, message, letters[0])


async def _run_job(h: Harness, name: str) -> None:
    assert h.app is not None
    [job] = h.app.job_queue.get_jobs_by_name(name)
    await job.run(h.app)


async def _delivered(h: Harness, user_id: int, text: str) -> dict:
    await h.sandbox.wait_for(
        lambda: any(text in m["text"] for m in h.sandbox.bot_messages(user_id)), timeout=10
    )
    return next(m for m in h.sandbox.bot_messages(user_id) if text in m["text"])


async def test_daily_question_job_sends_once_and_prefers_due_mistakes(notices: Harness) -> None:
    h = notices
    assert h.app is not None
    [job] = h.app.job_queue.get_jobs_by_name(DAILY_JOB)
    local = job.next_t.astimezone(h.config.timezone)
    assert (local.hour, local.minute) == (8, 30)

    # Yesterday the cadre missed a question: it is due for review today.
    [picker] = await h.send(CADRE, "/quiz")
    message = await h.press(CADRE, picker, "测试题库")
    session = await h.services.quiz.active(CADRE)
    missed = session.current.question_id
    await _answer(h, CADRE, message, right=False)
    await h.services.quiz.abandon(CADRE)

    h.clock.now = DAILY_AT + timedelta(days=1)
    await _run_job(h, DAILY_JOB)
    await _run_job(h, DAILY_JOB)  # a second run the same day changes nothing
    notice = await _delivered(h, CADRE, "每日一题 · 2026-09-22")
    await _delivered(h, OTHER_DEPT, "每日一题 · 2026-09-22")
    campaigns = await h.services.db.fetchall("SELECT key FROM campaigns WHERE kind = 'daily'")
    assert [r["key"] for r in campaigns] == ["daily:2026-09-22"]
    assert not any("每日一题 · " in m["text"] for m in h.sandbox.bot_messages(MUTED))

    question = await h.press(CADRE, notice, "开始答题")
    daily = await h.services.quiz.active(CADRE, daily=True)
    assert daily.current.question_id == missed
    assert "每日一题" in question["text"]
    assert "第 1/1 题" in question["text"]
    done = await _answer(h, CADRE, question, right=True)
    assert "今天的每日一题已完成" in done["text"]
    # The review moved the mistake's next due date two days on.
    assert "错题本：下次复习 2026-09-24（2 天后）" in done["text"]
    row = await h.services.db.fetchone(
        "SELECT due_at FROM review_items WHERE user_id = ? AND question_id = ?", (CADRE, missed)
    )
    assert datetime.fromisoformat(row["due_at"]) == h.clock.now + timedelta(days=2)

    # Yesterday's button is recognisably old.
    h.clock.advance(days=1)
    await h.press_data(CADRE, notice["message_id"], buttons(notice)[0]["callback_data"])
    assert "以前的每日一题" in h.toasts(CADRE)[-1]


async def test_assigned_test_notice_reminder_and_completion(notices: Harness) -> None:
    h = notices
    h.clock.now = DAILY_AT
    [start] = await h.send(ADMIN, "/assign")
    audience = await h.press(ADMIN, start, "测试题库")
    deadline = await h.press(ADMIN, audience, "办公室")
    preview = await h.press(ADMIN, deadline, "3 天内完成")
    created = await h.press(ADMIN, preview, "确认布置并通知")
    assert "已布置专项测试" in created["text"]
    assert "已通知 3 人" in created["text"]
    assert "2026-09-24 23:59" in created["text"]

    notice = await _delivered(h, CADRE, "专项测试")
    await _delivered(h, MUTED, "专项测试")  # assignments ignore the daily-question mute
    assert not any("专项测试" in m["text"] for m in h.sandbox.bot_messages(OTHER_DEPT))

    before = len(h.sandbox.bot_messages(CADRE))
    await h.press(CADRE, notice, "开始测试")
    message = h.sandbox.bot_messages(CADRE)[before]
    assert "专项测试：测试题库" in message["text"]
    for _ in range(3):
        message = await _answer(h, CADRE, h.message(CADRE, message["message_id"]), right=True)
    assert "得分：3/3" in message["text"]
    result = await h.services.db.fetchall("SELECT user_id, correct, total FROM assignment_results")
    assert [tuple(r) for r in result] == [(CADRE, 3, 3)]

    # Not yet within a day of the deadline: no reminder.
    await _run_job(h, DEADLINE_JOB)
    h.clock.now = datetime(2026, 9, 24, 2, 0, tzinfo=UTC)  # 10:00 local, deadline 23:59
    await _run_job(h, DEADLINE_JOB)
    await _run_job(h, DEADLINE_JOB)
    reminder = await _delivered(h, MUTED, "还没有完成")
    assert "截止" in reminder["text"]
    keys = await h.services.db.fetchall("SELECT key FROM campaigns ORDER BY id")
    assert [r["key"] for r in keys] == ["assignment:1:notice", "assignment:1:reminder"]
    recipients = await h.services.db.fetchall(
        "SELECT user_id FROM outbox o JOIN campaigns c ON c.id = o.campaign_id "
        "WHERE c.key = 'assignment:1:reminder'"
    )
    assert sorted(r["user_id"] for r in recipients) == [ADMIN, MUTED]

    # After the deadline the test cannot be started.
    h.clock.now = datetime(2026, 9, 25, 2, 0, tzinfo=UTC)
    await h.press(MUTED, await _delivered(h, MUTED, "请在"), "开始测试")
    assert "已经截止" in h.toasts(MUTED)[-1]


# --- /assign: preview, confirm, typed deadline ------------------------------------------------


async def _stored(h: Harness) -> tuple[int, int]:
    """(assignments, campaigns) stored so far."""
    assignments = await h.services.db.fetchone("SELECT COUNT(*) AS n FROM assignments")
    campaigns = await h.services.db.fetchone("SELECT COUNT(*) AS n FROM campaigns")
    return assignments["n"], campaigns["n"]


async def test_assign_previews_with_the_audience_count_and_sends_only_on_confirm(
    notices: Harness,
) -> None:
    h = notices
    h.clock.now = DAILY_AT  # Monday 2026-09-21 in Shanghai
    [start] = await h.send(ADMIN, "/assign")
    audience = await h.press(ADMIN, start, "测试题库")
    deadline = await h.press(ADMIN, audience, "办公室")
    assert "直接输入截止日期（如 2026-12-20 或 12月20日）" in deadline["text"]
    [preview] = await h.send(ADMIN, "10月8日")
    assert "<b>请确认专项测试</b>" not in preview["text"]  # the chat shows text, not markup
    assert "请确认专项测试" in preview["text"]
    assert "对象：办公室，共 3 人" in preview["text"]
    assert "截止：2026-10-08 23:59" in preview["text"]
    assert "请在 2026-10-08 23:59 前完成。" in preview["text"]  # the members' notice itself
    assert [b["text"] for b in buttons(preview)] == ["确认布置并通知（3 人）", "取消"]
    # Nothing is stored and nobody is notified before the admin confirms.
    await h.settle()
    assert await _stored(h) == (0, 0)
    assert not any("专项测试" in m["text"] for m in h.sandbox.bot_messages(CADRE))

    created = await h.press(ADMIN, preview, "确认布置并通知")
    assert "已通知 3 人" in created["text"]
    assert "2026-10-08 23:59" in created["text"]
    assert buttons(created) == []
    row = await h.services.db.fetchone("SELECT deadline, departments FROM assignments")
    assert datetime.fromisoformat(row["deadline"]) == datetime(2026, 10, 8, 15, 59, tzinfo=UTC)
    await _delivered(h, CADRE, "请在 2026-10-08 23:59 前完成")
    # The old confirm button does nothing a second time.
    await h.press_data(ADMIN, preview["message_id"], buttons(preview)[0]["callback_data"])
    assert "已过期" in h.toasts(ADMIN)[-1]
    assert await _stored(h) == (1, 1)


async def test_assign_answers_a_bad_typed_deadline_and_cancel_stores_nothing(
    notices: Harness,
) -> None:
    h = notices
    h.clock.now = DAILY_AT  # 2026-09-21
    [start] = await h.send(ADMIN, "/assign")
    audience = await h.press(ADMIN, start, "测试题库")
    await h.press(ADMIN, audience, "全体成员")
    for typed in ("下周五", "2026-02-30", "13月1日"):
        [reply] = await h.send(ADMIN, typed)
        assert f"没能识别“{typed}”这个日期" in reply["text"], reply["text"]
    for typed in ("2026-09-21", "2026-09-01", "2027-01-01"):
        [reply] = await h.send(ADMIN, typed)
        assert "截止日期需在 2026-09-22 至 2026-12-20 之间（明天起 90 天内）" in reply["text"]
    # Full-width digits from a Chinese input method are read as well.
    [preview] = await h.send(ADMIN, "２０２６－１２－２０")
    assert "对象：全体成员，共 4 人" in preview["text"]
    assert "截止：2026-12-20 23:59" in preview["text"]
    cancelled = await h.press(ADMIN, preview, "取消")
    assert cancelled["text"] == "已取消，未布置专项测试。"
    await h.settle()
    assert await _stored(h) == (0, 0)
    # After the flow ended, a typed date is an ordinary message again (no preview).
    before = len(h.sandbox.bot_messages(ADMIN))
    await h.send(ADMIN, "2026-12-20")
    assert not any("请确认专项测试" in m["text"] for m in h.sandbox.bot_messages(ADMIN)[before:])


def test_typed_deadlines_in_the_forms_admins_write() -> None:
    from datetime import date

    from bot.domain.deadlines import DeadlineProblem, parse_deadline

    today = date(2026, 12, 1)
    assert parse_deadline("2026-12-20", today) == date(2026, 12, 20)
    assert parse_deadline(" 2026/12/20 ", today) == date(2026, 12, 20)
    assert parse_deadline("2026年12月20日", today) == date(2026, 12, 20)
    assert parse_deadline("12月20日", today) == date(2026, 12, 20)
    assert parse_deadline("12月20号", today) == date(2026, 12, 20)
    assert parse_deadline("1月5日", today) == date(2027, 1, 5)  # next January
    assert parse_deadline("12月1日", today) is DeadlineProblem.RANGE  # today, not tomorrow on
    assert parse_deadline("2026-12-01", today) is DeadlineProblem.RANGE
    assert parse_deadline("2027-03-01", today) == date(2027, 3, 1)  # exactly 90 days
    assert parse_deadline("2027-03-02", today) is DeadlineProblem.RANGE
    assert parse_deadline("2月29日", today) is DeadlineProblem.FORMAT  # 2027 has none
    assert parse_deadline("next friday", today) is DeadlineProblem.FORMAT
