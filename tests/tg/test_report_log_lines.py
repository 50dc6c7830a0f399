"""Attack: library log lines written while a reporter is in /report, at that second.

The bot's own code logs nothing in the report flow, and `quiet_libraries` keeps `httpx`,
`aiosqlite`, `apscheduler` quiet, but leaves `telegram` at INFO. PTB's AIORateLimiter logs
"Rate limit hit. Retrying after …" at INFO on every 429, and at ERROR with a traceback when
its retries run out. A reporter who sends a few photos in a row makes the bot answer faster
than Telegram's one message per second per chat allows: the log then holds a timestamped line
from the reporter's conversation.
"""

from __future__ import annotations

import logging

import pytest

from bot.logs import quiet_libraries
from tests.harness import Harness
from tests.tg.report_support import BODY, png

REPORTER = 58123467


def _production_logging(caplog: pytest.LogCaptureFixture) -> None:
    """logging.level: INFO (the default), libraries quieted as `setup_logging` does."""
    caplog.set_level(logging.INFO)
    logging.getLogger("telegram").setLevel(logging.NOTSET)
    quiet_libraries()


async def test_photos_in_a_row_leave_no_log_line(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    await h.join(REPORTER, "张举报人")
    [intro] = await h.send(REPORTER, "/report")
    message = await h.press(REPORTER, intro, "形式主义")
    message = await h.press(REPORTER, message, "办公室")
    await h.send(REPORTER, BODY)
    # Telegram's limits, as the real server enforces them (1 message/s in one chat).
    h.sandbox.set_limits(enforce=True)
    _production_logging(caplog)
    caplog.clear()
    for n in range(3):
        await h.send_file(REPORTER, png(), f"IMG_{n}.png", kind="photo")
    lines = [f"{r.levelname} {r.name}: {r.getMessage()}" for r in caplog.records]
    print(lines)
    assert lines == []


async def test_a_429_at_confirm_leaves_no_log_line(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    await h.join(REPORTER, "张举报人")
    [intro] = await h.send(REPORTER, "/report")
    message = await h.press(REPORTER, intro, "形式主义")
    message = await h.press(REPORTER, message, "办公室")
    [prompt] = await h.send(REPORTER, BODY)
    preview = await h.press(REPORTER, prompt, "完成")
    _production_logging(caplog)
    caplog.clear()
    h.sandbox.inject_fault(kind="429", count=3, method="editMessageText", chat_id=REPORTER)
    problems = h.services.reports._problems
    await h.press(REPORTER, preview, "确认提交")
    await h.settle(timeout=15)
    lines = [f"{r.levelname} {r.name}: {r.getMessage()}" for r in caplog.records]
    print(lines)
    assert lines == []
    # The limiter's last 429 still reached the error handler: counted for the batch, unlogged.
    assert h.services.reports._problems > problems
