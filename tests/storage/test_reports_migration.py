"""Migration 7 (reports) on a database made with the old schema: every report, attachment,
message, note and audit row survives; no sequence is left that orders reporter writes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.storage.database import Database
from bot.storage.migrations import MIGRATIONS


def _old_database(path: Path) -> None:
    """A file at schema version 5, filled the way the old code filled it."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    for version, script in enumerate(MIGRATIONS[:5], start=1):
        conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version={version};\nCOMMIT;")
    conn.executescript(
        """
        INSERT INTO members (user_id, first_name, joined_at, updated_at)
            VALUES (3, '赵纪检', '2026-09-01T00:00:00+00:00', '2026-09-01T00:00:00+00:00');
        INSERT INTO reports (id, ref, receipt_hash, category, unit, body, status,
                             submitted_on, closed_on, notified) VALUES
            (1, 'AAAAAA', 'h1', 'formalism', '办公室', '第一条', 'checking', '2026-09-01', NULL, 1),
            (2, 'BBBBBB', 'h2', 'banquets', '某公司', '第二条', 'new', '2026-09-02', NULL, 0),
            (3, 'CCCCCC', 'h3', 'other', '应急指挥科', '第三条', 'closed', '2026-09-03',
             '2026-09-05', 1);
        INSERT INTO report_attachments (report_id, position, kind, file_id) VALUES
            (1, 0, 'photo', 'p-1'), (1, 1, 'document', 'd-1'), (3, 0, 'photo', 'p-3');
        INSERT INTO report_messages (id, report_id, direction, body, sent_on) VALUES
            (1, 1, 'reviewer', '问一', '2026-09-02'),
            (2, 2, 'reporter', '补二', '2026-09-02'),
            (3, 1, 'reporter', '答一', '2026-09-03'),
            (4, 3, 'reviewer', '问三', '2026-09-04'),
            (5, 1, 'reviewer', '再问一', '2026-09-04');
        INSERT INTO report_notes (report_id, reviewer_id, body, at) VALUES
            (1, 3, '备注一', '2026-09-02T02:00:00+00:00'),
            (3, 3, '备注三', '2026-09-04T02:00:00+00:00');
        INSERT INTO report_audit (at, reviewer_id, action, report_ref, detail) VALUES
            ('2026-09-02T02:00:00+00:00', 3, 'status', 'AAAAAA', 'new->checking'),
            ('2026-09-02T03:00:00+00:00', 3, 'export', '*', '1 reports'),
            ('2026-09-03T03:00:00+00:00', 3, 'export', '*', '3 reports');
        """
    )
    conn.close()


def _by_ref(conn: sqlite3.Connection, sql: str) -> dict[str, list[tuple[object, ...]]]:
    found: dict[str, list[tuple[object, ...]]] = {}
    for ref, *rest in conn.execute(sql):
        found.setdefault(ref, []).append(tuple(rest))
    return found


async def test_reports_migration_keeps_every_row_and_leaves_no_sequence(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    _old_database(path)
    db = Database(path)
    await db.open()
    assert await db.schema_version() == len(MIGRATIONS)
    await db.close()

    conn = sqlite3.connect(path)
    try:
        reports = {
            r[0]: r[1:]
            for r in conn.execute(
                "SELECT ref, category, unit, body, status, submitted_on, closed_on, notified "
                "FROM reports"
            )
        }
        assert reports == {
            "AAAAAA": ("formalism", "办公室", "第一条", "checking", "2026-09-01", None, 1),
            "BBBBBB": ("banquets", "某公司", "第二条", "new", "2026-09-02", None, 0),
            "CCCCCC": ("other", "应急指挥科", "第三条", "closed", "2026-09-03", "2026-09-05", 1),
        }
        ids = [r[0] for r in conn.execute("SELECT id FROM reports")]
        assert len(set(ids)) == 3
        assert max(ids) - min(ids) > 1000  # random, not 1, 2, 3
        join = "JOIN reports r ON r.id = x.report_id"
        assert _by_ref(
            conn,
            f"SELECT r.ref, x.position, x.kind, x.file_id, x.sanitized "
            f"FROM report_attachments x {join} ORDER BY r.ref, x.position",
        ) == {
            "AAAAAA": [(0, "photo", "p-1", 0), (1, "document", "d-1", 0)],
            "CCCCCC": [(0, "photo", "p-3", 0)],
        }
        assert _by_ref(
            conn,
            f"SELECT r.ref, x.seq, x.direction, x.body, x.sent_on, x.announced "
            f"FROM report_messages x {join} ORDER BY r.ref, x.seq",
        ) == {
            "AAAAAA": [
                (1, "reviewer", "问一", "2026-09-02", 1),
                (2, "reporter", "答一", "2026-09-03", 1),
                (3, "reviewer", "再问一", "2026-09-04", 1),
            ],
            "BBBBBB": [(1, "reporter", "补二", "2026-09-02", 1)],
            "CCCCCC": [(1, "reviewer", "问三", "2026-09-04", 1)],
        }
        assert _by_ref(
            conn,
            f"SELECT r.ref, x.reviewer_id, x.body, x.at FROM report_notes x {join} ORDER BY x.id",
        ) == {
            "AAAAAA": [(3, "备注一", "2026-09-02T02:00:00+00:00")],
            "CCCCCC": [(3, "备注三", "2026-09-04T02:00:00+00:00")],
        }
        audit = list(
            conn.execute("SELECT action, report_ref, detail FROM report_audit ORDER BY id")
        )
        assert audit == [
            ("status", "AAAAAA", "new->checking"),
            ("export", "*", None),
            ("export", "*", None),
        ]
        for table in ("report_attachments", "report_messages"):
            with pytest.raises(sqlite3.OperationalError):
                conn.execute(f"SELECT rowid FROM {table}")
        assert list(conn.execute("PRAGMA foreign_key_check")) == []
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM heartbeat").fetchone()[0] == 1
        # Deleting a report still takes its attachments, messages and notes with it.
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("DELETE FROM reports WHERE ref = 'AAAAAA'")
        counts = [
            conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("report_attachments", "report_messages", "report_notes")
        ]
        assert counts == [1, 2, 1]
    finally:
        conn.close()
