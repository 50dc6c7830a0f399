"""Helpers for delivery scenarios: many members at once, the worker, counting what arrived."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from bot.domain.members import MemberStatus
from bot.sandbox import Sandbox
from bot.services.delivery_worker import DeliveryWorker
from bot.storage.database import Database
from bot.storage.members import MemberRepository
from bot.tg.context import WORKER_KEY
from tests.harness import Harness, make_config

CAMPAIGN_MARK = "【测试通知】"


async def seed_members(
    db: Database,
    sandbox: Sandbox,
    user_ids: Iterable[int],
    *,
    department: str = "office",
    status: MemberStatus = MemberStatus.ACTIVE,
    joined: datetime = datetime(2026, 9, 1, tzinfo=UTC),
) -> list[int]:
    """Members who joined earlier (one transaction), each with a chat in the sandbox."""
    ids = list(user_ids)
    members = MemberRepository(db)
    async with db.transaction() as tx:
        for user_id in ids:
            await members.upsert_joined(
                tx,
                user_id=user_id,
                first_name=f"成员{user_id}",
                username=None,
                department_id=department,
                now=joined,
            )
        if status is not MemberStatus.ACTIVE:
            await tx.executemany(
                "UPDATE members SET status = ? WHERE user_id = ?",
                [(status.value, user_id) for user_id in ids],
            )
    for user_id in ids:
        if user_id not in {u["id"] for u in sandbox.users()}:
            sandbox.add_user(user_id, f"成员{user_id}")
    return ids


def worker(h: Harness) -> DeliveryWorker[object]:
    """The running bot's delivery worker."""
    assert h.app is not None
    return h.app.bot_data[WORKER_KEY]


async def drain(h: Harness, timeout: float = 25.0) -> None:
    """Wait until every campaign has finished."""
    async with asyncio.timeout(timeout):
        await worker(h).drain()


def received(sandbox: Sandbox, user_id: int, mark: str = CAMPAIGN_MARK) -> list[dict[str, object]]:
    """Campaign messages a member's chat shows."""
    return [m for m in sandbox.bot_messages(user_id) if mark in str(m.get("text") or "")]


def sends(sandbox: Sandbox) -> int:
    """sendMessage calls so far: cheap, as wait_for predicates run on every sandbox change."""
    return int(sandbox.stats()["calls"].get("sendMessage", 0))


def notice(text: str, *, ack: bool = False) -> dict[str, object]:
    """A campaign payload in both languages."""
    return {
        "text": {"zh": f"{CAMPAIGN_MARK}{text}", "en": f"{CAMPAIGN_MARK}{text} (en)"},
        "ack": ack,
    }


def harness_on(sandbox: Sandbox, tmp_path: Path, **overrides: object) -> Harness:
    """A harness (not started) on a given sandbox, with config overrides."""
    db_path = tmp_path / "bot.db"
    return Harness(
        sandbox=sandbox, db_path=db_path, config=make_config(sandbox, db_path, **overrides)
    )
