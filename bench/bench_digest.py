"""Digest: time to build the weekly digest with 10,000 members and 1,000,000 answers.

Answers and sessions are spread over the last eight weeks (the chart's trend window).
Run: python -m bench.bench_digest [--members 10000] [--answers 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import DEPARTMENTS, machine
from bot.config import parse_config
from bot.services.digest import DigestService, PeriodChoice
from bot.services.quiz import QuizService
from bot.storage.database import Database

NOW = datetime(2026, 9, 21, 1, 0, tzinfo=UTC)  # a Monday morning in Asia/Shanghai


async def seed(db: Database, members: int, answers: int) -> None:
    """Members in ten departments; sessions of ten answers over eight weeks."""
    stamp = (NOW - timedelta(days=120)).isoformat(timespec="seconds")
    sessions = answers // 10
    span = 8 * 7 * 24 * 3600
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO members (user_id, first_name, department_id, joined_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [(u, f"成员{u}", f"d{1 + u % 10}", stamp, stamp) for u in range(1, members + 1)],
        )
        rows = []
        for s in range(sessions):
            at = (NOW - timedelta(seconds=(s * 7919) % span)).isoformat(timespec="seconds")
            rows.append((s + 1, 1 + s % members, s % 11, at, at))
        await tx.executemany(
            "INSERT INTO quiz_sessions (id, user_id, kind, bank_id, items, position, correct, "
            "status, started_at, finished_at) VALUES (?, ?, 'quiz', 'mixed', "
            "'[1,2,3,4,5,6,7,8,9,10]', 10, ?, 'finished', ?, ?)",
            rows,
        )
        await tx.executemany(
            "INSERT INTO answers (session_id, user_id, question_id, bank_id, correct, "
            "answered_at) VALUES (?, ?, ?, 'eight-point-rules', ?, ?)",
            (
                (r[0], r[1], f"epr-{(r[0] * 7 + i) % 26 + 1:03d}", (r[0] + i) % 4 != 0, r[3])
                for r in rows
                for i in range(10)
            ),
        )


async def main_async(members: int, answers: int, runs: int) -> dict[str, Any]:
    """Seed a file database, then build the digest `runs` times."""
    config = parse_config({"organization": {"departments": DEPARTMENTS}}, require_token=False)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "digest.db")
        await db.open()
        started = time.perf_counter()
        await seed(db, members, answers)
        seeded = time.perf_counter() - started
        quiz = QuizService.load(config, db)
        service = DigestService(config, db, quiz)
        period = service.period(PeriodChoice.SCHEDULED, NOW)
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            digest = await service.build(period, NOW)
            timings.append(time.perf_counter() - started)
        rendered_started = time.perf_counter()
        rendered = await service.render(digest, "zh")
        render_seconds = time.perf_counter() - rendered_started
        plans = {}
        for name, sql in (
            (
                "answers in period (weakest questions)",
                "SELECT question_id, COUNT(*), SUM(correct) FROM answers "
                "WHERE answered_at >= ? AND answered_at < ? GROUP BY question_id",
            ),
            (
                "finished sessions in period",
                "SELECT user_id, COUNT(*), AVG(correct) FROM quiz_sessions "
                "WHERE status = 'finished' AND finished_at >= ? AND finished_at < ? "
                "GROUP BY user_id",
            ),
        ):
            rows = await db.fetchall(f"EXPLAIN QUERY PLAN {sql}", ("2026-09-14", "2026-09-21"))
            plans[name] = [r["detail"] for r in rows]
        await db.close()
    return {
        "benchmark": "digest",
        "machine": machine(),
        "members": members,
        "answers": answers,
        "seed_seconds": round(seeded, 1),
        "build_median_s": round(statistics.median(timings), 3),
        "build_max_s": round(max(timings), 3),
        "chart_and_text_s": round(render_seconds, 3),
        "chart_bytes": len(rendered.chart.png),
        "query_plans": plans,
    }


def main() -> None:
    """Command line entry."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    result = asyncio.run(main_async(args.members, args.answers, args.runs))
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    print()


if __name__ == "__main__":
    main()
