"""Webhook mode against the sandbox: the secret token, forged and spoofed updates, real use."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.sandbox import Sandbox
from tests.harness import REVIEWER, Harness, make_config

SECRET = "wh-secret-7GQk2VxPz9LmR4TtYb8N"
CADRE, ATTACKER = 701, 702


def free_port() -> int:
    """A port nobody listens on right now (the bot binds it a moment later)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def message_update(update_id: int, sender: int, chat: int, text: str) -> dict[str, Any]:
    """A private-chat message update as Telegram would POST it (chat may be forged)."""
    entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {
        "update_id": update_id,
        "message": {
            "message_id": 9000 + update_id,
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private", "first_name": "某人"},
            "from": {"id": sender, "is_bot": False, "first_name": "某人"},
            "text": text,
            "entities": entities if text.startswith("/") else [],
        },
    }


@pytest.fixture
async def webhook_harness(sandbox: Sandbox, tmp_path: Path) -> Any:
    """The bot in webhook mode: Telegram (the sandbox) POSTs updates to 127.0.0.1:PORT/hook."""
    db_path = tmp_path / "bot.db"
    port = free_port()
    config = make_config(
        sandbox,
        db_path,
        telegram__mode="webhook",
        telegram__webhook={
            "url": f"http://127.0.0.1:{port}/telegram/hook",
            "port": port,
            "secret_token": SECRET,
        },
    )
    h = Harness(sandbox=sandbox, db_path=db_path, config=config)
    await h.start()
    try:
        yield h
    finally:
        await h.stop()


async def _post(h: Harness, update: dict[str, Any], secret: str | None) -> int:
    hook = h.config.telegram.webhook
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(hook.url, json=update, headers=headers) as answer,
    ):
        return answer.status


def _sends(sandbox: Sandbox) -> int:
    calls = sandbox.stats()["calls"]
    return sum(calls.get(m, 0) for m in ("sendMessage", "sendPhoto", "sendDocument"))


async def test_webhook_is_registered_with_the_secret_and_serves_members(
    webhook_harness: Harness,
) -> None:
    h = webhook_harness
    info = h.sandbox.webhook_info()
    assert info is not None
    assert info["url"] == h.config.telegram.webhook.url
    assert info["secret_token"] == SECRET
    assert "getUpdates" not in h.sandbox.stats()["calls"]

    await h.join(CADRE, "张干部")
    [reply] = await h.send(CADRE, "/help")
    assert "/settings" in reply["text"]
    assert h.sandbox.webhook_info()["delivered"] >= 2
    member = await h.services.membership.member(CADRE)
    assert member is not None


async def test_forged_post_without_the_secret_is_refused_and_changes_nothing(
    webhook_harness: Harness,
) -> None:
    h = webhook_harness
    h.user(ATTACKER, "攻击者")
    h.user(REVIEWER, "赵纪检")
    before_sends = _sends(h.sandbox)
    forged = message_update(1_000_001, ATTACKER, ATTACKER, "/start test-office-invite")
    assert await _post(h, forged, secret=None) == 403
    assert await _post(h, forged, secret="wrong-secret-but-well-formed") == 403
    # Nothing was handled: the forged /start did not join anyone, and nobody was written to.
    await h.settle()
    assert await h.services.membership.member(ATTACKER) is None
    assert _sends(h.sandbox) == before_sends
    assert h.sandbox.bot_messages(ATTACKER) == []


async def test_update_whose_chat_is_not_its_sender_is_dropped_even_with_the_secret(
    webhook_harness: Harness,
) -> None:
    h = webhook_harness
    h.user(ATTACKER, "攻击者")
    h.user(REVIEWER, "赵纪检")
    await h.send(REVIEWER, "/start")  # the reviewer is a member (roles from the config)
    assert h.sandbox.bot_messages(REVIEWER)
    seen_by_reviewer = len(h.sandbox.bot_messages(REVIEWER))
    before_sends = _sends(h.sandbox)

    # "From the reviewer, in the attacker's chat": answering would hand the attacker the
    # reviewer's view. The gate drops it before any handler runs.
    for n, text in enumerate(("/reports", "/help", "/start"), start=1):
        spoofed = message_update(2_000_000 + n, REVIEWER, ATTACKER, text)
        assert await _post(h, spoofed, secret=SECRET) == 200
    await h.handled(3)
    assert h.sandbox.bot_messages(ATTACKER) == []
    assert len(h.sandbox.bot_messages(REVIEWER)) == seen_by_reviewer
    assert _sends(h.sandbox) == before_sends

    # The same request with the real chat works: the check is the chat, not the sender.
    genuine = message_update(2_000_010, REVIEWER, REVIEWER, "/help")
    assert await _post(h, genuine, secret=SECRET) == 200
    await h.handled(1)
    assert len(h.sandbox.bot_messages(REVIEWER)) == seen_by_reviewer + 1
    assert "/reports" in h.sandbox.bot_messages(REVIEWER)[-1]["text"]


async def test_spoofed_chat_is_dropped_in_polling_mode_too(harness: Harness) -> None:
    h = harness
    h.user(ATTACKER, "攻击者")
    h.user(REVIEWER, "赵纪检")
    await h.send(REVIEWER, "/start")
    before = len(h.sandbox.bot_messages(REVIEWER))
    spoofed = message_update(0, REVIEWER, ATTACKER, "/help")
    h.sandbox.state.add_update("message", spoofed["message"])
    await h.handled(1)
    assert h.sandbox.bot_messages(ATTACKER) == []
    assert len(h.sandbox.bot_messages(REVIEWER)) == before
