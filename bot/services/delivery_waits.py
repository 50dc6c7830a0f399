"""The delivery worker's waits: a send's turn under the pacer, any sleep cut short by a stop.

Time comes from the worker's `Clocks`, so tests with a fake clock never really wait.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.domain.pacing import Pacer
from bot.services.delivery_settings import Clocks

_EPSILON = 1e-6


class PacedWaits:
    """Sleeps for the delivery worker that end at once when `stop` is set."""

    def __init__(self, pacer: Pacer, clocks: Clocks, stop: asyncio.Event) -> None:
        self.pacer = pacer
        self.clocks = clocks
        self._stop = stop

    async def sleep(self, seconds: float, *, wake: asyncio.Event | None = None) -> None:
        """Sleep, but wake up at once when stopping (or when `wake` is set)."""
        if seconds <= 0 or self._stop.is_set():
            return
        waits: list[asyncio.Future[Any]] = [asyncio.ensure_future(self.clocks.sleep(seconds))]
        waits.append(asyncio.ensure_future(self._stop.wait()))
        if wake is not None:
            waits.append(asyncio.ensure_future(wake.wait()))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()

    async def for_turn(self, chat_id: int, lead: float = 0.0, *, finish: bool = False) -> None:
        """Sleep until a send to `chat_id` is `lead` seconds away; `finish`: even when stopping."""
        while finish or not self._stop.is_set():
            wait = self.pacer.delay(self.clocks.monotonic(), chat_id) - lead
            if wait <= _EPSILON:  # sub-microsecond remainders are float noise, not a wait
                return
            if finish:
                await self.clocks.sleep(wait)
            else:
                await self.sleep(wait)

    async def for_chat(self, chat_id: int, *, finish: bool = False) -> None:
        """Sleep until `chat_id`'s own spacing allows a message (the bot's overall pace aside)."""
        while finish or not self._stop.is_set():
            now = self.clocks.monotonic()
            wait = self.pacer.delay(now, chat_id) - self.pacer.delay(now) - self.pacer.interval
            if wait <= _EPSILON:
                return
            if finish:
                await self.clocks.sleep(wait)
            else:
                await self.sleep(wait)
