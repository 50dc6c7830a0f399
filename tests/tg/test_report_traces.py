"""Attacks on the traces a reporter's own actions leave: their member row, the log, the admins'
error notices; and the promise that a report the reporter was told is stored is never lost
without a code (a 403 or a 502 when the receipt is sent)."""

from __future__ import annotations

import logging
import re
import sqlite3
from typing import Any

import pytest

from bot.domain.reports import ReceiptCode
from bot.logs import quiet_libraries
from bot.storage.database import _HEARTBEAT as HEARTBEAT
from bot.storage.database import Transaction
from tests.harness import ADMIN, Harness, button_data
from tests.tg.report_support import (
    BODY,
    CODE_RE,
    all_rows,
    batch,
    code_in,
    confirm_and_get_code,
    fast_retries,
    png,
    tick,
)

REPORTER = 58123467


def _not_report_tables(h: Harness) -> dict[str, list[dict[str, Any]]]:
    """Every table a reporter's action must leave alone."""
    rows = all_rows(h.db_path)
    return {t: r for t, r in rows.items() if not t.startswith("report") and t != "heartbeat"}


def _debug_logging(caplog: pytest.LogCaptureFixture) -> None:
    """As a deployment with logging.level: DEBUG (the libraries stay quiet, as in production)."""
    caplog.set_level(logging.DEBUG)
    logging.getLogger("telegram").setLevel(logging.NOTSET)
    logging.getLogger("httpx").setLevel(logging.NOTSET)
    quiet_libraries()


async def _codes_seen(h: Harness, user: int) -> list[str]:
    return [
        code_in(m["text"]) for m in h.sandbox.bot_messages(user) if CODE_RE.search(m["text"] or "")
    ]


async def _stored(h: Harness, code: str) -> bool:
    parsed = ReceiptCode.parse(code)
    assert parsed is not None
    digest = parsed.digest(h.services.reports.secret)
    row = await h.services.db.fetchone("SELECT 1 FROM reports WHERE receipt_hash = ?", (digest,))
    return row is not None


async def _to_preview(h: Harness, user: int) -> dict[str, Any]:
    [intro] = await h.send(user, "/report")
    message = await h.press(user, intro, "官僚主义")
    message = await h.press(user, message, "其他单位")
    await h.send(user, "县城投公司")
    await h.send(user, BODY)
    [_copy, added] = await h.send_file(user, png(), "IMG_0001.png", kind="photo")
    return await h.press(user, added, "完成")


