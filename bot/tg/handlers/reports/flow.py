"""The reporter's handlers put together: the conversation, its buttons, the receipt-code router."""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.domain.reports import looks_like_receipt_code
from bot.tg import callbacks as cb
from bot.tg.buttons import button
from bot.tg.context import BotContext
from bot.tg.handlers.reports.common import Step, cancel, press_a_button, stale_step, text_only
from bot.tg.handlers.reports.compose import (
    attachment,
    attachment_hint,
    attachments_done,
    body,
    body_text_only,
    confirm,
    pick_category,
    pick_unit,
    report,
    unit_text,
)
from bot.tg.handlers.reports.lookup import ask_info, code, info, status
from bot.tg.handlers.reports.receipts import cleanup, receipt_done


class _ReceiptLike(filters.MessageFilter):
    """A message whose text or caption could carry a receipt code."""

    def filter(self, message: Message) -> bool:
        return looks_like_receipt_code(message.text or message.caption)


RECEIPT_LIKE = _ReceiptLike(name="RECEIPT_LIKE")


@dataclass(frozen=True)
class ReportFlow:
    """Every handler of the reporter's side; the access gate writes nothing for their updates."""

    conversation: ConversationHandler
    code_handlers: tuple[BaseHandler, ...]  # the handlers that take a receipt code
    receipt_buttons: tuple[BaseHandler, ...]  # 已抄写 and cleanup, outside the conversation
    stale_buttons: tuple[BaseHandler, ...]  # reporter buttons of steps that are over
    router: BaseHandler  # routes or deletes anything that looks like a receipt code

    @property
    def buttons(self) -> tuple[BaseHandler, ...]:
        """The reporter's buttons outside the conversation."""
        return (*self.receipt_buttons, *self.stale_buttons)

    @property
    def public(self) -> tuple[BaseHandler, ...]:
        """What a stranger may reach when reports are open to anyone."""
        return (self.conversation, *self.receipt_buttons)

    @property
    def handlers(self) -> tuple[BaseHandler, ...]:
        """All of them, for the gate (the conversation first)."""
        return (self.conversation, *self.buttons, self.router)


def build_flow() -> ReportFlow:
    """/report and /status as one conversation, its buttons, and the receipt-code router."""
    text = filters.TEXT & ~filters.COMMAND
    other = ~filters.COMMAND
    files = filters.PHOTO | filters.Document.ALL
    status_command: CommandHandler[BotContext, object] = CommandHandler("status", status)
    code_text: MessageHandler[BotContext, object] = MessageHandler(text, code)
    with warnings.catch_warnings():
        # PTB warns that with per_message=False a button is tracked per chat, not per message.
        # That is the intent: one draft per person, and its buttons belong to that draft.
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        conversation = ConversationHandler(
            entry_points=[CommandHandler("report", report), status_command],
            states={
                Step.CATEGORY: [
                    CallbackQueryHandler(pick_category, pattern=cb.ReportCategory.pattern()),
                    MessageHandler(other, press_a_button),
                ],
                Step.UNIT: [
                    CallbackQueryHandler(pick_unit, pattern=cb.ReportUnit.pattern()),
                    MessageHandler(other, press_a_button),
                ],
                Step.UNIT_TEXT: [MessageHandler(text, unit_text), MessageHandler(other, text_only)],
                Step.BODY: [MessageHandler(text, body), MessageHandler(other, body_text_only)],
                Step.ATTACHMENTS: [
                    MessageHandler(files, attachment),
                    CallbackQueryHandler(attachments_done, pattern=cb.ReportAttachDone.pattern()),
                    MessageHandler(other, attachment_hint),
                ],
                Step.PREVIEW: [
                    CallbackQueryHandler(confirm, pattern=cb.ReportConfirm.pattern()),
                    MessageHandler(other, press_a_button),
                ],
                Step.CODE: [code_text, MessageHandler(other, text_only)],
                # After the status is shown, only its button belongs to us; anything else
                # goes on to the rest of the bot.
                Step.VIEW: [CallbackQueryHandler(ask_info, pattern=cb.ReportAddInfo.pattern())],
                Step.INFO: [MessageHandler(text, info), MessageHandler(other, text_only)],
            },
            fallbacks=[CommandHandler("cancel", cancel)],
            allow_reentry=True,
            name="anonymous_reports",
            persistent=False,
        )
    receipt_buttons = (
        button(cb.ReportReceiptDone, receipt_done),
        button(cb.ReportCleanup, cleanup),
    )
    stale_buttons = tuple(
        CallbackQueryHandler(stale_step, pattern=data.pattern())
        for data in (
            cb.ReportCategory,
            cb.ReportUnit,
            cb.ReportAttachDone,
            cb.ReportConfirm,
            cb.ReportAddInfo,
        )
    )
    code_handlers: tuple[BaseHandler, ...] = (status_command, code_text)

    async def route(update: Update, context: BotContext) -> None:
        await _route_code(conversation, code_handlers, update, context)

    router = MessageHandler(RECEIPT_LIKE, route)
    return ReportFlow(conversation, code_handlers, receipt_buttons, stale_buttons, router)


async def _route_code(
    conversation: ConversationHandler,
    code_handlers: tuple[BaseHandler, ...],
    update: Update,
    context: BotContext,
) -> None:
    """A message that looks like a receipt code: to /status if it asked for one, else deleted.

    Runs before every conversation (a broadcast draft, a reviewer's note) could take the text,
    so a code never lands in another input, never stays in the chat, and is never echoed.
    """
    message = update.effective_message
    check = conversation.check_update(update)
    if isinstance(check, tuple) and check[2] in code_handlers:
        await conversation.handle_update(update, context.application, check, context)
        raise ApplicationHandlerStop
    if message is not None:
        with contextlib.suppress(TelegramError):
            await message.delete()
        assert update.effective_chat is not None
        await context.bot.send_message(
            update.effective_chat.id, context.t("reports.code_elsewhere")
        )
    raise ApplicationHandlerStop
