"""The item-analysis query reads first attempts from one covering index, not a sort of answers."""

from __future__ import annotations

from pathlib import Path

from bot.storage.database import Database
from bot.storage.items import FIRST_ATTEMPT_TOTALS


async def test_first_attempts_come_from_the_covering_index(tmp_path: Path) -> None:
    db = Database(tmp_path / "bot.db")
    await db.open()
    try:
        plan = [
            r["detail"]
            for r in await db.fetchall(
                f"EXPLAIN QUERY PLAN {FIRST_ATTEMPT_TOTALS}", {"before": "9999"}
            )
        ]
    finally:
        await db.close()
    assert "SCAN answers USING COVERING INDEX answers_member_question" in plan
