"""/report: the guided draft, from the category to 确认提交 (queued for the next tick)."""

from __future__ import annotations

import contextlib
from html import escape

from telegram import Update
from telegram.error import TelegramError

from bot.domain.attachments import uncleanable_picture
from bot.domain.reports import Category, Draft, LengthProblem, check_length, clip
from bot.tg import callbacks as cb
from bot.tg.buttons import decoded
from bot.tg.callbacks import CallbackDataError
from bot.tg.context import BotContext
from bot.tg.handlers.reports.common import (
    DONE_PROMPT,
    DRAFT,
    END,
    TEXT_BUDGET,
    TOUCHED,
    UNIT_MAX,
    Recipient,
    Step,
    _category_name,
    _draft,
    _forget,
    _minutes_to_tick,
    _offer_cleanup,
    _quietly,
    _reply,
    _step,
    _track,
)
from bot.tg.keyboards import (
    report_categories_keyboard,
    report_confirm_keyboard,
    report_done_keyboard,
    report_units_keyboard,
)
from bot.tg.report_copies import Copied, Refused, clean_copy


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
    await _offer_done(
        update, context, context.t("reports.ask_attachments", max=limits.max_attachments)
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
        await _offer_done(update, context, context.t("reports.attachment_limit", max=limit))
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
        await _offer_done(update, context, context.t(outcome.key))
        return None
    draft.attachments.append(outcome.attachment)
    _track(context, message, outcome.message)
    await _offer_done(
        update,
        context,
        context.t("reports.attachment_added", count=len(draft.attachments), max=limit),
    )
    return None


async def _offer_done(update: Update, context: BotContext, text: str) -> None:
    """Answer with the 完成 button, and take it off the answer that carried it before.

    Each attachment is answered with its own 完成; only the newest keeps it, so the chat does
    not fill with buttons of which all but one lead nowhere once the preview is shown.
    """
    sent = await _reply(update, context, text, report_done_keyboard(context.t))
    before = context.user_data.pop(DONE_PROMPT, None)
    if sent is not None:
        context.user_data[DONE_PROMPT] = (sent.chat.id, sent.message_id)
    if before is not None:
        with contextlib.suppress(TelegramError):  # deleted, or too old to edit: nothing to take
            await context.bot.edit_message_reply_markup(before[0], before[1], reply_markup=None)


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
    context.user_data.pop(DONE_PROMPT, None)  # this is the message that carried it
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
