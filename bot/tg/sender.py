"""The delivery worker's way into Telegram: render a notice, send or edit, classify the errors.

The worker (bot/services/delivery_worker.py) decides what to send and what an outcome means;
this module only speaks the Bot API. Its calls carry `ENGINE_CALL`, so the shared rate limiter
tries them once and lets a 429 through to the worker (bot/tg/ratelimit.py).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import ExtBot
from telegram.warnings import PTBDeprecationWarning

from bot.domain.delivery import Campaign, Failure, NoticeButton
from bot.domain.sending import NoticeError, SendResult
from bot.i18n import translate
from bot.tg import callbacks as cb
from bot.tg.keyboards import button
from bot.tg.ratelimit import ENGINE_CALL

# Transport failures that happen before a request reaches the server: safe to retry.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

ActionResolver = Callable[[str], str | None]


def _assignment_action(argument: str) -> str | None:
    return cb.AssignmentStart(int(argument)).encode() if argument.isdigit() else None


def _daily_action(argument: str) -> str | None:
    return cb.DailyStart(argument).encode() if argument.isdigit() and len(argument) == 8 else None


# Named button actions that PTB-free services put in payloads ("assignment:12"), by name.
def _campaign_report_action(argument: str) -> str | None:
    return cb.BroadcastRefresh(int(argument)).encode() if argument.isdigit() else None


ACTIONS: dict[str, ActionResolver] = {
    "assignment": _assignment_action,
    "daily": _daily_action,
    "campaign_report": _campaign_report_action,
}


def resolve_action(action: str) -> str | None:
    """Callback data for a named action, e.g. `assignment:12`; None if unknown."""
    name, _, argument = action.partition(":")
    handler = ACTIONS.get(name)
    return handler(argument) if handler else None


def classify(error: BaseException) -> Failure:
    """How a failed send counts: retry, give up, or treat as possibly delivered."""
    if isinstance(error, RetryAfter):
        return Failure.FLOOD
    if isinstance(error, Forbidden):
        return Failure.BLOCKED
    if isinstance(error, BadRequest):  # a NetworkError subclass in PTB: check it first
        return Failure.REJECTED
    if isinstance(error, NetworkError):  # includes TimedOut
        cause = error.__cause__
        if isinstance(cause, _NOT_SENT):
            return Failure.TRANSIENT
        if isinstance(cause, httpx.HTTPError) or isinstance(error, TimedOut):
            # The request may have reached Telegram and only the answer was lost.
            return Failure.AMBIGUOUS
        return Failure.TRANSIENT  # Telegram answered 5xx: nothing was sent
    if isinstance(error, TelegramError):  # InvalidToken, Conflict, …
        return Failure.REJECTED
    return Failure.AMBIGUOUS


def retry_after_seconds(error: RetryAfter) -> float:
    """RetryAfter's wait in seconds (PTB 22 returns int or timedelta and warns about it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def failed(error: Exception) -> SendResult:
    """A failed request as the worker reads it."""
    return SendResult(
        failure=classify(error),
        detail=f"{type(error).__name__}: {error}",
        error=type(error).__name__,
        retry_after=retry_after_seconds(error) if isinstance(error, RetryAfter) else 0.0,
    )


@dataclass(frozen=True)
class PreparedNotice:
    """A notice rendered for one language: HTML text and its keyboard."""

    text: str
    markup: InlineKeyboardMarkup | None


@dataclass
class Timeouts:
    """Seconds a worker's request may take; the read timeout is longer than Telegram's own
    gateway timeouts, since a timed-out read may have been delivered (and is never resent)."""

    read: float = 20.0
    connect: float = 5.0


class TelegramSender:
    """The `Sender` (bot/domain/sending.py) over PTB's bot."""

    def __init__(
        self,
        bot: ExtBot[Any],  # rate_limit_args carry ENGINE_CALL (SharedRateLimiter)
        default_language: str,
        *,
        actions: ActionResolver = resolve_action,
        timeouts: Timeouts | None = None,
    ) -> None:
        self.bot = bot
        self.default_language = default_language
        self.timeouts = timeouts or Timeouts()
        self._actions = actions

    def prepare(self, campaign: Campaign, language: str | None) -> PreparedNotice:
        """The message a member sees, in their language (else the configured default)."""
        default = self.default_language
        lang = language or default
        notice = campaign.notice
        rows = [[self._button(b, lang, default) for b in row] for row in notice.buttons]
        if notice.ack:
            rows.append(
                [button(translate(lang, "delivery.ack_button"), cb.Acknowledge(campaign.id))]
            )
        return PreparedNotice(
            notice.text_for(lang, default), InlineKeyboardMarkup(rows) if rows else None
        )

    def _button(self, spec: NoticeButton, language: str, default: str) -> InlineKeyboardButton:
        label = (
            spec.label.get(language) or spec.label.get(default) or next(iter(spec.label.values()))
        )
        data = spec.data
        if spec.action is not None:
            data = self._actions(spec.action)
            if data is None:
                raise NoticeError(f"unknown button action {spec.action!r}")
        return InlineKeyboardButton(label, callback_data=data)

    async def send(self, chat_id: int, message: PreparedNotice) -> SendResult:
        """sendMessage, tried once (the worker decides about retries)."""
        timeouts = self.timeouts
        try:
            sent = await self.bot.send_message(
                chat_id=chat_id,
                text=message.text,
                reply_markup=message.markup,
                rate_limit_args=ENGINE_CALL,
                read_timeout=timeouts.read,
                connect_timeout=timeouts.connect,
                write_timeout=timeouts.connect,
                pool_timeout=timeouts.connect,
            )
        except Exception as exc:
            return failed(exc)
        return SendResult(message_id=sent.message_id)

    async def edit(
        self, chat_id: int, message_id: int, text: str, button: tuple[str, str] | None = None
    ) -> SendResult:
        """editMessageText; an edit that changes nothing counts as done."""
        markup = None
        if button is not None and (data := resolve_action(button[1])) is not None:
            markup = InlineKeyboardMarkup([[InlineKeyboardButton(button[0], callback_data=data)]])
        try:
            await self.bot.edit_message_text(
                text,
                chat_id=chat_id,
                message_id=message_id,
                reply_markup=markup,
                rate_limit_args=ENGINE_CALL,
            )
        except BadRequest as exc:
            if "not modified" in str(exc):
                return SendResult(message_id=message_id)
            return failed(exc)
        except Exception as exc:
            return failed(exc)
        return SendResult(message_id=message_id)
