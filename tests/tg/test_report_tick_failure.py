"""Attack: a tick whose reports are committed but whose second heartbeat write fails.

`Database.tick` commits the work with the first heartbeat, then (in `finally`) checkpoints and
writes the heartbeat again. If that second write fails (the database locked by another process
for longer than busy_timeout, a full disk), the exception leaves `tick` although the reports
are stored; `ReportService.tick` then puts them back in the queue as if nothing was written.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import pytest

from bot.storage import database
from tests.harness import Harness
from tests.tg.report_support import BODY, CODE_RE, tick

REPORTER = 5811


async def test_a_failure_after_the_commit_does_not_store_the_report_twice(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    await h.join(REPORTER, "张举报人")
    [intro] = await h.send(REPORTER, "/report")
    message = await h.press(REPORTER, intro, "形式主义")
    message = await h.press(REPORTER, message, "办公室")
    [prompt] = await h.send(REPORTER, BODY)
    preview = await h.press(REPORTER, prompt, "完成")
    await h.press(REPORTER, preview, "确认提交")

    on_thread = database._on_thread
    begins = {"n": 0}

    class FailingSecondBegin:
        """The sqlite3 connection, except that the tick's second transaction cannot begin."""

        def __init__(self, raw: sqlite3.Connection) -> None:
            self._raw = raw

        def execute(self, sql: str, *args: Any) -> Any:
            if sql == "BEGIN IMMEDIATE":
                begins["n"] += 1
                if begins["n"] == 2:  # the tick's second heartbeat transaction
                    raise sqlite3.OperationalError("database is locked")
            return self._raw.execute(sql, *args)

        def __getattr__(self, name: str) -> Any:
            return getattr(self._raw, name)

    async def failing(conn: Any, work: Callable[[Any], Any]) -> Any:
        return await on_thread(conn, lambda raw: work(FailingSecondBegin(raw)))

    monkeypatch.setattr(database, "_on_thread", failing)
    h.clock.advance(minutes=10)
    await tick(h)
    monkeypatch.setattr(database, "_on_thread", on_thread)
    assert begins["n"] >= 2  # the fault was injected: the second transaction failed
    stored_after_first = (await h.services.db.fetchone("SELECT COUNT(*) FROM reports"))[0]
    codes_after_first = [
        m for m in h.sandbox.bot_messages(REPORTER) if CODE_RE.search(m["text"] or "")
    ]
    h.clock.advance(minutes=10)
    await tick(h)
    stored = (await h.services.db.fetchone("SELECT COUNT(*) FROM reports"))[0]
    codes = [m for m in h.sandbox.bot_messages(REPORTER) if CODE_RE.search(m["text"] or "")]
    print(
        "after the failing tick:",
        stored_after_first,
        "stored,",
        len(codes_after_first),
        "codes;",
        "after the next:",
        stored,
        "stored,",
        len(codes),
        "codes",
    )
    assert stored == 1, f"one report filed, {stored} stored"
    assert len(codes) == 1  # its code came with the tick that stored it, once
