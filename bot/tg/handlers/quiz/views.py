"""How a quiz session looks in chat: the question, the verdict after an answer, the result."""

from __future__ import annotations

import contextlib
from html import escape

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.domain.mistakes import ReviewCard
from bot.domain.questions import LETTERS, Question, QuestionType
from bot.domain.quiz import (
    Session,
    SessionKind,
    duration,
    score_percent,
)
from bot.services.quiz import AnswerOutcome
from bot.tg.context import BotContext
from bot.tg.keyboards import (
    quiz_answer_keyboard,
    quiz_finished_keyboard,
)

MAX_MISSED_SHOWN = 10


def _answer_text(context: BotContext, question: Question, shown: frozenset[int]) -> str:
    """Letters (or 正确/错误) for positions as shown."""
    separator = context.t("common.list_separator")
    if question.type is QuestionType.JUDGE:
        return separator.join(
            context.t("quiz.judge_true" if i == 0 else "quiz.judge_false") for i in sorted(shown)
        )
    return separator.join(LETTERS[i] for i in sorted(shown))


def _session_title(context: BotContext, session: Session) -> str:
    quiz = context.services.quiz
    if session.kind is SessionKind.REVIEW:
        return context.t("quiz.review_title")
    if session.kind is SessionKind.DAILY:
        return context.t("quiz.daily_title")
    title = quiz.bank_title(session.bank_id) or context.t("quiz.mixed_title")
    if session.kind is SessionKind.ASSIGNED:
        return context.t("quiz.assigned_title", title=title)
    return title


def _question_text(context: BotContext, session: Session) -> str:
    item = session.current
    assert item is not None
    question = context.services.quiz.questions[item.question_id]
    kind = {
        QuestionType.SINGLE: "quiz.kind_single",
        QuestionType.MULTIPLE: "quiz.kind_multiple",
        QuestionType.JUDGE: "quiz.kind_judge",
    }[question.type]
    lines = [
        context.t(
            "quiz.header",
            title=escape(_session_title(context, session)),
            number=session.position + 1,
            total=session.total,
            kind=context.t(kind),
        ),
        "",
        escape(question.stem),
    ]
    if question.type is not QuestionType.JUDGE:
        lines.append("")
        lines += [
            f"{LETTERS[shown]}. {escape(question.options[original])}"
            for shown, original in enumerate(item.order)
        ]
    return "\n".join(lines)


def _question_keyboard(context: BotContext, session: Session) -> InlineKeyboardMarkup:
    item = session.current
    assert item is not None
    question = context.services.quiz.questions[item.question_id]
    return quiz_answer_keyboard(
        context.t,
        session.id,
        session.position,
        LETTERS[: len(item.order)],
        multiple=question.type is QuestionType.MULTIPLE,
        judge=question.type is QuestionType.JUDGE,
        selection=session.selection,
    )


def _feedback_text(context: BotContext, outcome: AnswerOutcome) -> str:
    question, item = outcome.question, outcome.item
    right = item.correct_shown(question)
    lines = [
        context.t("quiz.right")
        if outcome.correct
        else context.t("quiz.wrong", answer=_answer_text(context, question, right))
    ]
    if not outcome.correct and outcome.shown:
        lines.append(
            context.t("quiz.your_answer", answer=_answer_text(context, question, outcome.shown))
        )
    lines.append(context.t("quiz.explanation", text=escape(question.explanation)))
    lines.append(context.t("quiz.source", text=escape(question.source)))
    if outcome.was_in_book:
        lines.append(_book_line(context, outcome.card))
    return "\n".join(lines)


def _book_line(context: BotContext, card: ReviewCard | None) -> str:
    """Where a question from the mistake book goes after this answer."""
    if card is None:
        return context.t("review.mastered")
    local = card.due_at.astimezone(context.services.config.timezone)
    return context.t("review.next", date=local.strftime("%Y-%m-%d"), days=card.interval_days)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def _finished_text(context: BotContext, session: Session) -> str:
    quiz = context.services.quiz
    finished = session.finished_at or context.services.now()
    took = duration(session.started_at, finished)
    lines = [
        context.t("quiz.finished_title", title=escape(_session_title(context, session))),
        context.t(
            "quiz.finished_score",
            correct=session.correct,
            total=session.total,
            percent=score_percent(session.correct, session.total),
            minutes=int(took.total_seconds()) // 60,
            seconds=int(took.total_seconds()) % 60,
        ),
    ]
    missed = await quiz.missed(session)
    if not missed:
        lines += ["", context.t("quiz.all_right")]
        return "\n".join(lines)
    lines += ["", context.t("quiz.missed_title")]
    for number, question in enumerate(missed[:MAX_MISSED_SHOWN], start=1):
        if question.type is QuestionType.JUDGE:
            answer = _answer_text(context, question, question.answer)
        else:
            answer = context.t("quiz.option_separator").join(
                question.options[i] for i in sorted(question.answer)
            )
        lines.append(
            context.t(
                "quiz.missed_item",
                number=number,
                stem=escape(_short(question.stem)),
                answer=escape(_short(answer, 80)),
            )
        )
    return "\n".join(lines)


async def _show_session(
    update: Update, context: BotContext, session: Session, *, prefix: str = "", edit: bool
) -> None:
    """Show the current question (or the result) by editing the pressed message or sending."""
    if session.active and session.current is not None:
        text = _question_text(context, session)
        keyboard: InlineKeyboardMarkup | None = _question_keyboard(context, session)
    else:
        text = await _finished_text(context, session)
        if session.kind is SessionKind.DAILY:
            text += "\n" + context.t("daily.done")
            keyboard = None
        else:
            bank = session.bank_id if session.kind is SessionKind.QUIZ else None
            keyboard = quiz_finished_keyboard(context.t, bank)
    if prefix:
        text = (
            f"{prefix}\n\n{context.t('quiz.next_divider')}\n\n{text}"
            if session.active
            else (f"{prefix}\n\n{text}")
        )
    query = update.callback_query
    if edit and query is not None and query.message is not None:
        await query.edit_message_text(text, reply_markup=keyboard)
        message_id = query.message.message_id
    else:
        assert update.effective_chat is not None
        sent = await context.bot.send_message(update.effective_chat.id, text, reply_markup=keyboard)
        message_id = sent.message_id
    await context.services.quiz.attach_message(session, message_id)


async def _retire_buttons(update: Update, context: BotContext, message_id: int | None) -> None:
    """Take the keyboard off the message of a session that starting another one just closed."""
    chat, query = update.effective_chat, update.callback_query
    pressed = query.message.message_id if query is not None and query.message else None
    if message_id is None or chat is None or message_id == pressed:
        return
    with contextlib.suppress(TelegramError):  # deleted, or too old to edit
        await context.bot.edit_message_reply_markup(chat.id, message_id, reply_markup=None)
