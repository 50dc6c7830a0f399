"""Anonymous reports, the reporter's side: /report (a guided draft) and /status (receipt code).

What this module does to keep the promise that the bot never stores or logs who reported, nor
when closely enough to guess who:
- the draft lives only in this conversation's memory (`user_data`; the bot has no persistence)
  and is dropped on submit, /cancel and after 30 idle minutes (checked when the reporter writes
  again and swept at every write tick: no timer job, so no missed-job log line with its time);
- 确认提交 and added information are queued in memory and written at the next fixed-time tick
  (`bot/tg/report_jobs.py`); the receipt code is shown only once the report is stored;
- the Telegram id is used only to derive the opaque key of the in-memory abuse limits; the chat
  to answer is kept in memory until the tick has answered it;
- the access gate writes nothing for updates handled here (no member row), and the error
  handler neither logs them nor tells admins (a count goes out with the next hourly batch);
- a message that looks like a receipt code is deleted at once, and taken only by /status;
- there is deliberately no logging here (a log line's timestamp is a time of day).
"""

from __future__ import annotations

import contextlib
import functools
import math
import warnings
from collections.abc import Awaitable, Callable, Coroutine, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum
from html import escape
from typing import Any

from telegram import InlineKeyboardMarkup, MaybeInaccessibleMessage, Message, Update
from telegram.error import Forbidden, TelegramError
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

from bot.domain.attachments import uncleanable_picture
from bot.domain.reports import (
    Category,
    Direction,
    Draft,
    LengthProblem,
    ReportMessage,
    check_length,
    clip,
    looks_like_receipt_code,
    utf16_len,
)
from bot.i18n import Translate
from bot.services.reports import LookupOutcome, Submitted
from bot.tg import callbacks as cb
from bot.tg.buttons import Press, button, decoded
from bot.tg.callbacks import CallbackDataError
from bot.tg.context import BotContext
from bot.tg.keyboards import (
    report_categories_keyboard,
    report_cleanup_keyboard,
    report_confirm_keyboard,
    report_done_keyboard,
    report_receipt_keyboard,
    report_status_keyboard,
    report_units_keyboard,
)
from bot.tg.report_copies import Copied, Refused, clean_copy

DRAFT = "report_draft"  # user_data: the Draft being written
FOUND = "report_found"  # user_data: row id of the report /status found, while it runs
TOUCHED = "report_touched"  # user_data: when the reporter last acted in this conversation
FLOW = "report_flow"  # user_data: ids of this conversation's messages, for the cleanup button
CLEANUP = "report_cleanup"  # user_data: (when, ids) the cleanup button deletes
EXPIRED = "report_expired"  # user_data: a draft was dropped for being idle (say so once)
TIMEOUT = timedelta(minutes=30)
CLEANUP_KEPT = timedelta(hours=47)  # Telegram lets a bot delete messages for 48 hours
UNIT_MAX = 60
TEXT_BUDGET = 3600  # UTF-16 units of user text in one message (Telegram allows 4096 in all)
END = ConversationHandler.END


class Step(IntEnum):
    """Where the conversation stands."""

    CATEGORY = 1
    UNIT = 2
    UNIT_TEXT = 3
    BODY = 4
    ATTACHMENTS = 5
    PREVIEW = 6
    CODE = 7
    VIEW = 8
    INFO = 9


class _ReceiptLike(filters.MessageFilter):
    """A message whose text or caption could carry a receipt code."""

    def filter(self, message: Message) -> bool:
        return looks_like_receipt_code(message.text or message.caption)


RECEIPT_LIKE = _ReceiptLike(name="RECEIPT_LIKE")


@dataclass(frozen=True)
class Recipient:
    """Whom a tick answers once it has stored a queued write (kept in memory only)."""

    chat_id: int = field(repr=False)
    language: str
    sender: str = field(repr=False)


@dataclass(frozen=True)
class Outgoing:
    """A message to a reporter, kept in memory when it could not be sent yet."""

    chat_id: int = field(repr=False)
    text: str = field(repr=False)
    markup: InlineKeyboardMarkup | None = None
    protect: bool = False


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


# --- helpers ---------------------------------------------------------------------------------


def _forget(context: BotContext) -> bool:
    """Drop whatever this conversation held in memory; True if a draft had content."""
    draft: Draft | None = context.user_data.pop(DRAFT, None)
    context.user_data.pop(FOUND, None)
    context.user_data.pop(TOUCHED, None)
    context.user_data.pop(FLOW, None)
    context.user_data.pop(EXPIRED, None)
    return draft is not None and draft.category is not None


