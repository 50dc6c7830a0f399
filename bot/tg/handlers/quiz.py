"""Quizzes in chat: /quiz, /review, the daily question, assigned tests and /me.

A whole session lives in one message: each answer edits it to show the verdict, the
explanation and source, and the next question — one rate-limited call per answer.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from telegram import InlineKeyboardMarkup, Update

from bot.domain.mistakes import ReviewCard
from bot.domain.questions import LETTERS, Question, QuestionType
from bot.domain.quiz import (
    MIXED,
    Session,
    SessionKind,
    duration,
    score_percent,
)
from bot.services.quiz import AnswerOutcome, NothingToAsk
from bot.tg import callbacks as cb
from bot.tg.buttons import Press
from bot.tg.context import BotContext
from bot.tg.keyboards import (
    button,
    quiz_answer_keyboard,
    quiz_banks_keyboard,
    quiz_finished_keyboard,
    quiz_resume_keyboard,
)

MAX_MISSED_SHOWN = 10


# --- rendering -------------------------------------------------------------------------------


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


# --- /quiz -----------------------------------------------------------------------------------


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
    try:
        session = await services.quiz.start(
            press.caller.user_id, SessionKind.QUIZ, services.now(), bank_id=bank
        )
    except NothingToAsk:
        await query.answer(context.t("quiz.no_questions"), show_alert=True)
        return
    await query.answer()
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


# --- /review ---------------------------------------------------------------------------------


async def _start_review(update: Update, context: BotContext, *, edit: bool) -> None:
    assert context.caller is not None
    services = context.services
    now = services.now()
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
    await _show_session(update, context, session, edit=False)


# --- /me -------------------------------------------------------------------------------------


async def me(update: Update, context: BotContext) -> None:
    """/me: my attempts, average score, weakest topics, mistakes due."""
    if update.effective_message is None or context.caller is None:
        return
    services = context.services
    progress = await services.quiz.progress(context.caller.user_id, services.now())
    t = context.t
    lines = [t("me.title")]
    if progress.answered == 0:
        lines.append(t("me.nothing_yet"))
    else:
        average = (
            t("me.no_average")
            if progress.average_score is None
            else f"{round(progress.average_score)}"
        )
        lines.append(t("me.sessions", sessions=progress.sessions, average=average))
        lines.append(
            t(
                "me.answered",
                answered=progress.answered,
                rate=score_percent(progress.right, progress.answered),
            )
        )
        if progress.weakest_tags:
            items = t("common.list_separator").join(
                t("me.weak_item", tag=escape(tag), right=right, answered=answered)
                for tag, answered, right in progress.weakest_tags
            )
            lines.append(t("me.weakest", items=items))
    if progress.review_total:
        lines.append(t("me.review", due=progress.review_due, total=progress.review_total))
        if progress.review_due:
            lines.append(t("me.review_action"))
    # A mistake book: a button starts the review (or says when the first item comes due).
    markup = (
        InlineKeyboardMarkup([[button(t("me.review_button"), cb.QuizReview())]])
        if progress.review_total
        else None
    )
    await update.effective_message.reply_text("\n".join(lines), reply_markup=markup)
