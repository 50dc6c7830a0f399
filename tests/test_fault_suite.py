"""Fault suite: a 500-member campaign through 5% server errors and timeouts and a burst of 429s."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain.delivery import Audience
from bot.sandbox import Sandbox
from tests.harness import TOKEN, Harness
from tests.tg.delivery_support import drain, harness_on, notice, received, seed_members, sends

MEMBERS = range(60001, 60501)


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    """The bot on a sandbox whose injected timeouts hold a request briefly, then answer 504."""
    sandbox = Sandbox(token=TOKEN, bot_username="qinglian_test_bot", fault_hold_seconds=0.3)
    await sandbox.start()
    harness = harness_on(sandbox, tmp_path)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()
        await sandbox.stop()


async def test_every_member_gets_exactly_one_message_through_faults(h: Harness) -> None:
    sandbox, services = h.sandbox, h.services
    members = await seed_members(services.db, sandbox, MEMBERS)
    rng = random.Random(5)
    faulty = rng.sample(members, len(members) // 20)  # 5% of the sends fail once
    for i, chat in enumerate(faulty):
        sandbox.inject_fault(
            kind=("500", "502", "timeout")[i % 3], chat_id=chat, method="sendMessage"
        )
    sandbox.set_limits(enforce=True, global_per_second=30, per_chat_per_second=1)
    sandbox.reset_stats()

    async def burst_of_429s() -> None:
        await sandbox.wait_for(lambda: sends(sandbox) >= 250, timeout=60)
        sandbox.inject_fault(kind="429", count=5, method="sendMessage", retry_after=2)

    burst = asyncio.create_task(burst_of_429s())
    audience = await services.delivery.audience(Audience("all"))
    created = await services.delivery.create_campaign(
        "faults:500", "notice", notice("节前廉洁提醒"), audience
    )
    await drain(h, timeout=90)
    await burst

    copies = [len(received(sandbox, chat)) for chat in members]
    assert copies == [1] * len(members)
    report = await services.delivery.report(created.campaign_id)
    assert (report.sent, report.failed, report.blocked, report.unknown) == (500, 0, 0, 0)
    stats = sandbox.stats()
    assert stats["faults_injected"] == len(faulty) + 5
    assert stats["rejected_429"] == 0  # the engine never went over a limit on its own
    assert stats["max_global_rate"] <= 30
    assert stats["max_chat_rate"] <= 1
