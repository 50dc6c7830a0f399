"""Keyboards of /settings."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.i18n import Translate
from bot.tg import callbacks as cb
from bot.tg.keyboards.base import button


def settings_keyboard(t: Translate, language: str, daily: bool) -> InlineKeyboardMarkup:
    """/settings: language, daily question, leave."""
    mark = "✅ "
    return InlineKeyboardMarkup(
        [
            [
                button((mark if language == "zh" else "") + "中文", cb.SetLanguage("zh")),
                button((mark if language == "en" else "") + "English", cb.SetLanguage("en")),
            ],
            [
                button(
                    t("settings.daily_on") if daily else t("settings.daily_off"),
                    cb.SetDailyQuestion(not daily),
                )
            ],
            [button(t("settings.leave"), cb.Leave(cb.LeaveStep.ASK))],
        ]
    )


def leave_confirm_keyboard(t: Translate) -> InlineKeyboardMarkup:
    """Ask once more before leaving."""
    return InlineKeyboardMarkup(
        [
            [
                button(t("settings.leave_yes"), cb.Leave(cb.LeaveStep.YES)),
                button(t("common.cancel"), cb.Leave(cb.LeaveStep.NO)),
            ]
        ]
    )
