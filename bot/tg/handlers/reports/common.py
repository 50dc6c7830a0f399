"""What the reporter's conversation keeps in memory, and the helpers every step shares.

The state keys, the idle timeout and its check (`_step`), the messages remembered for the
cleanup button, and the answers for input that does not belong to the current step.
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Awaitable, Callable, Coroutine, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any

from telegram import InlineKeyboardMarkup, MaybeInaccessibleMessage, Message, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import ConversationHandler

from bot.domain.reports import Category, Draft
from bot.tg.context import BotContext

DRAFT = "report_draft"  # user_data: the Draft being written
FOUND = "report_found"  # user_data: row id of the report /status found, while it runs
TOUCHED = "report_touched"  # user_data: when the reporter last acted in this conversation
FLOW = "report_flow"  # user_data: ids of this conversation's messages, for the cleanup button
CLEANUP = "report_cleanup"  # user_data: (when, ids) the cleanup button deletes
EXPIRED = "report_expired"  # user_data: a draft was dropped for being idle (say so once)
DONE_PROMPT = "report_done_prompt"  # user_data: (chat, message) of the one 完成 button shown
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


def _forget(context: BotContext) -> bool:
    """Drop whatever this conversation held in memory; True if a draft had content."""
    draft: Draft | None = context.user_data.pop(DRAFT, None)
    context.user_data.pop(FOUND, None)
    context.user_data.pop(TOUCHED, None)
    context.user_data.pop(FLOW, None)
    context.user_data.pop(EXPIRED, None)
    context.user_data.pop(DONE_PROMPT, None)
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
            for key in (DRAFT, FOUND, TOUCHED, FLOW, DONE_PROMPT):
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
    """/cancel at any step: nothing is kept (and the 完成 still shown goes with the draft)."""
    prompt = context.user_data.get(DONE_PROMPT)
    _forget(context)
    if prompt is not None:
        with contextlib.suppress(TelegramError):  # deleted, or too old to edit
            await context.bot.edit_message_reply_markup(prompt[0], prompt[1], reply_markup=None)
    if update.effective_message:
        await update.effective_message.reply_text(context.t("reports.cancelled"))
    return END


async def stale_step(update: Update, context: BotContext) -> None:
    """A reporter's button outside its step (an old message, after a restart or timeout)."""
    if update.callback_query:
        await update.callback_query.answer(context.t("reports.stale_step"), show_alert=True)


def _minutes_to_tick(context: BotContext, now: datetime) -> int:
    wait = context.services.reports.next_write(now) - now
    return max(1, math.ceil(wait.total_seconds() / 60))
