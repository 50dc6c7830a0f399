"""Assigned tests (专项测试) and who completed them (completion is written with the grading)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import aiosqlite

from bot.domain.assignments import Assignment, AssignmentResult
from bot.storage.database import Database
from bot.storage.members import to_db_time


def _assignment(row: aiosqlite.Row) -> Assignment:
    departments = json.loads(row["departments"]) if row["departments"] else None
    return Assignment(
        id=row["id"],
        bank_id=row["bank_id"],
        departments=tuple(departments) if departments else None,
        question_count=row["question_count"],
        deadline=datetime.fromisoformat(row["deadline"]),
        created_by=row["created_by"],
        created_at=datetime.fromisoformat(row["created_at"]),
    )


class AssignmentRepository:
    """Assigned tests and who completed them."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(
        self,
        *,
        bank_id: str,
        departments: Sequence[str] | None,
        question_count: int,
        deadline: datetime,
        created_by: int,
        now: datetime,
    ) -> int:
        """Store a new assignment; return its id."""
        async with self.db.transaction() as tx:
            return await tx.insert(
                "INSERT INTO assignments (bank_id, departments, question_count, deadline, "
                "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    bank_id,
                    json.dumps(list(departments), ensure_ascii=False) if departments else None,
                    question_count,
                    to_db_time(deadline),
                    created_by,
                    to_db_time(now),
                ),
            )

    async def get(self, assignment_id: int) -> Assignment | None:
        """One assignment."""
        row = await self.db.fetchone("SELECT * FROM assignments WHERE id = ?", (assignment_id,))
        return _assignment(row) if row else None

    async def open_before(self, deadline_before: datetime, now: datetime) -> list[Assignment]:
        """Assignments whose deadline is after now and before the given time."""
        rows = await self.db.fetchall(
            "SELECT * FROM assignments WHERE deadline > ? AND deadline <= ? ORDER BY deadline",
            (to_db_time(now), to_db_time(deadline_before)),
        )
        return [_assignment(r) for r in rows]

    async def audience(self, assignment: Assignment) -> list[int]:
        """Active members the assignment is for."""
        return await self.members_in(assignment.departments)

    async def members_in(self, departments: Sequence[str] | None) -> list[int]:
        """Active members of the departments (None: every active member)."""
        if departments is None:
            rows = await self.db.fetchall("SELECT user_id FROM members WHERE status = 'active'")
        else:
            marks = ",".join("?" * len(departments))
            rows = await self.db.fetchall(
                f"SELECT user_id FROM members WHERE status = 'active' "
                f"AND department_id IN ({marks})",
                list(departments),
            )
        return [r["user_id"] for r in rows]

    async def not_done(self, assignment: Assignment) -> list[int]:
        """Active members of the audience without a result yet."""
        done = {
            r["user_id"]
            for r in await self.db.fetchall(
                "SELECT user_id FROM assignment_results WHERE assignment_id = ?", (assignment.id,)
            )
        }
        return [u for u in await self.audience(assignment) if u not in done]

    async def result(self, assignment_id: int, user_id: int) -> AssignmentResult | None:
        """A member's (first) result for an assignment."""
        row = await self.db.fetchone(
            "SELECT correct, total, completed_at FROM assignment_results "
            "WHERE assignment_id = ? AND user_id = ?",
            (assignment_id, user_id),
        )
        if row is None:
            return None
        return AssignmentResult(
            int(row["correct"]), int(row["total"]), datetime.fromisoformat(row["completed_at"])
        )
