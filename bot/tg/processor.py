"""Concurrent update processing that keeps each member's own updates in order."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerMemberUpdateProcessor(BaseUpdateProcessor):
    """Members are served in parallel; one member's updates run one after another.

    A double-tapped answer button must not be graded twice at the same time, while a slow
    database write for one member must not hold up everyone else.

    It also knows how many updates are being handled, so polling can let a busy bot catch up
    instead of fetching one update at a time (`catch_up`).
    """

    # Updates being handled that count as busy: beyond this many, a newly fetched update would
    # only queue behind them, so the next poll may wait; at or below it, it goes at once.
    # One member's updates waiting for their turn are not counted (they hold no one up).
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
        key = None
        if isinstance(update, Update) and update.effective_user is not None:
            key = update.effective_user.id
        if key is None:
            async with self._running():
                await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock, self._running():
                await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key]
                del self._locks[key]

    @contextlib.asynccontextmanager
    async def _running(self) -> AsyncIterator[None]:
        """Count an update being handled (not one waiting behind its member's earlier one)."""
        self._in_flight += 1
        if self._in_flight > self.BUSY:
            self._caught_up.clear()
        try:
            yield
        finally:
            self._in_flight -= 1
            if self._in_flight <= self.BUSY:
                self._caught_up.set()

    async def catch_up(self, at_most: float) -> None:
        """Return once at most BUSY updates are being handled, or after `at_most` seconds."""
        if self._caught_up.is_set():
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(at_most):
                await self._caught_up.wait()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
