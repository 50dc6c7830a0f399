"""Concurrent update processing that keeps each member's own updates in order."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerMemberUpdateProcessor(BaseUpdateProcessor):
    """Members are served in parallel; one member's updates run one after another.

    A double-tapped answer button must not be graded twice at the same time, while a slow
    database write for one member must not hold up everyone else.

    It also knows how many updates are being handled, so polling can let a busy bot catch up
    instead of fetching one update at a time (`catch_up`).
    """

    # Updates in hand that count as busy: beyond this many, a newly fetched update would
    # only queue behind them, so the next poll may wait; at or below it, it goes at once.
    BUSY = 8

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._in_flight = 0
        self._caught_up = asyncio.Event()
        self._caught_up.set()

    async def do_process_update(self, update: object, coroutine: Awaitable[object]) -> None:
        """Run the update's handlers under its member's lock."""
        self._in_flight += 1
        if self._in_flight > self.BUSY:
            self._caught_up.clear()
        try:
            await self._in_order(update, coroutine)
        finally:
            self._in_flight -= 1
            if self._in_flight <= self.BUSY:
                self._caught_up.set()

    async def _in_order(self, update: object, coroutine: Awaitable[object]) -> None:
        key = None
        if isinstance(update, Update) and update.effective_user is not None:
            key = update.effective_user.id
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key]
                del self._locks[key]

    async def catch_up(self, at_most: float) -> None:
        """Return once at most BUSY updates are being handled, or after `at_most` seconds."""
        if self._caught_up.is_set():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._caught_up.wait(), at_most)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