def _draft(context: BotContext) -> Draft | None:
    return context.user_data.get(DRAFT)


def _track(context: BotContext, *messages: MaybeInaccessibleMessage | None) -> None:
    """Remember messages of this conversation, for the cleanup button."""
    ids: list[int] = context.user_data.setdefault(FLOW, [])
    ids.extend(m.message_id for m in messages if m is not None and m.message_id not in ids)


def _offer_cleanup(
    context: BotContext, now: datetime, *extra: MaybeInaccessibleMessage | None
) -> None:
    """What the cleanup button will delete: this conversation's messages so far."""
    _track(context, *extra)
    context.user_data[CLEANUP] = (now, list(context.user_data.get(FLOW, [])))


def expire_idle(user_data: Mapping[int, MutableMapping[str, Any]], now: datetime) -> None:
    """Drop drafts idle for TIMEOUT and cleanup lists Telegram no longer honours (memory only)."""
    for data in user_data.values():
        touched = data.get(TOUCHED)
        if touched is not None and now - touched > TIMEOUT:
            draft = data.get(DRAFT)
            for key in (DRAFT, FOUND, TOUCHED, FLOW):
                data.pop(key, None)
            if draft is not None and draft.category is not None:
                data[EXPIRED] = True
        kept = data.get(CLEANUP)
        if kept is not None and now - kept[0] > CLEANUP_KEPT:
            data.pop(CLEANUP, None)


def _category_name(context: BotContext, category: Category) -> str:
    return context.t(f"reports.category.{category.value}")


async def _quietly(context: BotContext, call: Awaitable[object]) -> object | None:
    """A Telegram call whose failure must not undo what is already queued: counted, not raised."""
    try:
        return await call
    except Forbidden:
        return None  # blocked the bot: nothing to count, nothing to write
    except TelegramError:
        context.services.reports.problem()
        return None


