"""A bare PTB bot that answers each button press with one edit: the baseline for handling."""

from __future__ import annotations

import sys

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes


async def on_press(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press and edit the message, as the quiz does per answer."""
    query = update.callback_query
    assert query is not None
    count = int(query.data or "0") + 1
    await query.answer()
    await query.edit_message_text(
        f"pressed {count}",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data=str(count))]]),
    )


def main() -> None:
    """python bench/echo_bot.py TOKEN BASE_URL."""
    token, base_url = sys.argv[1], sys.argv[2]
    application = (
        Application.builder().token(token).base_url(base_url).concurrent_updates(True).build()
    )
    application.add_handler(CallbackQueryHandler(on_press))
    application.run_polling(allowed_updates=Update.ALL_TYPES, timeout=10)


if __name__ == "__main__":
    main()
