"""Building blocks of every inline keyboard: a button from typed callback data, rows."""

from __future__ import annotations

from collections.abc import Iterable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.tg import callbacks as cb


def button(text: str, data: cb.CallbackData) -> InlineKeyboardButton:
    """One button carrying typed callback data."""
    return InlineKeyboardButton(text, callback_data=data.encode())


def rows(buttons: Iterable[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    """Lay buttons out `width` per row."""
    items = list(buttons)
    return [items[i : i + width] for i in range(0, len(items), width)]


def single_button(text: str, data: cb.CallbackData) -> InlineKeyboardMarkup:
    """A keyboard of one button."""
    return InlineKeyboardMarkup([[button(text, data)]])
