"""Broadcast and memory: a campaign to 5,000 members under Telegram's limits, with 10,000
members and 100,000 stored answers in the database; RSS of the bot idle and mid-broadcast.

Run: python -m bench.bench_broadcast [--members 10000] [--audience 5000] [--answers 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import TOKEN, bot_process, machine, write_config
from bot.config import load_config
from bot.sandbox import Sandbox
from bot.services.delivery import DeliveryService
from bot.storage.database import Database

KEY = "bench:broadcast"
MARK = "【基准测试通知】"
BASE = 200_000


def rss_mb(pid: int) -> float:
    """Resident set size of a process, in MB."""
    with open(f"/proc/{pid}/status", encoding="utf-8") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def seed(db_path: Path, members: int, answers: int) -> None:
    """Members and finished sessions with answers, written straight to the file."""
    db = Database(db_path)
    await db.open()
    now = datetime(2026, 9, 20, tzinfo=UTC)
    stamp = now.isoformat(timespec="seconds")
    ids = [BASE + i for i in range(members)]
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO members (user_id, first_name, department_id, joined_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [(u, f"成员{u}", f"d{1 + u % 10}", stamp, stamp) for u in ids],
        )
        sessions = answers // 10
        await tx.executemany(
            "INSERT INTO quiz_sessions (id, user_id, kind, bank_id, items, position, correct, "
            "status, started_at, finished_at) VALUES (?, ?, 'quiz', 'mixed', '[]', 10, ?, "
            "'finished', ?, ?)",
            [(s + 1, ids[s % members], s % 11, stamp, stamp) for s in range(sessions)],
        )
        await tx.executemany(
            "INSERT INTO answers (session_id, user_id, question_id, bank_id, correct, "
            "answered_at) VALUES (?, ?, ?, 'eight-point-rules', ?, ?)",
            [
                (
                    a // 10 + 1,
                    ids[(a // 10) % members],
                    f"epr-{a % 10 + 1:03d}",
                    a % 3 != 0,
                    (now - timedelta(minutes=a % 10_000)).isoformat(timespec="seconds"),
                )
                for a in range(answers)
            ],
        )
    await db.close()


async def main_async(members: int, audience: int, answers: int) -> dict[str, Any]:
    """Seed, measure idle RSS, then the broadcast with RSS sampled while it runs."""
    sandbox = Sandbox(token=TOKEN, bot_username="bench_bot")
    await sandbox.start()
    for i in range(members):
        sandbox.add_user(BASE + i, f"成员{BASE + i}")
    result: dict[str, Any] = {"benchmark": "broadcast and memory", "machine": machine()}
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.db"
        config_path = write_config(sandbox, db_path)
        # Idle: the same data, no campaign yet.
        seed_started = time.perf_counter()
        await seed(db_path, members, answers)
        result["seed_seconds"] = round(time.perf_counter() - seed_started, 1)
        async with bot_process("-m", "bot", "run", "--config", str(config_path)) as process:
            await sandbox.wait_for(
                lambda: any(m == "getUpdates" for _, m, _ in sandbox.calls), timeout=60
            )
            await asyncio.sleep(2)  # let start-up allocations settle before reading RSS
            result["rss_idle_mb"] = round(rss_mb(process.pid), 1)
        db = Database(db_path)
        await db.open()
        await DeliveryService(load_config(config_path), db).create_campaign(
            KEY,
            "notice",
            {"text": {"zh": f"{MARK}节前廉洁提醒", "en": f"{MARK}reminder"}},
            [BASE + i for i in range(audience)],
        )
        await db.close()
        sandbox.reset_stats()
        sandbox.set_limits(enforce=True, global_per_second=30, per_chat_per_second=1)
        peak = 0.0
        async with bot_process("-m", "bot", "run", "--config", str(config_path)) as process:
            deadline = time.monotonic() + audience / 30 * 2 + 60
            while time.monotonic() < deadline:
                peak = max(peak, rss_mb(process.pid))
                sent = sandbox.stats()["calls"].get("sendMessage", 0)
                if sent >= audience:
                    break
                await asyncio.sleep(0.5)
            await asyncio.sleep(1)
            peak = max(peak, rss_mb(process.pid))
    stats = sandbox.stats()
    times = [t for t, method, _ in sandbox.calls if method == "sendMessage"]
    per_chat = Counter(
        chat
        for chat in range(BASE, BASE + audience)
        for m in sandbox.bot_messages(chat)
        if MARK in (m.get("text") or "")
    )
    wall = (max(times) - min(times)) if times else float("nan")
    delivered = sum(per_chat.values())
    await sandbox.stop()
    result.update(
        {
            "members": members,
            "answers": answers,
            "audience": audience,
            "limit_per_second": 30,
            "wall_seconds": round(wall, 1),
            "physical_minimum_seconds": round((audience - 1) / 30, 1),
            "achieved_per_second": round((delivered - 1) / wall, 2) if wall else None,
            "achieved_over_limit": round((delivered - 1) / wall / 30, 3) if wall else None,
            "rejected_429": stats["rejected_429"],
            "max_global_rate": stats["max_global_rate"],
            "max_chat_rate": stats["max_chat_rate"],
            "duplicates": sum(1 for n in per_chat.values() if n > 1),
            "missing": audience - len(per_chat),
            "rss_broadcast_peak_mb": round(peak, 1),
        }
    )
    return result


def main() -> None:
    """Command line entry."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--audience", type=int, default=5_000)
    parser.add_argument("--answers", type=int, default=100_000)
    args = parser.parse_args()
    result = asyncio.run(main_async(args.members, args.audience, args.answers))
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    print()


if __name__ == "__main__":
    main()
