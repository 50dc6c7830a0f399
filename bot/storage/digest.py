"""The digest's queries: aggregation happens in SQL, one statement per part of the digest.

Every time bound is a UTC instant in the stored format (`to_db_time`), so range conditions are
plain string comparisons that can use the indexes: `quiz_sessions_finished` (finished_at, partial
on finished sessions) and `answers_time_question` (answered_at, question_id, correct — covering).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.domain.digest import (
    ActivityRow,
    CampaignAcks,
    MemberRow,
)
from bot.storage.database import Database
from bot.storage.members import to_db_time

Window = tuple[datetime, datetime]  # [from, to) as aware datetimes


def _windows_cte(windows: Sequence[Window]) -> tuple[str, list[object]]:
    """`WITH w(i, lo, hi) AS (VALUES …)` for the trend windows, with its parameters."""
    values = ", ".join("(?, ?, ?)" for _ in windows)
    params: list[object] = []
    for i, (lo, hi) in enumerate(windows):
        params += [i, to_db_time(lo), to_db_time(hi)]
    return f"WITH w(i, lo, hi) AS (VALUES {values})", params


class DigestRepository:
    """Read-only aggregate queries over members, quizzes, campaigns, assignments and reports."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def members(self, windows: Sequence[Window]) -> list[MemberRow]:
        """Members (not left, joined before the window ended) per window and department."""
        cte, params = _windows_cte(windows)
        rows = await self.db.fetchall(
            f"""
            {cte}
            SELECT w.i, m.department_id, COUNT(*) AS members,
                   SUM(m.status = 'active') AS active
            FROM w JOIN members m ON m.status != 'left' AND m.joined_at < w.hi
            GROUP BY w.i, m.department_id
            """,
            params,
        )
        return [MemberRow(r[0], r[1], r[2], r[3]) for r in rows]

    async def activity(self, windows: Sequence[Window]) -> list[ActivityRow]:
        """Participants and scored sessions per window and department (members not left)."""
        cte, params = _windows_cte(windows)
        rows = await self.db.fetchall(
            f"""
            {cte}
            SELECT w.i, m.department_id,
                   COUNT(DISTINCT s.user_id) AS participants,
                   COUNT(CASE WHEN s.kind != 'daily' THEN 1 END) AS scored,
                   TOTAL(CASE WHEN s.kind != 'daily'
                         THEN 100.0 * s.correct / MAX(json_array_length(s.items), 1) END) AS score
            FROM w
            JOIN quiz_sessions s
              ON s.status = 'finished' AND s.finished_at >= w.lo AND s.finished_at < w.hi
            JOIN members m
              ON m.user_id = s.user_id AND m.status != 'left' AND m.joined_at < w.hi
            GROUP BY w.i, m.department_id
            """,
            params,
        )
        return [ActivityRow(r[0], r[1], r[2], r[3], float(r[4])) for r in rows]

    async def question_stats(self, window: Window) -> list[tuple[str, int, int]]:
        """(question id, answered, right) over every answer recorded in the window."""
        rows = await self.db.fetchall(
            "SELECT question_id, COUNT(*), SUM(correct) FROM answers "
            "WHERE answered_at >= ? AND answered_at < ? GROUP BY question_id",
            (to_db_time(window[0]), to_db_time(window[1])),
        )
        return [(r[0], int(r[1]), int(r[2])) for r in rows]

    async def reminder_acks(self, window: Window) -> list[CampaignAcks]:
        """Reminder campaigns (keys `reminder:…`) created in the window: delivered and acks."""
        rows = await self.db.fetchall(
            """
            SELECT
              (SELECT COUNT(*) FROM outbox o
                WHERE o.campaign_id = c.id AND o.status IN ('sent', 'unknown')) AS delivered,
              (SELECT COUNT(*) FROM acknowledgements a WHERE a.campaign_id = c.id) AS acks
            FROM campaigns c
            WHERE c.key >= 'reminder:' AND c.key < 'reminder;'
              AND c.created_at >= ? AND c.created_at < ?
            ORDER BY c.id
            """,
            (to_db_time(window[0]), to_db_time(window[1])),
        )
        return [CampaignAcks(int(r[0]), int(r[1])) for r in rows]

    async def campaign_sends(self, window: Window) -> list[tuple[str, int]]:
        """(kind, messages delivered) of each campaign created in the window.

        Campaign-level facts only: the campaign's creation time and how many of its rows were
        sent (or possibly sent), never when any one row went out.
        """
        rows = await self.db.fetchall(
            """
            SELECT c.kind,
              (SELECT COUNT(*) FROM outbox o
                WHERE o.campaign_id = c.id AND o.status IN ('sent', 'unknown')) AS delivered
            FROM campaigns c
            WHERE c.created_at >= ? AND c.created_at < ?
            ORDER BY c.id
            """,
            (to_db_time(window[0]), to_db_time(window[1])),
        )
        return [(str(r[0]), int(r[1])) for r in rows]

    async def assignments(self, window: Window) -> list[tuple[str, datetime, int, int]]:
        """(bank id, deadline, audience, completed) of assignments open during the window."""
        rows = await self.db.fetchall(
            """
            WITH a AS (
              SELECT id, bank_id, deadline, departments FROM assignments
              WHERE created_at < :hi AND deadline >= :lo
            ),
            audience AS (
              SELECT a.id AS assignment_id, m.user_id FROM a JOIN members m
                ON m.status != 'left' AND (a.departments IS NULL OR m.department_id IN
                     (SELECT value FROM json_each(a.departments)))
            )
            SELECT a.bank_id, a.deadline,
              (SELECT COUNT(*) FROM audience u WHERE u.assignment_id = a.id) AS audience,
              (SELECT COUNT(*) FROM audience u JOIN assignment_results r
                 ON r.assignment_id = u.assignment_id AND r.user_id = u.user_id
                 AND r.completed_at < :hi
               WHERE u.assignment_id = a.id) AS completed
            FROM a ORDER BY a.deadline, a.id
            """,
            {"lo": to_db_time(window[0]), "hi": to_db_time(window[1])},
        )
        return [(r[0], datetime.fromisoformat(r[1]), int(r[2]), int(r[3])) for r in rows]

    async def report_counts(self, start: date, end: date, as_of: date) -> tuple[int, int, int]:
        """Announced reports received and closed in [start, end], and open on `as_of`."""
        open_on = (
            "(submitted_on <= :as_of AND ((closed_on IS NULL AND status IN ('new', 'checking'))"
            " OR closed_on > :as_of))"
        )
        row = await self.db.fetchone(
            f"""
            SELECT
              TOTAL(submitted_on BETWEEN :start AND :end),
              TOTAL(closed_on BETWEEN :start AND :end),
              TOTAL({open_on})
            FROM reports WHERE notified = 1
            """,
            {
                "start": start.isoformat(),
                "end": end.isoformat(),
                "as_of": as_of.isoformat(),
            },
        )
        assert row is not None
        return int(row[0]), int(row[1]), int(row[2])
