"""Shared fixtures: a sandbox and a bot running on it, per test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox import Sandbox
from tests.harness import TOKEN, Harness, make_config


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    """A fresh Bot API sandbox on a free port."""
    box = Sandbox(token=TOKEN, bot_username="qinglian_test_bot")
    await box.start()
    try:
        yield box
    finally:
        await box.stop()


@pytest.fixture
async def harness(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[Harness]:
    """The bot running on the sandbox with an empty database."""
    db_path = tmp_path / "bot.db"
    h = Harness(sandbox=sandbox, db_path=db_path, config=make_config(sandbox, db_path))
    await h.start()
    try:
        yield h
    finally:
        await h.stop()
