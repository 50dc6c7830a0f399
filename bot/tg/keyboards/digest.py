"""Keyboards of the leaders' /digest."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.i18n import Translate
from bot.tg import callbacks as cb
from bot.tg.keyboards.base import button


def digest_keyboard(t: Translate) -> InlineKeyboardMarkup:
    """Leaders /digest: this week so far, or last week."""
    return InlineKeyboardMarkup(
        [
            [
                button(t("digest.this_week"), cb.DigestWeek(cb.DigestPeriod.THIS)),
                button(t("digest.last_week"), cb.DigestWeek(cb.DigestPeriod.LAST)),
            ]
        ]
    )
