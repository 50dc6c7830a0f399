"""/status: the receipt code, the report's state and thread, and 补充信息."""

from __future__ import annotations

import contextlib
import math
from datetime import timedelta
from html import escape

from telegram import Message, Update
from telegram.error import TelegramError

from bot.domain.reports import check_length
from bot.services.reports import LookupOutcome
from bot.tg.context import BotContext
from bot.tg.handlers.reports.common import (
    END,
    FOUND,
    TOUCHED,
    Recipient,
    Step,
    _category_name,
    _forget,
    _minutes_to_tick,
    _offer_cleanup,
    _quietly,
    _reply,
    _say,
    _step,
    _track,
)
from bot.tg.handlers.reports.thread import thread_lines
from bot.tg.keyboards import report_cleanup_keyboard, report_status_keyboard


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


@_step
async def ask_info(update: Update, context: BotContext) -> int | None:
    """补充信息: ask for one more text."""
    query = update.callback_query
    assert query is not None
    if context.user_data.get(FOUND) is None:
        await query.answer(context.t("reports.stale_step"), show_alert=True)
        return None
    await query.answer()
    # 补充信息 is pressed once per lookup: the view keeps only the cleanup button.
    with contextlib.suppress(TelegramError):  # deleted, or too old to edit
        await query.edit_message_reply_markup(report_cleanup_keyboard(context.t))
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
