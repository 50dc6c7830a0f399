"""Anonymous reports, the reporter's side: /report (a guided draft) and /status (receipt code).

What this module does to keep the promise that the bot never stores or logs who reported:
- the draft lives only in this conversation's memory (`user_data`; the bot has no persistence)
  and is dropped on submit, /cancel and timeout;
- the Telegram id is used only to derive the opaque key of the in-memory abuse limits;
- the message carrying a receipt code is deleted at once, before the code is even checked;
- there is deliberately no logging here (a log line's timestamp is a time of day).
"""

from __future__ import annotations

import contextlib
import math
import warnings
from datetime import timedelta
from enum import IntEnum
from html import escape

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.domain.reports import (
    Attachment,
    AttachmentKind,
    Category,
    Direction,
    Draft,
    LengthProblem,
    ReportMessage,
    check_length,
    clip,
    utf16_len,
)
from bot.services.reports import LookupOutcome
from bot.tg import callbacks as cb
from bot.tg.context import BotContext
from bot.tg.keyboards import (
    report_categories_keyboard,
    report_confirm_keyboard,
    report_done_keyboard,
    report_status_keyboard,
    report_units_keyboard,
)

DRAFT = "report_draft"  # user_data: the Draft being written
FOUND = "report_found"  # user_data: row id of the report /status found, while it runs
TIMEOUT = timedelta(minutes=30)
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


def conversation() -> ConversationHandler:
    """/report and /status as one conversation, so a code can never land in a draft."""
    text = filters.TEXT & ~filters.COMMAND
    other = ~filters.COMMAND
    files = filters.PHOTO | filters.Document.ALL
    with warnings.catch_warnings():
        # PTB warns that with per_message=False a button is tracked per chat, not per message.
        # That is the intent: one draft per person, and its buttons belong to that draft.
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        return ConversationHandler(
            entry_points=[CommandHandler("report", report), CommandHandler("status", status)],
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
                Step.CODE: [MessageHandler(text, code), MessageHandler(other, text_only)],
                # After the status is shown, only its button belongs to us; anything else
                # goes on to the rest of the bot.
                Step.VIEW: [CallbackQueryHandler(ask_info, pattern=cb.ReportAddInfo.pattern())],
                Step.INFO: [MessageHandler(text, info), MessageHandler(other, text_only)],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
            },
            fallbacks=[CommandHandler("cancel", cancel)],
            allow_reentry=True,
            conversation_timeout=TIMEOUT.total_seconds(),
            name="anonymous_reports",
            persistent=False,
        )


# --- helpers ---------------------------------------------------------------------------------


def _forget(context: BotContext) -> bool:
    """Drop whatever this conversation held in memory; True if a draft had content."""
    draft: Draft | None = context.user_data.pop(DRAFT, None)
    context.user_data.pop(FOUND, None)
    return draft is not None and draft.category is not None


def _draft(context: BotContext) -> Draft | None:
    return context.user_data.get(DRAFT)


def _category_name(context: BotContext, category: Category) -> str:
    return context.t(f"reports.category.{category.value}")


