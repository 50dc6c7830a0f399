"""Demo only: a few weeks of plausible quiz activity, so /digest has something to chart."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.services.registry import Services
from bot.storage.members import to_db_time

WEEKS = 8
# How likely each demo member gets a question right, so some topics come out weaker.
_SKILL = (0.9, 0.8, 0.7, 0.75, 0.6)


async def _wait_for_members(services: Services, user_ids: Sequence[int], seconds: float) -> bool:
    """Wait until the members' /start has been handled (they join asynchronously)."""
    marks = ",".join("?" * len(user_ids))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        row = await services.db.fetchone(
            f"SELECT COUNT(*) FROM members WHERE user_id IN ({marks})", tuple(user_ids)
        )
        if row and row[0] == len(user_ids):
            return True
        await asyncio.sleep(0.05)
    return False


async def seed_demo_activity(
    services: Services, now: datetime, user_ids: Sequence[int], *, wait: float = 10.0
) -> int:
    """Write ~8 weeks of finished quizzes and daily questions for the demo members.

    Only into a database without answers (a fresh demo); returns how many sessions were written.
    The members are dated as having joined before the first of those weeks.
    """
    if not user_ids or not await _wait_for_members(services, user_ids, wait):
        return 0
    row = await services.db.fetchone("SELECT COUNT(*) FROM answers")
    if row and row[0]:
        return 0
    rng = random.Random(2026)
    banks = [b for b in services.quiz.banks if len(b.questions) >= 5]
    if not banks:
        return 0
    sessions = 0
    async with services.db.transaction() as tx:
        marks = ",".join("?" * len(user_ids))
        await tx.execute(
            f"UPDATE members SET joined_at = ? WHERE user_id IN ({marks})",
            (to_db_time(now - timedelta(weeks=WEEKS + 1)), *user_ids),
        )
        for index, user_id in enumerate(user_ids):
            skill = _SKILL[index % len(_SKILL)]
            for week in range(WEEKS):
                # Not everyone every week: participation varies from week to week.
                for _ in range(rng.choice((0, 1, 1, 2))):
                    days_ago = week * 7 + rng.uniform(0, 7)
                    finished = now - timedelta(days=days_ago)
                    bank = rng.choice(banks)
                    picked = rng.sample(list(bank.questions), min(10, len(bank.questions)))
                    kind = "daily" if rng.random() < 0.3 else "quiz"
                    if kind == "daily":
                        picked = picked[:1]
                    # Harder questions are missed more often.
                    right = [rng.random() < skill - 0.1 * (q.difficulty - 2) for q in picked]
                    started = finished - timedelta(minutes=len(picked))
                    session_id = await tx.insert(
                        "INSERT INTO quiz_sessions (user_id, kind, bank_id, items, position, "
                        "correct, status, started_at, finished_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, 'finished', ?, ?)",
                        (
                            user_id,
                            kind,
                            None if kind == "daily" else bank.id,
                            json.dumps([[q.id, list(range(q.choice_count))] for q in picked]),
                            len(picked),
                            sum(right),
                            to_db_time(started),
                            to_db_time(finished),
                        ),
                    )
                    await tx.executemany(
                        "INSERT INTO answers (session_id, user_id, question_id, bank_id, "
                        "correct, answered_at) VALUES (?, ?, ?, ?, ?, ?)",
                        [
                            (session_id, user_id, q.id, q.bank_id, int(ok), to_db_time(started))
                            for q, ok in zip(picked, right, strict=True)
                        ],
                    )
                    sessions += 1
    return sessions
