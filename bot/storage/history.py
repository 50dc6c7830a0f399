"""Past quiz activity written in bulk (the demo's few weeks of history)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from bot.domain.quiz import PastSession
from bot.storage.database import Database
from bot.storage.members import to_db_time


class HistoryRepository:
    """Counts that say whether history may be written, and the bulk write itself."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def members_present(self, user_ids: Sequence[int]) -> int:
        """How many of these users have a member row."""
        marks = ",".join("?" * len(user_ids)) or "NULL"
        row = await self.db.fetchone(
            f"SELECT COUNT(*) FROM members WHERE user_id IN ({marks})", tuple(user_ids)
        )
        return int(row[0]) if row else 0

    async def has_answers(self) -> bool:
        """Whether any answer is stored."""
        return await self.db.fetchone("SELECT 1 FROM answers LIMIT 1") is not None

    async def write(
        self, user_ids: Sequence[int], joined_at: datetime, sessions: Sequence[PastSession]
    ) -> None:
        """Date the members as joined at `joined_at` and store the sessions, in one transaction."""
        marks = ",".join("?" * len(user_ids)) or "NULL"
        async with self.db.transaction() as tx:
            await tx.execute(
                f"UPDATE members SET joined_at = ? WHERE user_id IN ({marks})",
                (to_db_time(joined_at), *user_ids),
            )
            for s in sessions:
                session_id = await tx.insert(
                    "INSERT INTO quiz_sessions (user_id, kind, bank_id, items, position, "
                    "correct, status, started_at, finished_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, 'finished', ?, ?)",
                    (
                        s.user_id,
                        s.kind,
                        s.bank_id,
                        json.dumps([[qid, list(range(n))] for qid, _bank, n in s.questions]),
                        len(s.questions),
                        sum(s.right),
                        to_db_time(s.started_at),
                        to_db_time(s.finished_at),
                    ),
                )
                await tx.executemany(
                    "INSERT INTO answers (session_id, user_id, question_id, bank_id, "
                    "correct, answered_at) VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (session_id, s.user_id, qid, bank, int(ok), to_db_time(s.started_at))
                        for (qid, bank, _n), ok in zip(s.questions, s.right, strict=True)
                    ],
                )
