"""Attacks through row order: a reader of the database looks for any sequence (an id, a rowid, a
count) that places a reporter's write between two events whose time the database records."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from tests.harness import REVIEWER, Harness
from tests.tg.report_attack import copy_folder
from tests.tg.report_support import batch, file_report, tick

CADRE, OTHER = 741, 742
REPORT_TABLES = ("reports", "report_attachments", "report_messages")


def sequence_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    """Columns (the rowid included) whose values number the rows across reports, in order."""
    names = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
    try:
        conn.execute(f"SELECT rowid FROM {table} LIMIT 1")
        names.append("rowid")
    except sqlite3.OperationalError:
        pass  # WITHOUT ROWID: no hidden counter
    found = []
    for name in names:
        values = [r[0] for r in conn.execute(f"SELECT {name} FROM {table}")]
        if len(values) < 2 or not all(isinstance(v, int) for v in values):
            continue
        if len(set(values)) == len(values) and max(values) - min(values) < 2 * len(values):
            found.append(name)
    return found


def bracket(conn: sqlite3.Connection, target_report: int) -> tuple[datetime, datetime] | None:
    """The narrowest pair of reviewer-message times a reporter's message can be placed between.

    Reviewer messages are audited with their time ("message" rows); any sequence shared by the
    messages of different reports orders the reporter's message among them.
    """
    times = {}
    for ref, stamp in conn.execute(
        "SELECT report_ref, at FROM report_audit WHERE action = 'message' ORDER BY at"
    ):
        times.setdefault(ref, []).append(datetime.fromisoformat(stamp))
    refs = dict(conn.execute("SELECT id, ref FROM reports"))
    best = None
    for column in sequence_columns(conn, "report_messages"):
        rows = list(
            conn.execute(f"SELECT report_id, direction FROM report_messages ORDER BY {column}")
        )
        seen: dict[int, int] = {}
        stamps = []  # (position, time) of each reviewer message on other reports
        target = None
        for position, (report_id, direction) in enumerate(rows):
            if direction == "reviewer" and report_id != target_report:
                index = seen.get(report_id, 0)
                seen[report_id] = index + 1
                stamps.append((position, times[refs[report_id]][index]))
            elif report_id == target_report and direction == "reporter":
                target = position
        if target is None:
            continue
        lower = [t for p, t in stamps if p < target]
        upper = [t for p, t in stamps if p > target]
        if lower and upper:
            found = (max(lower), min(upper))
            if best is None or found[1] - found[0] < best[1] - best[0]:
                best = found
    return best


async def _reply(h: Harness, ref: str, text: str) -> None:
    assert await h.services.reports.reply(ref, REVIEWER, text, h.clock.now)


async def _ref_of(h: Harness, body: str) -> str:
    row = await h.services.db.fetchone("SELECT ref FROM reports WHERE body = ?", (body,))
    return row["ref"]


async def test_no_sequence_places_a_reporter_write_between_timed_events(
    harness: Harness, tmp_path: Path
) -> None:
    h = harness
    await h.join(REVIEWER, "赵纪检")
    await h.join(CADRE, "张干部")
    await h.join(OTHER, "李干部")
    first_body = "第一条反映：检查组每周要求重复报送同一表格，基层疲于应付。"
    second_body = "第二条反映：会议通知层层转发，每个层级都要求签收回执。"
    await file_report(h, OTHER, body=first_body, photos=1)
    code = await file_report(h, CADRE, body=second_body, photos=1)
    await file_report(h, OTHER, body="第三条反映：同一场活动要求三个部门分别拍照留痕。", photos=1)
    await batch(h)  # 11:00
    first = await _ref_of(h, first_body)

    h.clock.advance(minutes=20)  # 11:20 a reviewer writes on the first report
    await _reply(h, first, "请补充是哪个检查组。")
    h.clock.advance(minutes=5)  # 11:25 the second report's author adds information
    [view] = await h.send(CADRE, f"/status {code}")
    await h.press(CADRE, view, "补充信息")
    await h.send(CADRE, "补充：是九月第二周的检查组。")
    h.clock.advance(minutes=5)
    await tick(h)  # 11:30
    h.clock.advance(minutes=10)  # 11:40 the reviewer writes again on the first report
    await _reply(h, first, "已收到，谢谢。")
    await h.press(REVIEWER, (await h.send(REVIEWER, "/reports"))[0], "导出")
    await batch(h)

    copy = copy_folder(h.db_path.parent, tmp_path / "copy")
    conn = sqlite3.connect(copy / h.db_path.name)
    try:
        for table in REPORT_TABLES:
            assert sequence_columns(conn, table) == [], table
        second_id = conn.execute("SELECT id FROM reports WHERE body = ?", (second_body,))
        assert bracket(conn, second_id.fetchone()[0]) is None
        # An export is audited without a count that would show a report arriving in between.
        exports = conn.execute("SELECT detail FROM report_audit WHERE action = 'export'")
        assert [r[0] for r in exports] == [None]
    finally:
        conn.close()
