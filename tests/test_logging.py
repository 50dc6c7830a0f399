"""Secrets never reach the log, even with the bot's loggers at DEBUG."""

from __future__ import annotations

import logging

import pytest

from bot.logs import RedactSecrets, quiet_libraries
from tests.harness import ADMIN, TOKEN, Harness


async def test_token_never_appears_in_logs_during_a_scenario(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    # As a deployment with logging.level: DEBUG does: everything at DEBUG, then the
    # libraries that would print the token (httpx URLs) or message text are quietened.
    caplog.set_level(logging.DEBUG)
    logging.getLogger("telegram").setLevel(logging.NOTSET)
    logging.getLogger("httpx").setLevel(logging.NOTSET)
    quiet_libraries()
    h = harness
    await h.join(ADMIN, "王管理")
    [prompt] = await h.send(ADMIN, "/invite")
    await h.press(ADMIN, prompt, "办公室")
    await h.restart()
    await h.send(ADMIN, "/members")
    records = caplog.records
    assert any(r.name.startswith("bot") for r in records), "scenario produced no bot log lines"
    secret = TOKEN.split(":", 1)[1]
    for record in records:
        text = record.getMessage() + (record.exc_text or "")
        assert secret not in text, record.name
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING


def test_redaction_filter_scrubs_token_in_messages_args_and_tracebacks() -> None:
    flt = RedactSecrets([TOKEN])
    record = logging.LogRecord(
        "x",
        logging.INFO,
        __file__,
        1,
        "GET %s",
        (f"https://api.telegram.org/bot{TOKEN}/getMe",),
        None,
    )
    flt.filter(record)
    assert TOKEN not in record.getMessage()
    assert "[redacted]" in record.getMessage()
    try:
        raise ValueError(f"url bot{TOKEN}/x")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    flt.filter(record)
    assert TOKEN not in (record.exc_text or "")
    assert "[redacted]" in (record.exc_text or "")
    # Anything token-shaped is scrubbed even when not passed explicitly.
    other = "1234567:" + "Z" * 35
    record = logging.LogRecord("x", logging.INFO, __file__, 1, other, (), None)
    RedactSecrets().filter(record)
    assert other not in record.getMessage()
