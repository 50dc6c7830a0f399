"""The update processor: one member's updates in order, and polling that lets a busy bot catch
up instead of fetching one update per getUpdates call."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram import Update
from telegram.request import HTTPXRequest

from bot.tg.health import POLL_CATCH_UP, PollingRequest
from bot.tg.processor import PerMemberUpdateProcessor


def _update(update_id: int, user_id: int) -> Update:
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "chat": {"id": user_id, "type": "private"},
                "from": {"id": user_id, "is_bot": False, "first_name": "成员"},
                "text": "/quiz",
            },
        },
        None,
    )


async def _turns() -> None:
    """Let every ready task run a few steps."""
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_busy_bot_makes_the_next_poll_wait_until_it_has_caught_up() -> None:
    processor = PerMemberUpdateProcessor()
    release = asyncio.Event()

    async def handling() -> None:
        await release.wait()

    busy = processor.BUSY + 1
    tasks = [
        asyncio.create_task(processor.process_update(_update(i, 1000 + i), handling()))
        for i in range(busy)
    ]
    await _turns()
    poll = asyncio.create_task(processor.catch_up(60))
    await _turns()
    assert not poll.done()  # more than BUSY updates in hand: the poll waits
    release.set()
    await asyncio.wait_for(poll, 5)
    await asyncio.gather(*tasks)
    # With few updates in hand a poll goes at once.
    await asyncio.wait_for(processor.catch_up(60), 0.5)


async def test_one_members_queued_taps_do_not_make_the_poll_wait() -> None:
    processor = PerMemberUpdateProcessor()
    release = asyncio.Event()

    async def handling() -> None:
        await release.wait()

    # One member taps many times: one update runs, the rest wait for it; nobody else is held.
    tasks = [
        asyncio.create_task(processor.process_update(_update(i, 3000), handling()))
        for i in range(processor.BUSY + 3)
    ]
    await _turns()
    poll = asyncio.create_task(processor.catch_up(60))
    await _turns()
    assert poll.done()
    release.set()
    await asyncio.gather(*tasks)


async def test_a_poll_waits_at_most_its_limit_however_busy_the_bot_is() -> None:
    processor = PerMemberUpdateProcessor()
    release = asyncio.Event()

    async def handling() -> None:
        await release.wait()

    tasks = [
        asyncio.create_task(processor.process_update(_update(i, 2000 + i), handling()))
        for i in range(processor.BUSY + 1)
    ]
    await _turns()
    loop = asyncio.get_running_loop()
    started = loop.time()
    await processor.catch_up(0.01)
    assert loop.time() - started < 1  # returned on its limit, with every update still held
    assert not any(task.done() for task in tasks)
    release.set()
    await asyncio.gather(*tasks)


async def test_one_members_updates_still_run_one_after_another() -> None:
    processor = PerMemberUpdateProcessor()
    order: list[str] = []
    first_started = asyncio.Event()
    release = asyncio.Event()

    async def first() -> None:
        order.append("first started")
        first_started.set()
        await release.wait()
        order.append("first done")

    async def second() -> None:
        order.append("second started")

    a = asyncio.create_task(processor.process_update(_update(1, 7), first()))
    await first_started.wait()
    b = asyncio.create_task(processor.process_update(_update(2, 7), second()))
    await _turns()
    assert order == ["first started"]
    release.set()
    await asyncio.gather(a, b)
    assert order == ["first started", "first done", "second started"]


async def test_every_get_updates_call_first_asks_the_bot_to_catch_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events: list[str] = []

    async def catch_up(at_most: float) -> None:
        events.append(f"catch up {at_most}")

    async def sent(self: HTTPXRequest, url: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        events.append("getUpdates")
        return 200, b'{"ok": true, "result": []}'

    monkeypatch.setattr(HTTPXRequest, "do_request", sent)
    request = PollingRequest(catch_up=catch_up)
    await request.do_request("https://example.invalid/getUpdates", "POST")
    await request.do_request("https://example.invalid/getUpdates", "POST")
    assert events == [f"catch up {POLL_CATCH_UP}", "getUpdates"] * 2
    assert request.last_success is not None