async def test_the_report_flow_writes_no_member_row_and_no_log_line(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    h.user(REPORTER, "张举报人", username="whistle_zhang")
    await h.send(REPORTER, "/start test-office-invite")
    # A reporter marked inactive by an earlier 403, who has since changed their Telegram name.
    await h.services.membership.mark_unreachable(REPORTER, h.clock.now)
    h.user(REPORTER, "新名字", username="new_handle")
    before = _not_report_tables(h)
    _debug_logging(caplog)
    caplog.clear()

    h.clock.advance(minutes=3)
    preview = await _to_preview(h, REPORTER)
    h.clock.advance(minutes=1)
    code = await confirm_and_get_code(h, REPORTER, preview)
    h.clock.advance(minutes=2)
    [view] = await h.send(REPORTER, f"/status {code}")
    await h.press(REPORTER, view, "补充信息")
    await h.send(REPORTER, "补充一点：每周一都要报。")
    h.clock.advance(minutes=10)
    await tick(h)
    await h.send(REPORTER, "/status")
    await h.send(REPORTER, "/cancel")

    assert _not_report_tables(h) == before  # still inactive, still the old name, nothing new
    assert [r.getMessage() for r in caplog.records] == []


async def test_a_reporter_who_blocks_the_bot_at_once_gets_the_code_when_back(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    await h.join(REPORTER, "张举报人")
    before = _not_report_tables(h)
    preview = await _to_preview(h, REPORTER)
    _debug_logging(caplog)
    caplog.clear()
    h.sandbox.block(REPORTER, True)  # blocks the bot right after confirming
    await h.press(REPORTER, preview, "确认提交")
    await tick(h)
    assert _not_report_tables(h) == before  # not marked inactive
    assert [r.getMessage() for r in caplog.records] == []
    assert await _codes_seen(h, REPORTER) == []
    # Back: the next message brings the code (kept in memory, under the salted sender key).
    h.sandbox.block(REPORTER, False)
    await h.send(REPORTER, "/help")
    [code] = await _codes_seen(h, REPORTER)
    assert await _stored(h, code)


async def test_a_502_on_the_receipt_still_gives_the_code_and_no_timed_error(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    await h.join(ADMIN, "王管理")
    await h.join(REPORTER, "张举报人")
    fast_retries(h)
    preview = await _to_preview(h, REPORTER)
    admin_before = len(h.sandbox.bot_messages(ADMIN))
    _debug_logging(caplog)
    caplog.clear()
    # The message that says "saving" fails once, the receipt twice (then the retry works).
    h.sandbox.inject_fault(kind="502", count=1, method="editMessageText", chat_id=REPORTER)
    h.sandbox.inject_fault(kind="502", count=2, method="sendMessage", chat_id=REPORTER)
    await h.press(REPORTER, preview, "确认提交")
    await tick(h)
    [code] = await _codes_seen(h, REPORTER)
    assert await _stored(h, code)
    assert [r.getMessage() for r in caplog.records] == []  # no ERROR with its second
    assert len(h.sandbox.bot_messages(ADMIN)) == admin_before  # admins not told at once
    # At the next hourly batch the admins hear how many problems there were, and nothing more.
    h.sandbox.clear_faults()
    await batch(h)
    [notice] = h.sandbox.bot_messages(ADMIN)[admin_before:]
    assert "3" in notice["text"]
    assert not re.search(r"\d{1,2}:\d{2}", notice["text"])  # no time of day


async def test_a_receipt_that_cannot_be_sent_waits_for_the_reporters_next_message(
    harness: Harness,
) -> None:
    h = harness
    await h.join(REPORTER, "张举报人")
    fast_retries(h)
    preview = await _to_preview(h, REPORTER)
    await h.press(REPORTER, preview, "确认提交")
    h.sandbox.inject_fault(kind="502", count=50, method="sendMessage", chat_id=REPORTER)
    await tick(h)
    assert await _codes_seen(h, REPORTER) == []
    h.sandbox.clear_faults()
    replies = await h.send(REPORTER, "/help")
    [code] = await _codes_seen(h, REPORTER)
    assert await _stored(h, code)
    assert CODE_RE.search(replies[0]["text"])  # the code first, then the answer to /help
    assert len(replies) == 2
    await h.send(REPORTER, "/help")
    assert len(await _codes_seen(h, REPORTER)) == 1  # given once


async def test_a_failed_write_keeps_the_queue_for_the_next_tick(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    await h.join(ADMIN, "王管理")
    await h.join(REPORTER, "张举报人")
    preview = await _to_preview(h, REPORTER)
    # A double tap on 确认提交 queues one report, not two.
    saving = await h.press(REPORTER, preview, "确认提交")
    await h.press_data(REPORTER, saving["message_id"], button_data(preview, "确认提交"))
    # The tick's transaction fails as a whole (its heartbeat cannot be written: the database
    # is locked by another process, the disk is full); an item alone failing is another case
    # (test_report_poison.py).
    execute = Transaction.execute
    failed = {"n": 0}

    async def locked(tx: Transaction, sql: str, params: Any = ()) -> int:
        if sql == HEARTBEAT and failed["n"] == 0:
            failed["n"] += 1
            raise sqlite3.OperationalError("database is locked")
        return await execute(tx, sql, params)

    monkeypatch.setattr(Transaction, "execute", locked)
    _debug_logging(caplog)
    caplog.clear()
    await tick(h)
    assert failed["n"] == 1
    assert await _codes_seen(h, REPORTER) == []  # not stored, so no code
    assert (await h.services.db.fetchone("SELECT COUNT(*) FROM reports"))[0] == 0
    assert [r.getMessage() for r in caplog.records] == []
    monkeypatch.setattr(Transaction, "execute", execute)
    h.clock.advance(minutes=10)
    await tick(h)  # the queue waited; stored now, and the code follows
    [code] = await _codes_seen(h, REPORTER)
    assert await _stored(h, code)
    assert (await h.services.db.fetchone("SELECT COUNT(*) FROM reports"))[0] == 1
    admin_before = len(h.sandbox.bot_messages(ADMIN))
    await batch(h)
    [notice] = h.sandbox.bot_messages(ADMIN)[admin_before:]
    assert "1 次问题" in notice["text"]
