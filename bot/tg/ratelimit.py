"""The bot's rate limiter: PTB's AIORateLimiter, with a way for the delivery engine to opt out of
its retries."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

# rate_limit_args value for calls made by the delivery engine (bot/tg/sender.py).
ENGINE_CALL = "delivery-engine"

_Result = bool | dict[str, Any] | list[dict[str, Any]]
# Methods Telegram counts against the send limits (answerCallbackQuery, getFile… are not).
_COUNTED_PREFIXES = ("send", "edit", "copy", "forward")


def _chat_of(data: dict[str, Any]) -> int | None:
    """The numeric chat a request is for, if any."""
    try:
        return int(data["chat_id"])
    except (KeyError, TypeError, ValueError):
        return None


class _PassedThrough(Exception):
    """Carries a RetryAfter past AIORateLimiter's retry loop."""

    def __init__(self, error: RetryAfter) -> None:
        super().__init__(str(error))
        self.error = error


class SharedRateLimiter(AIORateLimiter):
    """AIORateLimiter for everything; engine calls get one attempt and see RetryAfter themselves.

    Replies to members keep AIORateLimiter's behaviour: the overall budget, and on a 429 a pause
    of all requests and up to `max_retries` retries. Broadcasts are paced by the delivery engine,
    which must see a 429 at once: it puts the row back in the outbox, pauses every broadcast for
    `retry_after`, and keeps the attempt count. Retrying inside the limiter would hide the 429
    from the engine and hold one of its send slots for the whole pause.

    AIORateLimiter reads `rate_limit_args or max_retries`, so 0 cannot switch its retries off per
    call; a RetryAfter from an engine call is therefore wrapped so its retry loop does not catch
    it. Engine calls still pass through the shared overall limiter (both kinds of traffic share
    Telegram's budget) and still wait while a member reply's 429 pause is on. Other sends are
    reported to observers (the engine's pacer), so a broadcast leaves room for replies.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._observers: list[Callable[[int | None], None]] = []

    def observe(self, callback: Callable[[int | None], None]) -> None:
        """Call `callback(chat_id)` for every counted send that is not an engine call."""
        self._observers.append(callback)

    def forget(self, callback: Callable[[int | None], None]) -> None:
        """Stop calling an observer."""
        with contextlib.suppress(ValueError):
            self._observers.remove(callback)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, _Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | str | None,
    ) -> _Result:
        """Limit one request; engine calls are tried once."""
        if rate_limit_args != ENGINE_CALL:
            if self._observers and endpoint.lower().startswith(_COUNTED_PREFIXES):
                chat = _chat_of(data)
                for observer in self._observers:
                    observer(chat)
            return await super().process_request(
                callback,
                args,
                kwargs,
                endpoint,
                data,
                rate_limit_args,  # type: ignore[arg-type]
            )

        async def once(*call_args: Any, **call_kwargs: Any) -> _Result:
            try:
                return await callback(*call_args, **call_kwargs)
            except RetryAfter as exc:
                raise _PassedThrough(exc) from None

        try:
            return await super().process_request(once, args, kwargs, endpoint, data, None)
        except _PassedThrough as wrapped:
            raise wrapped.error from None
