"""Item analysis queries: per-question sums over members' first attempts, aggregated in SQL.

Only sums per question leave the query: no member id, and no member's score.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.items import ItemTotals
from bot.storage.database import Database
from bot.storage.members import to_db_time

# A member's first attempt at a question is their answer with the smallest id. With MIN() in an
# aggregate query SQLite takes the bare column (correct) from the row holding the minimum
# (https://sqlite.org/lang_select.html#bare_columns_in_an_aggregate_query).
FIRST_ATTEMPT_TOTALS = """
WITH first AS (
  SELECT user_id, question_id, correct, MIN(id) AS first_id
  FROM answers
  WHERE answered_at < :before
  GROUP BY user_id, question_id
),
member AS (
  SELECT user_id, COUNT(*) AS attempts, SUM(correct) AS right FROM first GROUP BY user_id
),
scored AS (
  SELECT f.question_id, f.correct AS x,
         CASE WHEN m.attempts > 1
              THEN (m.right - f.correct) * 1.0 / (m.attempts - 1) END AS r
  FROM first f JOIN member m ON m.user_id = f.user_id
)
SELECT question_id, COUNT(*), SUM(x), COUNT(r),
       TOTAL(CASE WHEN r IS NOT NULL THEN x END), TOTAL(r), TOTAL(r * r), TOTAL(x * r)
FROM scored
GROUP BY question_id
"""


class ItemRepository:
    """Read-only aggregates over the answers table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def first_attempt_totals(self, before: datetime | None = None) -> list[ItemTotals]:
        """Sums per question over first attempts made before `before` (default: all)."""
        bound = to_db_time(before) if before is not None else "9999"
        rows = await self.db.fetchall(FIRST_ATTEMPT_TOTALS, {"before": bound})
        return [
            ItemTotals(
                question_id=r[0],
                attempts=int(r[1]),
                right=int(r[2]),
                paired=int(r[3]),
                paired_right=int(r[4]),
                rest=float(r[5]),
                rest_squared=float(r[6]),
                right_rest=float(r[7]),
            )
            for r in rows
        ]
