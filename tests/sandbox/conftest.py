"""Fixtures: a started sandbox with one member, and a PTB Bot pointed at it."""

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.sandbox import Sandbox

from .support import TOKEN, USER_ID


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    box = Sandbox(token=TOKEN, bot_username="qinglian_bot", fault_hold_seconds=5.0)
    await box.start()
    box.add_user(USER_ID, "张三", username="zhangsan", language_code="zh-hans")
    try:
        yield box
    finally:
        await box.stop()


@pytest.fixture
async def bot(sandbox: Sandbox) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=sandbox.base_url, base_file_url=sandbox.base_file_url) as client:
        yield client
