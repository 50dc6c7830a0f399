"""A real bot process killed with SIGKILL mid-campaign, then restarted: nobody gets two copies."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import yaml

from bot.config import load_config
from bot.domain.delivery import CampaignReport
from bot.sandbox import Sandbox
from bot.services.delivery import DeliveryService
from bot.storage.database import Database
from tests.harness import DEPARTMENTS, TOKEN
from tests.tg.delivery_support import notice, received, seed_members, sends

ROOT = Path(__file__).resolve().parents[1]
MEMBERS = range(50001, 50151)
KEY = "test:sigkill"


class BotProcess:
    """`python -m bot run --config …` as its own process, with its log read as it is written."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.log: list[str] = []
        self._changed = asyncio.Condition()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stderr is not None
        async for line in self.process.stderr:
            async with self._changed:
                self.log.append(line.decode("utf-8", errors="replace"))
                self._changed.notify_all()

    async def logged(self, text: str) -> None:
        """Wait until the process has logged a line containing `text`."""
        async with self._changed:
            await self._changed.wait_for(lambda: any(text in line for line in self.log))

    async def finish(self) -> int:
        """Wait for the exit and the rest of the log."""
        code = await self.process.wait()
        await self._reader
        return code


@contextlib.asynccontextmanager
async def bot_process(config: Path) -> AsyncIterator[BotProcess]:
    """Start the bot; kill it if the test leaves it running."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--config",
        str(config),
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "BOT_CONFIG")},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    bot = BotProcess(process)
    try:
        yield bot
    finally:
        if process.returncode is None:
            process.kill()
        await bot.finish()


async def campaign_state(db_path: Path) -> tuple[str, CampaignReport]:
    """The campaign's status and report, read from the file the bot process writes."""
    db = Database(db_path)
    await db.open()
    try:
        service = DeliveryService(load_config(db_path.parent / "config.yaml"), db)
        campaign = await service.campaign_by_key(KEY)
        assert campaign is not None
        return campaign.status, await service.report(campaign.id)
    finally:
        await db.close()


async def test_killed_mid_campaign_and_restarted_completes_without_duplicates(
    sandbox: Sandbox, tmp_path: Path
) -> None:
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
    config = load_config(config_path)

    # An admin's notice, queued before the bot starts (as if created just before a restart).
    db = Database(db_path)
    await db.open()
    members = await seed_members(db, sandbox, MEMBERS)
    await DeliveryService(config, db).create_campaign(KEY, "notice", notice("杀进程测试"), members)
    await db.close()
    sandbox.set_limits(enforce=True)

    async with bot_process(config_path) as first:
        await sandbox.wait_for(lambda: sends(sandbox) >= 40, timeout=30)
        first.process.kill()  # SIGKILL: no shutdown, no chance to record sends in flight
        await first.finish()
    assert sends(sandbox) < len(members)

    async with bot_process(config_path) as second:
        async with asyncio.timeout(40):
            await second.logged(f"campaign {KEY} (notice) done")
        second.process.send_signal(signal.SIGTERM)
        assert await second.finish() == 0, "".join(second.log[-30:])

    status, report = await campaign_state(db_path)
    copies = [len(received(sandbox, u)) for u in members]
    assert status == "done"
    assert max(copies) == 1  # duplicates == 0
    assert report.sent + report.unknown == len(members)
    assert (report.failed, report.blocked, report.remaining) == (0, 0, 0)
    # A row marked unknown may or may not have arrived; a sent row always did.
    assert report.sent <= sum(copies) <= report.sent + report.unknown
    if report.unknown:
        assert any("marked unknown, not resent" in line for line in second.log)
    assert sandbox.stats()["rejected_429"] == 0
