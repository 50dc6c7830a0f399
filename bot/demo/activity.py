"""Demo only: a few weeks of plausible quiz activity, so /digest has something to chart."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.domain.quiz import PastSession
from bot.services.history import HistoryService
from bot.services.registry import Services

WEEKS = 8
# How likely each demo member gets a question right, so some topics come out weaker.
_SKILL = (0.9, 0.8, 0.7, 0.75, 0.6)


async def seed_demo_activity(
    services: Services, now: datetime, user_ids: Sequence[int], *, wait: float = 10.0
) -> int:
    """Write ~8 weeks of finished quizzes and daily questions for the demo members.

    Only into a database without answers (a fresh demo); returns how many sessions were written.
    The members are dated as having joined before the first of those weeks.
    """
    history = HistoryService(services.db)
    if not user_ids or not await history.wait_for_members(user_ids, wait):
        return 0
    if await history.has_answers():
        return 0
    rng = random.Random(2026)
    banks = [b for b in services.quiz.banks if len(b.questions) >= 5]
    if not banks:
        return 0
    sessions = []
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
                sessions.append(
                    PastSession(
                        user_id=user_id,
                        kind=kind,
                        bank_id=None if kind == "daily" else bank.id,
                        questions=[(q.id, q.bank_id, q.choice_count) for q in picked],
                        right=right,
                        started_at=finished - timedelta(minutes=len(picked)),
                        finished_at=finished,
                    )
                )
    await history.write(user_ids, now - timedelta(weeks=WEEKS + 1), sessions)
    return len(sessions)
