"""How the engine reads Telegram's and the network's errors."""

from __future__ import annotations

import httpx
import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.domain.delivery import Failure
from bot.tg.sender import classify, resolve_action, retry_after_seconds


def _caused(error: Exception, cause: Exception) -> Exception:
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("error", "failure"),
    [
        (RetryAfter(3), Failure.FLOOD),
        (Forbidden("Forbidden: bot was blocked by the user"), Failure.BLOCKED),
        (BadRequest("Bad Request: chat not found"), Failure.REJECTED),
        (NetworkError("Bad Gateway"), Failure.TRANSIENT),  # Telegram answered 5xx
        (_caused(TimedOut(), httpx.ConnectTimeout("x")), Failure.TRANSIENT),
        (_caused(TimedOut("Pool timeout"), httpx.PoolTimeout("x")), Failure.TRANSIENT),
        (_caused(NetworkError("httpx.ConnectError"), httpx.ConnectError("x")), Failure.TRANSIENT),
        (_caused(TimedOut(), httpx.ReadTimeout("x")), Failure.AMBIGUOUS),
        (_caused(NetworkError("x"), httpx.RemoteProtocolError("x")), Failure.AMBIGUOUS),
        (RuntimeError("bug"), Failure.AMBIGUOUS),
    ],
)
def test_errors_are_classified_for_retry_or_at_most_once(
    error: Exception, failure: Failure
) -> None:
    assert classify(error) is failure


def test_retry_after_in_seconds() -> None:
    assert retry_after_seconds(RetryAfter(7)) == 7.0


def test_named_actions_become_callback_data() -> None:
    assert resolve_action("assignment:12") == "v1:qasg:12"
    assert resolve_action("assignment:x") is None
    assert resolve_action("nothing:1") is None