async def _say(
    update: Update,
    context: BotContext,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> Message:
    """Send into the chat (not as a reply: the message replied to may have been deleted)."""
    assert update.effective_chat is not None
    sent = await context.bot.send_message(update.effective_chat.id, text, reply_markup=reply_markup)
    _track(context, sent)
    return sent


async def _reply(
    update: Update, context: BotContext, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Answer the reporter's message, and remember both for the cleanup button."""
    message = update.effective_message
    if message is None:
        return None
    sent = await message.reply_text(text, reply_markup=reply_markup)
    _track(context, message, sent)
    return sent


StepHandler = Callable[[Update, BotContext], Coroutine[Any, Any, int | None]]


def _step(handler: StepHandler) -> StepHandler:
    """A step of a running conversation: expired after TIMEOUT idle, else touched and run."""

    @functools.wraps(handler)
    async def checked(update: Update, context: BotContext) -> int | None:
        now = context.services.now()
        touched = context.user_data.get(TOUCHED)
        if touched is None or now - touched > TIMEOUT:
            lost = context.user_data.pop(EXPIRED, False) | _forget(context)
            key = "reports.timed_out" if lost else "reports.stale_step"
            text = context.t(key, minutes=int(TIMEOUT.total_seconds() // 60))
            if update.callback_query:
                await update.callback_query.answer(text, show_alert=True)
            elif update.effective_message:
                await update.effective_message.reply_text(text)
            return END
        context.user_data[TOUCHED] = now
        return await handler(update, context)

    return checked


@_step
async def press_a_button(update: Update, context: BotContext) -> None:
    """Typing where a button is expected."""
    await _reply(update, context, context.t("reports.press_a_button"))


@_step
async def text_only(update: Update, context: BotContext) -> None:
    """A photo, sticker… where text is expected."""
    await _reply(update, context, context.t("reports.text_only"))


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel at any step: nothing is kept."""
    _forget(context)
    if update.effective_message:
        await update.effective_message.reply_text(context.t("reports.cancelled"))
    return END


async def stale_step(update: Update, context: BotContext) -> None:
    """A reporter's button outside its step (an old message, after a restart or timeout)."""
    if update.callback_query:
        await update.callback_query.answer(context.t("reports.stale_step"), show_alert=True)


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


def _minutes_to_tick(context: BotContext, now: datetime) -> int:
    wait = context.services.reports.next_write(now) - now
    return max(1, math.ceil(wait.total_seconds() / 60))


# --- /report ---------------------------------------------------------------------------------


async def report(update: Update, context: BotContext) -> int:
    """/report: say what is and is not stored, then ask for the category."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return END
    services = context.services
    dropped = _forget(context)
    sender = services.reports.sender(user.id)
    if not services.reports.may_submit(sender, services.now()):
        await message.reply_text(
            context.t("reports.limit_reached", limit=services.config.reports.max_per_day)
        )
        return END
    context.user_data[DRAFT] = Draft()
    context.user_data[TOUCHED] = services.now()
    text = context.t("reports.intro")
    if dropped:
        text = context.t("reports.draft_dropped") + "\n\n" + text
    await _reply(update, context, text, report_categories_keyboard(context.t))
    return Step.CATEGORY


@_step
async def pick_category(update: Update, context: BotContext) -> int | None:
    """Category chosen: ask for the unit."""
    query = update.callback_query
    assert query is not None
    draft = _draft(context)
    try:
        category: Category | None = decoded(update, cb.ReportCategory).category
    except CallbackDataError:
        category = None
    if draft is None or category is None:
        await query.answer(context.t("reports.stale_step"), show_alert=True)
        return None
    draft.category = category
    await query.answer()
    await query.edit_message_text(
        context.t("reports.choose_unit", category=_category_name(context, category)),
        reply_markup=report_units_keyboard(context.t, context.services.config.departments),
    )
    return Step.UNIT


@_step
async def pick_unit(update: Update, context: BotContext) -> int | None:
    """Unit chosen: ask for the description (or for the unit's name first)."""
    query = update.callback_query
    assert query is not None
    draft = _draft(context)
    choice = decoded(update, cb.ReportUnit).unit
    department = context.services.config.department(choice)
    if draft is None or draft.category is None or (department is None and choice != "*"):
        await query.answer(context.t("reports.stale_step"), show_alert=True)
        return None
    await query.answer()
    if department is None:
        await query.edit_message_text(context.t("reports.ask_unit", max=UNIT_MAX))
        return Step.UNIT_TEXT
    draft.unit = department.name
    await query.edit_message_text(_ask_body_text(context, draft))
    return Step.BODY


def _ask_body_text(context: BotContext, draft: Draft) -> str:
    assert draft.category is not None
    assert draft.unit is not None
    limits = context.services.config.reports
    return context.t(
        "reports.ask_body",
        category=_category_name(context, draft.category),
        unit=escape(draft.unit),
        min=limits.min_length,
        max=limits.max_length,
    )


@_step
async def unit_text(update: Update, context: BotContext) -> int | None:
    """The name of another unit, typed in."""
    message = update.effective_message
    draft = _draft(context)
    if message is None or draft is None:
        return END
    name = " ".join((message.text or "").split())
    if check_length(name, 1, UNIT_MAX) is not None:
        await _reply(update, context, context.t("reports.unit_bad", max=UNIT_MAX))
        return None
    draft.unit = name
    await _reply(update, context, _ask_body_text(context, draft))
    return Step.BODY


@_step
async def body(update: Update, context: BotContext) -> int | None:
    """The description, within the configured bounds."""
    message = update.effective_message
    draft = _draft(context)
    if message is None or draft is None:
        return END
    limits = context.services.config.reports
    text = (message.text or "").strip()
    problem = check_length(text, limits.min_length, limits.max_length)
    if problem is LengthProblem.TOO_SHORT:
        await _reply(
            update,
            context,
            context.t("reports.body_too_short", length=len(text), min=limits.min_length),
        )
        return None
    if problem is LengthProblem.TOO_LONG:
        await _reply(
            update,
            context,
            context.t("reports.body_too_long", length=len(text), max=limits.max_length),
        )
        return None
    draft.body = text
    if limits.max_attachments == 0:
        await _reply(
            update, context, _preview_text(context, draft), report_confirm_keyboard(context.t)
        )
        return Step.PREVIEW
    await _reply(
        update,
        context,
        context.t("reports.ask_attachments", max=limits.max_attachments),
        report_done_keyboard(context.t),
    )
    return Step.ATTACHMENTS


@_step
async def body_text_only(update: Update, context: BotContext) -> None:
    """A file before the description."""
    await _reply(update, context, context.t("reports.body_text_only"))


@_step
async def attachment(update: Update, context: BotContext) -> int | None:
    """A photo or document for the draft, up to the configured count."""
    message = update.effective_message
    draft = _draft(context)
    if message is None or draft is None:
        return END
    limit = context.services.config.reports.max_attachments
    if len(draft.attachments) >= limit:
        await _reply(
            update,
            context,
            context.t("reports.attachment_limit", max=limit),
            report_done_keyboard(context.t),
        )
        return None
    # Only the clean copy's file id is kept (bot/tg/report_copies.py): not the original's, not
    # the caption, not a document's file name.
    document = message.document
    if document is not None and uncleanable_picture(document.mime_type, document.file_name):
        outcome: Copied | Refused = Refused("reports.attachment_unsupported_picture")
    else:
        number = len(draft.attachments) + 1
        caption = context.t("reports.attachment_copy", number=number)
        outcome = await clean_copy(message, number, caption)
    if isinstance(outcome, Refused):
        await _reply(update, context, context.t(outcome.key), report_done_keyboard(context.t))
        return None
    draft.attachments.append(outcome.attachment)
    _track(context, message, outcome.message)
    await _reply(
        update,
        context,
        context.t("reports.attachment_added", count=len(draft.attachments), max=limit),
        report_done_keyboard(context.t),
    )
    return None


@_step
async def attachment_hint(update: Update, context: BotContext) -> None:
    """Text or another kind of message while attachments are expected."""
    await _reply(update, context, context.t("reports.attachment_hint"))


def _preview_text(context: BotContext, draft: Draft) -> str:
    assert draft.category is not None
    assert draft.unit is not None
    shown = clip(draft.body, TEXT_BUDGET)
    text = context.t(
        "reports.preview",
        category=_category_name(context, draft.category),
        unit=escape(draft.unit),
        attachments=len(draft.attachments),
        body=escape(shown),
    )
    if shown != draft.body:
        text += "\n" + context.t("reports.preview_clipped", length=len(draft.body))
    return text


@_step
async def attachments_done(update: Update, context: BotContext) -> int | None:
    """完成: show the preview in place of the button's message."""
    query = update.callback_query
    assert query is not None
    draft = _draft(context)
    if draft is None or not draft.body:
        await query.answer(context.t("reports.stale_step"), show_alert=True)
        return None
    await query.answer()
    await query.edit_message_text(
        _preview_text(context, draft), reply_markup=report_confirm_keyboard(context.t)
    )
    return Step.PREVIEW


@_step
async def confirm(update: Update, context: BotContext) -> int | None:
    """Queue the report for the next tick (the code comes once it is stored), or drop it."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None
    assert user is not None
    draft = _draft(context)
    if draft is None or not draft.body or query.message is None:
        await query.answer(context.t("reports.stale_step"), show_alert=True)
        return None
    send = decoded(update, cb.ReportConfirm).send
    if not send:
        _forget(context)
        await query.answer()
        await query.edit_message_text(context.t("reports.cancelled"))
        return END
    services = context.services
    now = services.now()
    sender = services.reports.sender(user.id)
    recipient = Recipient(query.message.chat.id, context.language, sender)
    # Queued first: whatever happens to the answers below, the tick stores it and sends the code.
    if not services.reports.queue_report(draft, sender, now, recipient):
        _forget(context)
        await query.answer()
        await query.edit_message_text(
            context.t("reports.limit_reached", limit=services.config.reports.max_per_day)
        )
        return END
    _offer_cleanup(context, now, query.message)
    _forget(context)
    await _quietly(context, query.answer())
    # The preview (with the text) becomes the "saving" notice; the code follows at the tick.
    await _quietly(
        context,
        query.edit_message_text(
            context.t("reports.saving", minutes=_minutes_to_tick(context, now))
        ),
    )
    return END


# --- /status ---------------------------------------------------------------------------------


async def status(update: Update, context: BotContext) -> int | None:
    """/status [code]: ask for the receipt code (or check the one given)."""
    message = update.effective_message
    if message is None:
        return END
    dropped = _forget(context)
    context.user_data[TOUCHED] = context.services.now()
    _track(context, message)
    if context.args:
        return await _check_code(update, context, " ".join(context.args))
    text = context.t("reports.status_ask")
    if dropped:
        text = context.t("reports.draft_dropped") + "\n\n" + text
    await _reply(update, context, text)
    return Step.CODE


async def code(update: Update, context: BotContext) -> int | None:
    """The receipt code, typed (checked however long /status waited: it must be deleted)."""
    message = update.effective_message
    if message is None:
        return END
    context.user_data[TOUCHED] = context.services.now()
    return await _check_code(update, context, message.text or "")


async def _check_code(update: Update, context: BotContext, typed: str) -> int | None:
    message = update.effective_message
    user = update.effective_user
    assert message is not None
    assert user is not None
    # First remove the code from the chat, whatever it turns out to be: a phone left unlocked
    # must not show it.
    with contextlib.suppress(TelegramError):  # already gone, or too old: nothing to record
        await message.delete()
    services = context.services
    reports = services.reports
    found = await reports.lookup(typed, reports.sender(user.id), services.now())
    if found.outcome is LookupOutcome.LOCKED:
        minutes = math.ceil((found.wait or timedelta(0)).total_seconds() / 60)
        await _say(update, context, context.t("reports.status_locked", minutes=max(1, minutes)))
        return END
    if found.outcome is LookupOutcome.MALFORMED:
        await _say(update, context, context.t("reports.status_malformed"))
        return Step.CODE
    if found.outcome is LookupOutcome.WRONG or found.report is None:
        await _say(update, context, context.t("reports.status_wrong"))
        return Step.CODE
    report = found.report
    context.user_data[FOUND] = report.id
    lines = [
        context.t(
            "reports.status_view",
            date=report.submitted_on.isoformat(),
            category=_category_name(context, report.category),
            unit=escape(report.unit),
            status=context.t(f"reports.state.{report.status.value}"),
        ),
        "",
    ]
    thread = await reports.thread(report.id)
    if thread:
        lines.append(context.t("reports.status_thread_title"))
        lines += thread_lines(context.t, thread, reporter_view=True)[0]
    else:
        lines.append(context.t("reports.status_no_messages"))
    view = await _say(update, context, "\n".join(lines), report_status_keyboard(context.t))
    _offer_cleanup(context, services.now(), view)
    return Step.VIEW


def thread_lines(
    t: Translate,
    thread: list[ReportMessage],
    *,
    reporter_view: bool,
    budget: int = 3000,
    item_limit: int = 1500,
) -> tuple[list[str], int]:
    """A thread as lines, newest kept when it does not fit; and how many were left out.

    Each message is a bold label line and its text in a quote block: whatever a reporter
    types (new lines, "纪检监察组（…）：") stays inside their own quote and cannot pass for a
    reviewer's message.
    """
    keys = {
        (True, Direction.REVIEWER): "reports.from_reviewer",
        (True, Direction.REPORTER): "reports.from_reporter",
        (False, Direction.REVIEWER): "reports.card_from_reviewer",
        (False, Direction.REPORTER): "reports.card_from_reporter",
    }
    lines: list[str] = []
    used = 0
    for item in reversed(thread):
        line = t(
            keys[(reporter_view, item.direction)],
            date=item.sent_on.isoformat(),
            body=quoted(clip(item.body, item_limit)),
        )
        if lines and used + utf16_len(line) > budget:
            break
        lines.append(line)
        used += utf16_len(line)
    hidden = len(thread) - len(lines)
    if hidden:
        lines.append(t("reports.older", count=hidden))
    return list(reversed(lines)), hidden


def quoted(text: str) -> str:
    """Untrusted text as an HTML quote block (escaped, so it cannot close the block)."""
    return f"<blockquote>{escape(text)}</blockquote>"


@_step
async def ask_info(update: Update, context: BotContext) -> int | None:
    """补充信息: ask for one more text."""
    query = update.callback_query
    assert query is not None
    if context.user_data.get(FOUND) is None:
        await query.answer(context.t("reports.stale_step"), show_alert=True)
        return None
    await query.answer()
    await _say(
        update,
        context,
        context.t("reports.ask_info", max=context.services.config.reports.max_length),
    )
    return Step.INFO


@_step
async def info(update: Update, context: BotContext) -> int | None:
    """The added information: queued for the next tick, stored as the reporter's message."""
    message = update.effective_message
    user = update.effective_user
    report_id = context.user_data.get(FOUND)
    if message is None or user is None or report_id is None:
        return END
    services = context.services
    limit = services.config.reports.max_length
    text = (message.text or "").strip()
    if check_length(text, 1, limit) is not None:
        await _reply(update, context, context.t("reports.info_bad", max=limit))
        return None
    now = services.now()
    recipient = Recipient(message.chat.id, context.language, services.reports.sender(user.id))
    services.reports.queue_information(report_id, text, now, recipient)
    _track(context, message)
    queued = await _quietly(
        context,
        message.reply_text(
            context.t("reports.info_queued", minutes=_minutes_to_tick(context, now))
        ),
    )
    _offer_cleanup(context, now, queued if isinstance(queued, Message) else None)
    _forget(context)
    return END
