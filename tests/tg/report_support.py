"""Helpers for the anonymous-report scenarios: filing a report as a member would, reading the
raw database file, and a tiny real PNG."""

from __future__ import annotations

import re
import sqlite3
import struct
import zlib
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.services.membership import ReviewerDecision, ReviewerGrant
from tests.harness import ADMIN, REVIEWER, Harness, buttons

CODE_RE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
BODY = "本科室要求每项工作都要拍照留痕、层层填表，同一数据一周内重复报送三次，基层疲于应付。"


def png(width: int = 2, height: int = 2) -> bytes:
    """A valid PNG image (the sandbox reads its size like Telegram)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def code_in(text: str) -> str:
    """The receipt code shown in a message."""
    match = CODE_RE.search(text)
    assert match, f"no receipt code in {text!r}"
    return match.group(0)


async def file_report(
    h: Harness,
    user_id: int,
    *,
    category: str = "形式主义",
    unit: str = "办公室",
    body: str = BODY,
    photos: int = 0,
) -> str:
    """Go through /report as a person would; return the receipt code shown at the end."""
    [intro] = await h.send(user_id, "/report")
    message = await h.press(user_id, intro, category)
    message = await h.press(user_id, message, unit)
    [prompt] = await h.send(user_id, body)
    for number in range(photos):
        [_copy, prompt] = await h.send_file(user_id, png(), f"evidence-{number}.png", kind="photo")
    if any("完成" in b["text"] for b in buttons(prompt)):
        prompt = await h.press(user_id, prompt, "完成")
    return await confirm_and_get_code(h, user_id, prompt)


async def confirm_and_get_code(h: Harness, user_id: int, preview: dict[str, Any]) -> str:
    """Press 确认提交, let the next tick store the report, and read the code it brings."""
    pressed = await h.press(user_id, preview, "确认提交")
    if CODE_RE.search(pressed["text"] or ""):
        return code_in(pressed["text"])
    before = {m["message_id"] for m in h.sandbox.bot_messages(user_id)}
    await tick(h)
    [receipt] = [
        m
        for m in h.sandbox.bot_messages(user_id)
        if m["message_id"] not in before and CODE_RE.search(m["text"] or "")
    ]
    return code_in(receipt["text"])


async def batch(h: Harness) -> None:
    """Move the clock to the next full hour and run the tick there: the hourly batch."""
    now = h.clock.now
    h.clock.now = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    await tick(h)


def all_rows(db_path: Path) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table of the database file, read as a separate reader would."""
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        tables = [
            r["name"]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not r["name"].startswith("sqlite_")
        ]
        return {
            table: [dict(row) for row in conn.execute(f'SELECT * FROM "{table}"')]
            for table in tables
        }
    finally:
        conn.close()


def columns(db_path: Path, table: str) -> set[str]:
    """The column names of a table."""
    conn = sqlite3.connect(db_path)
    try:
        return {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}
    finally:
        conn.close()


def raw_bytes(db_path: Path) -> bytes:
    """The database file and its WAL as bytes on disk."""
    data = db_path.read_bytes()
    wal = db_path.with_name(db_path.name + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


TICK_JOB = "reports: tick"


async def tick(h: Harness) -> None:
    """Run the reporter-write tick now, as its clock time came (stored writes, receipts)."""
    assert h.app is not None
    for job in h.app.job_queue.get_jobs_by_name(TICK_JOB):
        await job.run(h.app)
    await h.settle()


def fast_retries(h: Harness) -> None:
    """Retry receipts without the production back-off pauses."""
    assert h.app is not None
    courier = h.app.bot_data.get("report_courier")
    if courier is not None:
        courier.delays = (0.01, 0.01, 0.01)


async def make_reviewer(h: Harness, user_id: int) -> None:
    """The admin proposes, the config reviewer confirms (both must have joined)."""
    membership = h.services.membership
    proposed = await membership.grant_reviewer(actor_id=ADMIN, user_id=user_id, now=h.clock.now)
    assert proposed is ReviewerGrant.PROPOSED
    decided = await membership.decide_reviewer(
        reviewer_id=REVIEWER, user_id=user_id, accept=True, now=h.clock.now
    )
    assert decided is ReviewerDecision.CONFIRMED
