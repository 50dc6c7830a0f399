"""Notes and messages to the reporter: a reviewer types one, the role is checked again on saving."""

from __future__ import annotations

import warnings
from datetime import timedelta
from enum import IntEnum

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.domain.members import Role
from bot.domain.reports import check_length
from bot.tg import callbacks as cb
from bot.tg.access import refuse
from bot.tg.buttons import Press, press_callback
from bot.tg.context import BotContext
from bot.tg.conversations import YieldingConversation
from bot.tg.handlers.report_review.cards import _show_card
from bot.tg.handlers.report_review.common import _is_reviewer

INPUT = "report_review_input"  # user_data: ("note" | "reply", ref) while a reviewer types
INPUT_MAX = 2000
INPUT_TIMEOUT = timedelta(minutes=15)
END = ConversationHandler.END


class InputStep(IntEnum):
    """A reviewer typing a note or a message to the reporter."""

    TEXT = 1


def input_conversation() -> YieldingConversation:
    """A reviewer types one note or one message; any command abandons it, /cancel included."""
    with warnings.catch_warnings():
        # Per chat on purpose: a reviewer types one input at a time.
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        return YieldingConversation(
            entry_points=[
                CallbackQueryHandler(
                    press_callback(cb.ReportNote, start_note, role=Role.REVIEWER),
                    pattern=cb.ReportNote.pattern(),
                ),
                CallbackQueryHandler(
                    press_callback(cb.ReportReply, start_reply, role=Role.REVIEWER),
                    pattern=cb.ReportReply.pattern(),
                ),
            ],
            states={
                InputStep.TEXT: [
                    MessageHandler(filters.TEXT & ~filters.COMMAND, save_input),
                    MessageHandler(~filters.COMMAND, input_text_only),
                ],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, input_timed_out)],
            },
            # Any command ends the input (another one before it runs, see
            # bot/tg/conversations.py), so a text typed later never lands in a note.
            fallbacks=[CommandHandler("cancel", abandon_input)],
            on_end=abandon_input,
            allow_reentry=True,
            conversation_timeout=INPUT_TIMEOUT.total_seconds(),
            name="report_review_input",
            persistent=False,
        )


async def _start_input(update: Update, context: BotContext, kind: str, ref: str) -> int | None:
    query = update.callback_query
    assert query is not None
    if await context.services.reports.view(ref) is None:
        await query.answer(context.t("reports.not_found"), show_alert=True)
        return END
    context.user_data[INPUT] = (kind, ref)
    await query.answer()
    key = "reports.ask_note" if kind == "note" else "reports.ask_reply"
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, context.t(key, ref=ref, max=INPUT_MAX))
    return InputStep.TEXT


async def start_note(
    update: Update, context: BotContext, press: Press[cb.ReportNote]
) -> int | None:
    """内部备注: ask for the note (registered for reviewers)."""
    return await _start_input(update, context, "note", press.data.ref)


async def start_reply(
    update: Update, context: BotContext, press: Press[cb.ReportReply]
) -> int | None:
    """回复反映人: ask for the message (registered for reviewers)."""
    return await _start_input(update, context, "reply", press.data.ref)


async def save_input(update: Update, context: BotContext) -> int | None:
    """The typed note or message: the role is checked again before saving (audited)."""
    message = update.effective_message
    pending = context.user_data.get(INPUT)
    if message is None or pending is None:
        return END
    if not _is_reviewer(context):
        context.user_data.pop(INPUT, None)
        await refuse(update, context, "access.no_permission")
        return END
    text = (message.text or "").strip()
    if check_length(text, 1, INPUT_MAX) is not None:
        await message.reply_text(context.t("reports.input_bad", max=INPUT_MAX))
        return None
    kind, ref = pending
    context.user_data.pop(INPUT, None)
    services = context.services
    assert context.caller is not None
    reviewer = context.caller.user_id
    if kind == "note":
        saved = await services.reports.add_note(ref, reviewer, text, services.now())
    else:
        saved = await services.reports.reply(ref, reviewer, text, services.now())
    view = await services.reports.view(ref) if saved else None
    if view is None:
        await message.reply_text(context.t("reports.not_found"))
        return END
    await message.reply_text(
        context.t("reports.note_saved" if kind == "note" else "reports.reply_saved")
    )
    await _show_card(update, context, view, edit=False)
    return END


async def input_text_only(update: Update, context: BotContext) -> None:
    """A photo or sticker where a note is expected."""
    if update.effective_message:
        await update.effective_message.reply_text(context.t("reports.input_text_only"))


async def abandon_input(update: Update, context: BotContext) -> int:
    """A command while typing: nothing is saved; say so, and how to go on."""
    context.user_data.pop(INPUT, None)
    if update.effective_message:
        await update.effective_message.reply_text(context.t("reports.input_cancelled"))
    return END


async def input_timed_out(update: Update, context: BotContext) -> None:
    """Nothing was typed in time."""
    context.user_data.pop(INPUT, None)
