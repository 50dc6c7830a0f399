"""The demo: `python -m bot demo` prints a URL; the page lets a person chat as each member."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from bot.demo import MEMBERS, demo_environment
from tests.demo.cdp import find_chromium, open_page

ROOT = Path(__file__).resolve().parents[2]
CADRE = next(m for m in MEMBERS if m.label.startswith("干部"))


async def test_demo_seeds_one_member_of_each_role_with_a_greeting() -> None:
    async with demo_environment(port=0) as (sandbox, application):
        services = application.bot_data["services"]
        for m in MEMBERS:
            await sandbox.wait_for(lambda m=m: sandbox.bot_messages(m.user_id), timeout=10)
        roles = {m.label: (await services.membership.caller(m.user_id)) for m in MEMBERS}
        assert roles["管理员"].has("admin")
        assert roles["领导"].has("leader")
        assert roles["纪检监察组"].has("reviewer")
        cadres = [c for label, c in roles.items() if label.startswith("干部")]
        assert len(cadres) == 2
        assert len({c.member.department_id for c in cadres}) == 2
        assert not roles["访客（尚未加入）"].is_member
        async with aiohttp.ClientSession() as session:
            base = f"http://127.0.0.1:{sandbox.port}"
            async with session.get(f"{base}/demo/") as page:
                assert page.status == 200
                assert "清廉助手" in await page.text()
            async with session.get(f"{base}/control/users") as users:
                listed = {u["id"] for u in (await users.json())["users"]}
                assert listed == {m.user_id for m in MEMBERS}


def test_demo_command_prints_a_url_and_stops_cleanly() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "BOT_CONFIG")}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "demo", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        url = None
        assert process.stdout is not None
        for line in process.stdout:
            match = re.search(r"http://127\.0\.0\.1:\d+/demo/", line)
            if match:
                url = match.group(0)
                break
        assert url, "demo printed no URL"
        import urllib.request

        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr


async def test_browser_cadre_sends_start_and_sees_the_answer() -> None:
    binary = find_chromium()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (.ci/run installs it)")
        pytest.skip("chromium is not installed")
    async with demo_environment(port=0) as (sandbox, _application):
        await sandbox.wait_for(lambda: sandbox.bot_messages(CADRE.user_id), timeout=10)
        url = f"http://127.0.0.1:{sandbox.port}/demo/#user={CADRE.user_id}"
        async with open_page(binary, url) as page:
            await page.wait_for("document.querySelectorAll('#messages .msg.bot').length >= 1")
            before = await page.evaluate("document.querySelectorAll('#messages .msg.bot').length")
            await page.evaluate(
                """(() => {
                    const input = document.getElementById('composer-input');
                    input.value = '/start';
                    input.dispatchEvent(new Event('input', {bubbles: true}));
                    document.getElementById('send-button').click();
                })()"""
            )
            await page.wait_for(
                f"document.querySelectorAll('#messages .msg.bot').length > {before}"
            )
            newest = await page.evaluate(
                "[...document.querySelectorAll('#messages .msg.bot')].pop().innerText"
            )
            assert "欢迎回来" in newest
            assert CADRE.first_name in newest
            mine = await page.evaluate(
                "[...document.querySelectorAll('#messages .msg.user')].pop().innerText"
            )
            assert "/start" in mine