async def _say(
    update: Update,
    context: BotContext,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> Message:
    """Send into the chat (not as a reply: the message replied to may have been deleted)."""
    assert update.effective_chat is not None
    return await context.bot.send_message(update.effective_chat.id, text, reply_markup=reply_markup)


async def press_a_button(update: Update, context: BotContext) -> None:
    """Typing where a button is expected."""
    if update.effective_message:
        await update.effective_message.reply_text(context.t("reports.press_a_button"))


async def text_only(update: Update, context: BotContext) -> None:
    """A photo, sticker… where text is expected."""
    if update.effective_message:
        await update.effective_message.reply_text(context.t("reports.text_only"))


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel at any step: nothing is kept."""
    _forget(context)
    if update.effective_message:
        await update.effective_message.reply_text(context.t("reports.cancelled"))
    return END


async def timed_out(update: Update, context: BotContext) -> None:
    """The conversation was idle too long: drop it, and say so if a draft was lost."""
    if _forget(context) and update.effective_chat:
        await context.bot.send_message(
            update.effective_chat.id,
            context.t("reports.timed_out", minutes=int(TIMEOUT.total_seconds() // 60)),
        )


async def stale_step(update: Update, context: BotContext) -> None:
    """A reporter's button outside its step (an old message, after a restart or timeout)."""
    if update.callback_query:
        await update.callback_query.answer(context.t("reports.stale_step"), show_alert=True)


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
    text = context.t("reports.intro")
    if dropped:
        text = context.t("reports.draft_dropped") + "\n\n" + text
    await message.reply_text(text, reply_markup=report_categories_keyboard(context.t))
    return Step.CATEGORY


async def pick_category(update: Update, context: BotContext) -> int | None:
    """Category chosen: ask for the unit."""
    query = update.callback_query
    assert query is not None
    draft = _draft(context)
    try:
        category = Category(cb.ReportCategory.decode(query.data or "").category)
    except ValueError:
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


async def pick_unit(update: Update, context: BotContext) -> int | None:
    """Unit chosen: ask for the description (or for the unit's name first)."""
    query = update.callback_query
    assert query is not None
    draft = _draft(context)
    choice = cb.ReportUnit.decode(query.data or "").unit
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


async def unit_text(update: Update, context: BotContext) -> int | None:
    """The name of another unit, typed in."""
    message = update.effective_message
    draft = _draft(context)
    if message is None or draft is None:
        return END
    name = " ".join((message.text or "").split())
    if check_length(name, 1, UNIT_MAX) is not None:
        await message.reply_text(context.t("reports.unit_bad", max=UNIT_MAX))
        return None
    draft.unit = name
    await message.reply_text(_ask_body_text(context, draft))
    return Step.BODY


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
        await message.reply_text(
            context.t("reports.body_too_short", length=len(text), min=limits.min_length)
        )
        return None
    if problem is LengthProblem.TOO_LONG:
        await message.reply_text(
            context.t("reports.body_too_long", length=len(text), max=limits.max_length)
        )
        return None
    draft.body = text
    if limits.max_attachments == 0:
        await message.reply_text(
            _preview_text(context, draft), reply_markup=report_confirm_keyboard(context.t)
        )
        return Step.PREVIEW
    await message.reply_text(
        context.t("reports.ask_attachments", max=limits.max_attachments),
        reply_markup=report_done_keyboard(context.t),
    )
    return Step.ATTACHMENTS


async def body_text_only(update: Update, context: BotContext) -> None:
    """A file before the description."""
    if update.effective_message:
        await update.effective_message.reply_text(context.t("reports.body_text_only"))


async def attachment(update: Update, context: BotContext) -> int | None:
    """A photo or document for the draft, up to the configured count."""
    message = update.effective_message
    draft = _draft(context)
    if message is None or draft is None:
        return END
    limit = context.services.config.reports.max_attachments
    if len(draft.attachments) >= limit:
        await message.reply_text(
            context.t("reports.attachment_limit", max=limit),
            reply_markup=report_done_keyboard(context.t),
        )
        return None
    # Only the file id is kept: not the caption, and not a document's file name (camera file
    # names carry the time a picture was taken; people name files after themselves).
    if message.photo:
        draft.attachments.append(Attachment(AttachmentKind.PHOTO, message.photo[-1].file_id))
    elif message.document:
        draft.attachments.append(Attachment(AttachmentKind.DOCUMENT, message.document.file_id))
    await message.reply_text(
        context.t("reports.attachment_added", count=len(draft.attachments), max=limit),
        reply_markup=report_done_keyboard(context.t),
    )
    return None


async def attachment_hint(update: Update, context: BotContext) -> None:
    """Text or another kind of message while attachments are expected."""
    if update.effective_message:
        await update.effective_message.reply_text(context.t("reports.attachment_hint"))


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


async def confirm(update: Update, context: BotContext) -> int | None:
    """Submit (and show the receipt code once) or drop the draft."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None
    assert user is not None
    draft = _draft(context)
    if draft is None or not draft.body:
        await query.answer(context.t("reports.stale_step"), show_alert=True)
        return None
    send = cb.ReportConfirm.decode(query.data or "").send
    await query.answer()
    if not send:
        _forget(context)
        await query.edit_message_text(context.t("reports.cancelled"))
        return END
    services = context.services
    submitted = await services.reports.submit(
        draft, services.reports.sender(user.id), services.now()
    )
    _forget(context)  # only now: if storing failed, the draft is still there to try again
    if submitted is None:
        await query.edit_message_text(
            context.t("reports.limit_reached", limit=services.config.reports.max_per_day)
        )
        return END
    # The preview (with the text) becomes the receipt: the code is shown here and nowhere else.
    await query.edit_message_text(context.t("reports.submitted", code=submitted.code.formatted()))
    return END


# --- /status ---------------------------------------------------------------------------------


async def status(update: Update, context: BotContext) -> int | None:
    """/status [code]: ask for the receipt code (or check the one given)."""
    message = update.effective_message
    if message is None:
        return END
    dropped = _forget(context)
    if context.args:
        return await _check_code(update, context, " ".join(context.args))
    text = context.t("reports.status_ask")
    if dropped:
        text = context.t("reports.draft_dropped") + "\n\n" + text
    await message.reply_text(text)
    return Step.CODE


async def code(update: Update, context: BotContext) -> int | None:
    """The receipt code, typed."""
    message = update.effective_message
    if message is None:
        return END
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
        lines += thread_lines(context, thread, reporter_view=True)[0]
    else:
        lines.append(context.t("reports.status_no_messages"))
    await _say(update, context, "\n".join(lines), reply_markup=report_status_keyboard(context.t))
    return Step.VIEW


def thread_lines(
    context: BotContext,
    thread: list[ReportMessage],
    *,
    reporter_view: bool,
    budget: int = 3000,
    item_limit: int = 1500,
) -> tuple[list[str], int]:
    """A thread as lines, newest kept when it does not fit; and how many were left out."""
    keys = {
        (True, Direction.REVIEWER): "reports.from_reviewer",
        (True, Direction.REPORTER): "reports.from_reporter",
        (False, Direction.REVIEWER): "reports.card_from_reviewer",
        (False, Direction.REPORTER): "reports.card_from_reporter",
    }
    lines: list[str] = []
    used = 0
    for item in reversed(thread):
        line = context.t(
            keys[(reporter_view, item.direction)],
            date=item.sent_on.isoformat(),
            body=escape(clip(item.body, item_limit)),
        )
        if lines and used + utf16_len(line) > budget:
            break
        lines.append(line)
        used += utf16_len(line)
    hidden = len(thread) - len(lines)
    if hidden:
        lines.append(context.t("reports.older", count=hidden))
    return list(reversed(lines)), hidden


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


async def info(update: Update, context: BotContext) -> int | None:
    """The added information: stored as the reporter's message, dated only."""
    message = update.effective_message
    report_id = context.user_data.get(FOUND)
    if message is None or report_id is None:
        return END
    services = context.services
    limit = services.config.reports.max_length
    text = (message.text or "").strip()
    if check_length(text, 1, limit) is not None:
        await message.reply_text(context.t("reports.info_bad", max=limit))
        return None
    _forget(context)
    saved = await services.reports.add_information(report_id, text, services.now())
    await message.reply_text(context.t("reports.info_saved" if saved else "reports.info_gone"))
    return END
