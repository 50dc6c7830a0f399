"""A running bot on the Bot API sandbox, driven as members would drive it."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.config import Config, parse_config
from bot.runtime import running
from bot.sandbox import Sandbox
from bot.services.registry import Services
from bot.storage.database import Database
from bot.tg.context import BotApplication

TOKEN = "4242424242:TEST-token-for-the-sandbox-only-xyz"
DEPARTMENTS = [
    {"id": "office", "name": "办公室"},
    {"id": "command", "name": "应急指挥科"},
    {"id": "safety", "name": "安全生产监督管理科"},
]
ADMIN, LEADER, REVIEWER = 1, 2, 3


def make_config(sandbox: Sandbox, db_path: Path, **overrides: Any) -> Config:
    """A test config pointing at the sandbox."""
    raw: dict[str, Any] = {
        "telegram": {
            "token": TOKEN,
            "api_base_url": sandbox.base_url,
            "file_base_url": sandbox.base_file_url,
        },
        "storage": {"path": str(db_path)},
        "organization": {"name": "测试县应急管理局", "departments": DEPARTMENTS},
        "roles": {"admins": [ADMIN], "leaders": [LEADER], "reviewers": [REVIEWER]},
        "access": {"invites": [{"code": "test-office-invite", "department": "office"}]},
        # Late, so a restart at the harness clock (10:00 local) does not catch up a daily
        # notice in the middle of a scenario; daily-question tests set their own time.
        "quiz": {"daily_time": "23:30"},
    }
    for dotted, value in overrides.items():
        node = raw
        *parents, last = dotted.split("__")
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value
    return parse_config(raw, source="<test>")


class Clock:
    """A settable clock: tests pass time instead of sleeping."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move time forward."""
        self.now += timedelta(**delta)


@dataclass
class Harness:
    """The sandbox, a config, and (while started) the running bot."""

    sandbox: Sandbox
    db_path: Path
    config: Config
    clock: Clock = field(default_factory=lambda: Clock(datetime(2026, 9, 20, 2, 0, tzinfo=UTC)))
    app: BotApplication | None = None
    _ctx: Any = None
    _expected: int = 0
    _processed: int = 0

    @property
    def services(self) -> Services:
        """The running bot's services."""
        assert self.app is not None, "bot not started"
        return self.app.bot_data["services"]

    async def start(self) -> BotApplication:
        """Start the bot (a fresh Application over the same database file)."""
        services = Services.create(self.config, Database(self.db_path))
        services.clock = self.clock
        self._ctx = running(self.config, services=services)
        self.app = await self._ctx.__aenter__()
        processor = self.app.update_processor
        original = processor.do_process_update

        async def counted(update: object, coroutine: Awaitable[Any]) -> None:
            try:
                await original(update, coroutine)
            finally:
                self._processed += 1
                self.sandbox.changed()

        processor.do_process_update = counted  # type: ignore[method-assign]
        return self.app

    async def stop(self) -> None:
        """Stop the bot (the sandbox keeps running)."""
        if self._ctx is not None:
            await self.settle()
            ctx, self._ctx = self._ctx, None
            await ctx.__aexit__(None, None, None)
            self.app = None
            self._expected = self._processed = 0

    async def restart(self) -> None:
        """Stop and start again, as after a deploy."""
        await self.stop()
        await self.start()

    async def handled(self, count: int = 1) -> None:
        """Wait until `count` more updates (delivered some other way) have been handled."""
        self._expected += count
        await self.settle()

    async def settle(self, timeout: float = 5.0) -> None:
        """Wait until every update injected so far has been fully handled."""
        await self.sandbox.wait_for(lambda: self._processed >= self._expected, timeout=timeout)

    def user(self, user_id: int, name: str, **kw: Any) -> int:
        """Register a Telegram user with the sandbox."""
        self.sandbox.add_user(user_id, name, **kw)
        return user_id

    async def send(self, user_id: int, text: str) -> list[dict[str, Any]]:
        """The user sends text; return the bot messages that arrived in reply."""
        before = {m["message_id"] for m in self.sandbox.bot_messages(user_id)}
        self._expected += 1
        self.sandbox.send_text(user_id, text)
        await self.settle()
        return [m for m in self.sandbox.bot_messages(user_id) if m["message_id"] not in before]

    async def edit(self, user_id: int, message_id: int, text: str) -> None:
        """The user edits one of their text messages."""
        self._expected += 1
        self.sandbox.edit_text(user_id, message_id, text)
        await self.settle()

    async def send_file(
        self, user_id: int, data: bytes, filename: str, kind: str = "photo"
    ) -> list[dict[str, Any]]:
        """The user sends a photo or document; return the bot messages that arrived in reply."""
        before = {m["message_id"] for m in self.sandbox.bot_messages(user_id)}
        self._expected += 1
        self.sandbox.send_file(user_id, data, filename=filename, kind=kind)
        await self.settle()
        return [m for m in self.sandbox.bot_messages(user_id) if m["message_id"] not in before]

    async def press(self, user_id: int, message: dict[str, Any], label: str) -> dict[str, Any]:
        """The user presses the button whose text contains `label`; return the message after."""
        data = button_data(message, label)
        return await self.press_data(user_id, message["message_id"], data)

    async def press_data(self, user_id: int, message_id: int, data: str) -> dict[str, Any]:
        """Press a button with arbitrary (possibly forged) callback data."""
        self._expected += 1
        self.sandbox.press_button(user_id, message_id, data, require_button=False)
        await self.settle()
        return self.message(user_id, message_id)

    def message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """A message as the chat shows it now."""
        return next(m for m in self.sandbox.messages(chat_id) if m["message_id"] == message_id)

    def last(self, chat_id: int) -> dict[str, Any]:
        """The newest bot message in a chat."""
        return self.sandbox.bot_messages(chat_id)[-1]

    def toasts(self, chat_id: int) -> list[str]:
        """Texts of answerCallbackQuery toasts in a chat."""
        return [t["text"] for t in self.sandbox.toasts(chat_id)]

    async def join(self, user_id: int, name: str, code: str = "test-office-invite") -> None:
        """Register a user and join them with an invite."""
        self.user(user_id, name)
        replies = await self.send(user_id, f"/start {code}")
        assert replies, "no answer to /start"


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Every inline button of a message, row by row."""
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def button_data(message: dict[str, Any], label: str) -> str:
    """The callback data of the button whose text contains `label`."""
    for b in buttons(message):
        if label in b["text"]:
            return b["callback_data"]
    texts = [b["text"] for b in buttons(message)]
    raise AssertionError(f"no button with {label!r}; buttons: {texts}")
