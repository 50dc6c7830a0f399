"""Keyboards of quizzes and /assign."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from bot.config import Department
from bot.i18n import Translate
from bot.tg import callbacks as cb
from bot.tg.keyboards.base import button, rows


def quiz_banks_keyboard(
    t: Translate, banks: Sequence[tuple[str, str, int]]
) -> InlineKeyboardMarkup:
    """/quiz: the mixed bank first, then each bank (id, title, question count)."""
    keyboard = [[button(t("quiz.mixed"), cb.QuizPickBank("mixed"))]]
    keyboard += [
        [button(t("quiz.bank_button", title=title, count=count), cb.QuizPickBank(bank_id))]
        for bank_id, title, count in banks
    ]
    return InlineKeyboardMarkup(keyboard)


def quiz_resume_keyboard(t: Translate, session_id: int) -> InlineKeyboardMarkup:
    """An unfinished session: continue or abandon."""
    return InlineKeyboardMarkup(
        [
            [
                button(t("quiz.continue"), cb.QuizResume(session_id, cb.ResumeAction.CONTINUE)),
                button(t("quiz.abandon"), cb.QuizResume(session_id, cb.ResumeAction.ABANDON)),
            ]
        ]
    )


def quiz_answer_keyboard(
    t: Translate,
    session_id: int,
    position: int,
    letters: Sequence[str],
    *,
    multiple: bool,
    judge: bool,
    selection: frozenset[int] = frozenset(),
) -> InlineKeyboardMarkup:
    """Answer buttons: letters (toggles and Submit for multiple choice), or 正确/错误."""
    if judge:
        return InlineKeyboardMarkup(
            [
                [
                    button("✓ " + t("quiz.judge_true"), cb.QuizAnswer(session_id, position, 0)),
                    button("✗ " + t("quiz.judge_false"), cb.QuizAnswer(session_id, position, 1)),
                ]
            ]
        )
    buttons = [
        button(
            (("☑ " if i in selection else "☐ ") + letter) if multiple else letter,
            cb.QuizAnswer(session_id, position, i),
        )
        for i, letter in enumerate(letters)
    ]
    keyboard = rows(buttons, 4 if len(buttons) <= 4 else 3)
    if multiple:
        keyboard.append([button(t("quiz.submit"), cb.QuizSubmit(session_id, position))])
    return InlineKeyboardMarkup(keyboard)


def quiz_finished_keyboard(t: Translate, bank: str | None) -> InlineKeyboardMarkup:
    """After a session: another round of the same bank, or review."""
    first = [button(t("quiz.again"), cb.QuizPickBank(bank))] if bank else []
    return InlineKeyboardMarkup([[*first, button(t("quiz.review"), cb.QuizReview())]])


def assign_audience_keyboard(
    t: Translate, departments: Sequence[Department]
) -> InlineKeyboardMarkup:
    """Admin /assign: everyone or one department."""
    keyboard = [[button(t("assign.everyone"), cb.AssignAudience("*"))]]
    keyboard += rows((button(d.name, cb.AssignAudience(d.id)) for d in departments), 2)
    return InlineKeyboardMarkup(keyboard)


def assign_deadline_keyboard(t: Translate, department: str) -> InlineKeyboardMarkup:
    """Admin /assign: how many days members have."""
    return InlineKeyboardMarkup(
        rows(
            (
                button(t("assign.days", n=n), cb.AssignDeadline(department, n))
                for n in (3, 7, 14, 30)
            ),
            2,
        )
    )


def assign_banks_keyboard(banks: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    """Admin /assign: which bank."""
    return InlineKeyboardMarkup(
        [[button(title, cb.AssignBank(bank_id))] for bank_id, title in banks]
    )
