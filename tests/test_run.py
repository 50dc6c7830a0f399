"""`python -m bot run` against any Bot-API-shaped server, as a real process."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import yaml

from bot.sandbox import Sandbox
from tests.harness import TOKEN

ROOT = Path(__file__).resolve().parents[1]


async def test_run_subcommand_serves_members_through_api_base_url(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = {
        "telegram": {
            "token": TOKEN,
            "api_base_url": sandbox.base_url,
            "file_base_url": sandbox.base_file_url,
        },
        "storage": {"path": str(tmp_path / "bot.db")},
        "organization": {"name": "测试局", "departments": [{"id": "office", "name": "办公室"}]},
        "roles": {"admins": [900]},
        "access": {"invites": [{"code": "join-office-2026", "department": "office"}]},
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "BOT_CONFIG")}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--config",
        str(path),
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        sandbox.add_user(900, "管理员")
        sandbox.send_text(900, "/start")
        await sandbox.wait_for(lambda: sandbox.bot_messages(900), timeout=20)
        assert "欢迎你，管理员" in sandbox.bot_messages(900)[0]["text"]
        assert sandbox.my_commands(language_code="zh")
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    log = stderr.decode()
    assert process.returncode == 0, log
    assert TOKEN.split(":")[1] not in log
    assert "Traceback" not in log
    # A guessable preset code starts the bot, with one warning naming the key (not the code).
    [warning] = [line for line in log.splitlines() if "looks guessable" in line]
    assert "access.invites[0].code" in warning
    assert "join-office-2026" not in warning
