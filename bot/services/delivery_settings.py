"""The delivery worker's settings and clocks: how it sends, and where its time comes from."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.domain.delivery import RetryPolicy


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Clocks:
    """Where the worker's time comes from: the real clocks unless a test passes its own."""

    # Outbox retry times (next_attempt_at). Real time even where tests freeze the services'
    # clock: Telegram's retry_after and back-off are physical seconds.
    wall: Callable[[], datetime] = utc_now
    monotonic: Callable[[], float] = time.monotonic  # pacing
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    jitter: Callable[[], float] = random.random  # spreads retries of many members


@dataclass(frozen=True)
class WorkerSettings:
    """How the worker sends; the rates come from config.telegram.rate_limits."""

    concurrency: int = 16  # requests in flight
    batch: int = 64  # outbox rows read per round
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    progress_every: float = 2.0  # seconds between edits of a progress message
    first_progress_after: float = 1.0  # the first edit, once a campaign has been sending a while
    review_every: float = 0.5  # how often running campaigns are looked at while sending
    idle_wait: float = 60.0  # longest sleep with nothing due
    stop_grace: float = 10.0  # how long stop() lets sends in flight finish
