"""The export queries: one row per finished quiz session, report (no identity) or member."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from bot.storage.database import Database


@dataclass(frozen=True)
class ExportQuery:
    """How many rows an export has, and the rows in a stable order."""

    count_sql: str
    rows_sql: str


QUIZ = ExportQuery(
    "SELECT COUNT(*) FROM quiz_sessions WHERE status = 'finished'",
    """
    SELECT s.id, s.user_id, m.first_name, m.department_id, s.kind, s.bank_id,
           s.started_at, s.finished_at, s.correct, json_array_length(s.items) AS total
    FROM quiz_sessions s LEFT JOIN members m ON m.user_id = s.user_id
    WHERE s.status = 'finished'
    ORDER BY s.finished_at, s.id
    """,
)

# Reports carry no identity to begin with; the body (which a reporter may have made
# identifying despite the advice) and reviewer notes stay out of exports as well. Like every
# view, an export holds only what the last hourly batch announced: an export taken every few
# minutes must not show a report or an addition arriving.
REPORTS = ExportQuery(
    "SELECT COUNT(*) FROM reports WHERE notified = 1",
    """
    SELECT r.ref, r.category, r.unit, r.status, r.submitted_on, r.closed_on,
      (SELECT COUNT(*) FROM report_attachments a WHERE a.report_id = r.id) AS attachments,
      (SELECT COUNT(*) FROM report_messages x WHERE x.report_id = r.id
        AND x.direction = 'reporter' AND x.announced = 1) AS from_reporter,
      (SELECT COUNT(*) FROM report_messages x
        WHERE x.report_id = r.id AND x.direction = 'reviewer') AS replies
    FROM reports r WHERE r.notified = 1
    ORDER BY r.submitted_on, r.ref
    """,
)

MEMBERS = ExportQuery(
    "SELECT COUNT(*) FROM members",
    """
    SELECT m.user_id, m.first_name, m.username, m.department_id, m.status,
      (SELECT group_concat(r.role, ' ') FROM member_roles r WHERE r.user_id = m.user_id) AS roles,
      m.joined_at, m.daily_question
    FROM members m
    ORDER BY m.department_id IS NULL, m.department_id, m.user_id
    """,
)

QUERIES = {"quiz": QUIZ, "reports": REPORTS, "members": MEMBERS}


async def count_rows(db: Database, query: ExportQuery) -> int:
    """How many rows the export will write."""
    row = await db.fetchone(query.count_sql)
    return int(row[0]) if row else 0


async def stream_rows(
    db: Database, query: ExportQuery, batch: int = 2000
) -> AsyncIterator[list[dict[str, Any]]]:
    """The rows in batches (column name → value), without loading a large table into memory."""
    async for rows in db.stream(query.rows_sql, batch):
        yield [dict(row) for row in rows]
