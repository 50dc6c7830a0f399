"""Quizzes in chat: /quiz, /review, the daily question, assigned tests and /me.

A whole session lives in one message: each answer edits it to show the verdict, the
explanation and source, and the next question — one rate-limited call per answer.

The package: `views` (rendering a session), `play` (/quiz and the answer buttons), `starts`
(/review, the daily question, assigned tests) and `progress` (/me).
"""

from __future__ import annotations

from bot.tg.handlers.quiz.play import answer, pick_bank, quiz, resume, submit
from bot.tg.handlers.quiz.progress import me
from bot.tg.handlers.quiz.starts import (
    assignment_start,
    daily_key,
    daily_start,
    review,
    review_button,
)
from bot.tg.handlers.quiz.views import MAX_MISSED_SHOWN

__all__ = [
    "MAX_MISSED_SHOWN",
    "answer",
    "assignment_start",
    "daily_key",
    "daily_start",
    "me",
    "pick_bank",
    "quiz",
    "resume",
    "review",
    "review_button",
    "submit",
]
