"""After a write: the receipt and the added-information answers, 已抄写 and the cleanup button."""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import TelegramError

from bot.i18n import Translate
from bot.services.reports import Submitted
from bot.tg import callbacks as cb
from bot.tg.buttons import Press
from bot.tg.context import BotContext
from bot.tg.handlers.reports.common import CLEANUP, Outgoing
from bot.tg.keyboards import report_cleanup_keyboard, report_receipt_keyboard


async def receipt_done(
    update: Update, context: BotContext, press: Press[cb.ReportReceiptDone]
) -> None:
    """已抄写: the receipt deletes itself."""
    query = press.query
    await query.answer()
    if query.message is not None:
        with contextlib.suppress(TelegramError):  # already gone
            await context.bot.delete_message(query.message.chat.id, query.message.message_id)


async def cleanup(update: Update, context: BotContext, press: Press[cb.ReportCleanup]) -> None:
    """Delete this conversation's messages (the reporter's and the bot's) from the chat."""
    query = press.query
    kept = context.user_data.pop(CLEANUP, None)
    if kept is None or query.message is None:
        await query.answer(context.t("reports.cleanup_nothing"), show_alert=True)
        return
    await query.answer(context.t("reports.cleanup_done"))
    chat_id, pressed = query.message.chat.id, query.message.message_id
    # The receipt itself stays until 已抄写; any other message with the button goes too.
    keep = press.data.keep
    ids = [i for i in kept[1] if i != pressed] + ([] if keep else [pressed])
    with contextlib.suppress(TelegramError):  # some may be gone or too old already
        await context.bot.delete_messages(chat_id, ids[:100])
    if keep:
        with contextlib.suppress(TelegramError):
            await context.bot.edit_message_reply_markup(
                chat_id, pressed, reply_markup=report_receipt_keyboard(context.t, cleanup=False)
            )


def receipt(t: Translate, chat_id: int, submitted: Submitted) -> Outgoing:
    """The receipt: the code, shown here only, protected from forwarding and saving."""
    return Outgoing(
        chat_id,
        t("reports.submitted", code=submitted.code.formatted()),
        report_receipt_keyboard(t),
        protect=True,
    )


def information_reply(t: Translate, chat_id: int, saved: bool) -> Outgoing:
    """Added information is stored (or the report was gone meanwhile)."""
    if not saved:
        return Outgoing(chat_id, t("reports.info_gone"))
    return Outgoing(chat_id, t("reports.info_saved"), report_cleanup_keyboard(t))
