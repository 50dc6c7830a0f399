"""Sessions started elsewhere than /quiz: /review, the daily question and assigned tests."""

from __future__ import annotations

from datetime import datetime

from telegram import Update

from bot.domain.quiz import SessionKind
from bot.services.quiz import NothingToAsk
from bot.tg import callbacks as cb
from bot.tg.buttons import Press
from bot.tg.context import BotContext
from bot.tg.handlers.quiz.views import _retire_buttons, _show_session


async def _start_review(update: Update, context: BotContext, *, edit: bool) -> None:
    assert context.caller is not None
    services = context.services
    now = services.now()
    before = await services.quiz.active(context.caller.user_id)
    try:
        session = await services.quiz.start(context.caller.user_id, SessionKind.REVIEW, now)
    except NothingToAsk:
        book = await services.quiz.book_counts(context.caller.user_id, now)
        total, next_due = book.total, book.next_due
        if total == 0:
            text = context.t("review.empty")
        else:
            when = (
                next_due.astimezone(services.config.timezone).strftime("%Y-%m-%d %H:%M")
                if next_due
                else "—"
            )
            text = context.t(
                "review.nothing_due", total=total, next=context.t("review.next_due", when=when)
            )
        if update.callback_query:
            await update.callback_query.answer()
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, text)
        return
    if update.callback_query:
        await update.callback_query.answer()
    await _retire_buttons(update, context, before.message_id if before else None)
    await _show_session(update, context, session, edit=edit)


async def review(update: Update, context: BotContext) -> None:
    """/review: practise the mistakes that are due."""
    if context.caller is None:
        return
    await _start_review(update, context, edit=False)


async def review_button(update: Update, context: BotContext, press: Press[cb.QuizReview]) -> None:
    """The 复习错题 button under a result or /me: review in a new message; its step is done."""
    await _start_review(update, context, edit=False)
    query = update.callback_query
    if query is not None and query.message is not None:
        # The old keyboard goes, so an earlier step's buttons are not pressed again later.
        await query.edit_message_reply_markup(None)


# --- daily question --------------------------------------------------------------------------


def daily_key(day: datetime) -> str:
    """The date stamp a daily notice carries."""
    return day.strftime("%Y%m%d")


async def daily_start(update: Update, context: BotContext, press: Press[cb.DailyStart]) -> None:
    """The daily notice's button: today's question replaces the notice."""
    query, data = press.query, press.data
    services = context.services
    today = daily_key(services.now().astimezone(services.config.timezone))
    if data.day != today:
        await query.answer(context.t("daily.old"), show_alert=True)
        return
    existing = await services.quiz.active_daily(press.caller.user_id)
    if existing is not None and existing.message_id == (query.message and query.message.message_id):
        await query.answer()
        await _show_session(update, context, existing, edit=True)
        return
    try:
        session = await services.quiz.start(press.caller.user_id, SessionKind.DAILY, services.now())
    except NothingToAsk:
        await query.answer(context.t("daily.none"), show_alert=True)
        return
    await query.answer()
    await _show_session(update, context, session, edit=True)


# --- assigned tests --------------------------------------------------------------------------


async def assignment_start(
    update: Update, context: BotContext, press: Press[cb.AssignmentStart]
) -> None:
    """The assigned-test notice's button: start the test (in a new message)."""
    query, data = press.query, press.data
    services = context.services
    assignment = await services.assigned_tests.get(data.assignment)
    caller = press.caller
    if assignment is None:
        await query.answer(context.t("common.stale_button"), show_alert=True)
        return
    if assignment.departments is not None and (
        caller.member is None or caller.member.department_id not in assignment.departments
    ):
        await query.answer(context.t("assign.not_for_you"), show_alert=True)
        return
    now = services.now()
    if now > assignment.deadline:
        await query.answer(context.t("assign.over"), show_alert=True)
        return
    done = await services.assigned_tests.result(assignment.id, caller.user_id)
    before = await services.quiz.active(caller.user_id)
    try:
        session = await services.quiz.start(
            caller.user_id, SessionKind.ASSIGNED, now, assignment=assignment
        )
    except NothingToAsk:
        await query.answer(context.t("quiz.no_questions"), show_alert=True)
        return
    if done is not None:
        await query.answer(
            context.t("assign.already_done", correct=done.correct, total=done.total),
            show_alert=True,
        )
    else:
        await query.answer()
    await _retire_buttons(update, context, before.message_id if before else None)
    await _show_session(update, context, session, edit=False)
