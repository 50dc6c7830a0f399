"""/quiz: choosing a bank, resuming, and the answer buttons of a session."""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import TelegramError

from bot.domain.questions import QuestionType
from bot.domain.quiz import (
    MIXED,
    Session,
    SessionKind,
)
from bot.services.quiz import NothingToAsk
from bot.tg import callbacks as cb
from bot.tg.buttons import Press
from bot.tg.context import BotContext
from bot.tg.handlers.quiz.views import (
    _feedback_text,
    _question_keyboard,
    _retire_buttons,
    _show_session,
)
from bot.tg.keyboards import (
    quiz_banks_keyboard,
    quiz_resume_keyboard,
)


def _bank_list(context: BotContext) -> list[tuple[str, str, int]]:
    return [(b.id, b.title, len(b.questions)) for b in context.services.quiz.banks]


async def quiz(update: Update, context: BotContext) -> None:
    """/quiz: resume an unfinished session, or choose a bank."""
    message = update.effective_message
    if message is None or context.caller is None:
        return
    quiz_service = context.services.quiz
    active = await quiz_service.active(context.caller.user_id)
    if active is not None:
        await message.reply_text(
            context.t("quiz.unfinished", done=active.position, total=active.total),
            reply_markup=quiz_resume_keyboard(context.t, active.id),
        )
        return
    await message.reply_text(
        context.t("quiz.pick_bank", count=context.services.config.quiz.questions_per_session),
        reply_markup=quiz_banks_keyboard(context.t, _bank_list(context)),
    )


async def pick_bank(update: Update, context: BotContext, press: Press[cb.QuizPickBank]) -> None:
    """A bank was chosen: start the session in the same message."""
    query, data = press.query, press.data
    services = context.services
    bank = data.bank if data.bank == MIXED or services.quiz.bank_title(data.bank) else None
    if bank is None:
        await query.answer(context.t("common.stale_button"), show_alert=True)
        return
    before = await services.quiz.active(press.caller.user_id)
    try:
        session = await services.quiz.start(
            press.caller.user_id, SessionKind.QUIZ, services.now(), bank_id=bank
        )
    except NothingToAsk:
        await query.answer(context.t("quiz.no_questions"), show_alert=True)
        return
    await query.answer()
    await _retire_buttons(update, context, before.message_id if before else None)
    await _show_session(update, context, session, edit=True)


async def resume(update: Update, context: BotContext, press: Press[cb.QuizResume]) -> None:
    """Continue or abandon an unfinished session."""
    query, data = press.query, press.data
    quiz_service = context.services.quiz
    active = await quiz_service.active(press.caller.user_id)
    if active is None or active.id != data.session:
        await query.answer(context.t("quiz.stale"), show_alert=True)
        return
    await query.answer()
    # Either way the question shown before is over there: its buttons would only say so.
    pressed = query.message
    if pressed is not None and active.message_id not in (None, pressed.message_id):
        with contextlib.suppress(TelegramError):  # deleted, or too old to edit
            await context.bot.edit_message_reply_markup(
                pressed.chat.id, active.message_id, reply_markup=None
            )
    if data.action is cb.ResumeAction.CONTINUE:
        await _show_session(update, context, active, edit=True)
        return
    await quiz_service.abandon(press.caller.user_id)
    await query.edit_message_text(
        context.t("quiz.abandoned")
        + "\n\n"
        + context.t("quiz.pick_bank", count=context.services.config.quiz.questions_per_session),
        reply_markup=quiz_banks_keyboard(context.t, _bank_list(context)),
    )


async def _session_for_button(
    update: Update, context: BotContext, session_id: int, position: int
) -> Session | None:
    """The session a quiz button belongs to, if it is the caller's, live, and on this question."""
    query = update.callback_query
    assert query is not None
    assert context.caller is not None
    message_id = query.message.message_id if query.message else None
    session = await context.services.quiz.session_for_button(
        context.caller.user_id, session_id, position, message_id
    )
    if session is None:
        await query.answer(context.t("quiz.stale"), show_alert=True)
    return session


async def answer(update: Update, context: BotContext, press: Press[cb.QuizAnswer]) -> None:
    """An option button: grade at once (single, judge) or toggle (multiple)."""
    query, data = press.query, press.data
    session = await _session_for_button(update, context, data.session, data.position)
    if session is None:
        return
    quiz_service = context.services.quiz
    item = session.current
    assert item is not None
    question = quiz_service.questions[item.question_id]
    if not 0 <= data.choice < question.choice_count:
        await query.answer(context.t("quiz.stale"), show_alert=True)
        return
    if question.type is QuestionType.MULTIPLE:
        toggled = await quiz_service.toggle(session, data.choice)
        if toggled is None:
            await query.answer(context.t("quiz.stale"), show_alert=True)
            return
        await query.answer()
        await query.edit_message_reply_markup(_question_keyboard(context, toggled))
        return
    await _grade(update, context, session, frozenset({data.choice}))


async def submit(update: Update, context: BotContext, press: Press[cb.QuizSubmit]) -> None:
    """Submit the toggled options of a multiple-choice question."""
    query, data = press.query, press.data
    session = await _session_for_button(update, context, data.session, data.position)
    if session is None:
        return
    if not session.selection:
        await query.answer(context.t("quiz.pick_first"), show_alert=True)
        return
    await _grade(update, context, session, session.selection)


async def _grade(
    update: Update, context: BotContext, session: Session, shown: frozenset[int]
) -> None:
    query = update.callback_query
    assert query is not None
    services = context.services
    outcome = await services.quiz.answer(session, shown, services.now())
    if outcome is None:
        await query.answer(context.t("quiz.stale"), show_alert=True)
        return
    await query.answer("✅" if outcome.correct else "❌")
    await _show_session(
        update, context, outcome.session, prefix=_feedback_text(context, outcome), edit=True
    )
