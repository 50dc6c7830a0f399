"""The bot process SIGKILLed at three random points of one campaign and restarted each time."""

from __future__ import annotations

import asyncio
import random
import signal
from pathlib import Path
from typing import Any

import yaml

from bot.config import load_config
from bot.sandbox import Sandbox
from bot.services.delivery import DeliveryService
from bot.storage.database import Database
from tests.harness import DEPARTMENTS, TOKEN
from tests.test_sigkill import KEY, bot_process, campaign_state
from tests.tg.delivery_support import notice, received, seed_members, sends

MEMBERS = range(70001, 70241)


async def test_three_kills_at_random_points_no_duplicates(sandbox: Sandbox, tmp_path: Path) -> None:
    db_path, config_path = tmp_path / "bot.db", tmp_path / "config.yaml"
    raw: dict[str, Any] = {
        "telegram": {
            "token": TOKEN,
            "api_base_url": sandbox.base_url,
            "file_base_url": sandbox.base_file_url,
        },
        "storage": {"path": str(db_path)},
        "organization": {"name": "测试县应急管理局", "departments": DEPARTMENTS},
    }
    config_path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    db = Database(db_path)
    await db.open()
    members = await seed_members(db, sandbox, MEMBERS)
    await DeliveryService(load_config(config_path), db).create_campaign(
        KEY, "notice", notice("三次杀进程测试"), members
    )
    await db.close()
    sandbox.set_limits(enforce=True)

    rng = random.Random()
    points = sorted(rng.sample(range(20, len(members) - 20), 3))
    for point in points:
        async with bot_process(config_path) as bot:
            await sandbox.wait_for(lambda p=point: sends(sandbox) >= p, timeout=60)
            bot.process.kill()  # SIGKILL at a random point: nothing is flushed
            await bot.finish()

    async with bot_process(config_path) as last:
        async with asyncio.timeout(60):
            await last.logged(f"campaign {KEY} (notice) done")
        last.process.send_signal(signal.SIGTERM)
        assert await last.finish() == 0

    status, report = await campaign_state(db_path)
    copies = [len(received(sandbox, u)) for u in members]
    missing = copies.count(0)
    assert status == "done"
    assert max(copies) == 1, f"duplicates after kills at {points}"
    assert report.sent + report.unknown == len(members)
    # Only a send in flight at a kill can be lost: Telegram has no idempotency key, so such a
    # row is marked unknown and not resent rather than risk a second copy.
    assert missing <= report.unknown
    assert sandbox.stats()["rejected_429"] == 0
