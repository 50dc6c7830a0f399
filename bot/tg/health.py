"""The heartbeat job: every 30 s, check Telegram and the database, and write the result.

Polling: healthy while a getUpdates succeeded within the last minute (`PollingRequest` notes
each success). Webhook: healthy while the webhook server runs and Telegram still has our URL.
The job runs on a fixed period, whatever members do; `python -m bot health` reads the file.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from telegram.error import TelegramError
from telegram.ext import Application
from telegram.request import HTTPXRequest

from bot.services.health import POLL_STALE_AFTER, Beat
from bot.services.registry import Services
from bot.tg.context import SERVICES_KEY, BotContext

log = logging.getLogger(__name__)

HEARTBEAT_JOB = "heartbeat"
POLLING_REQUEST_KEY = "polling_request"


# Longest a poll waits for the updates already fetched to be handled (`PollingRequest`).
POLL_CATCH_UP = 0.02


class PollingRequest(HTTPXRequest):
    """PTB's getUpdates connection, noting when a poll last came back with an answer.

    While the bot is busy with the updates it has (`catch_up`: more than a few in hand), the
    next poll first waits for it to catch up, at most POLL_CATCH_UP seconds: polling at once
    would fetch one or two updates per call under load and spend the CPU on getUpdates round
    trips instead of answers. A bot with little in hand polls at once, so a tap is not delayed.
    """

    def __init__(
        self, *, catch_up: Callable[[float], Awaitable[None]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.last_success: datetime | None = None
        self._catch_up = catch_up

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """Send as usual (after the bot caught up); remember the time of each HTTP 200."""
        if self._catch_up is not None:
            await self._catch_up(POLL_CATCH_UP)
        status, body = await super().do_request(*args, **kwargs)
        if status == 200:
            self.last_success = datetime.now(UTC)
        return status, body


async def telegram_problem(application: Application, now: datetime) -> str | None:
    """None if updates are arriving (or can arrive), else what is wrong."""
    services: Services = application.bot_data[SERVICES_KEY]
    updater = application.updater
    if updater is None or not updater.running:
        return "telegram: the bot is not receiving updates (updater stopped)"
    if services.config.telegram.mode == "webhook":
        try:
            info = await application.bot.get_webhook_info()
        except TelegramError as exc:
            return f"telegram: getWebhookInfo failed ({type(exc).__name__})"
        if info.url != services.config.telegram.webhook.url:
            return "telegram: the webhook is no longer registered with Telegram"
        return None
    request: PollingRequest | None = application.bot_data.get(POLLING_REQUEST_KEY)
    last = request.last_success if request else None
    if last is None:
        return "telegram: no successful getUpdates yet"
    if now - last > POLL_STALE_AFTER:
        return f"telegram: no successful getUpdates for {int((now - last).total_seconds())} s"
    return None


async def beat(application: Application, now: datetime) -> Beat:
    """Check Telegram and the database once and write the heartbeat file."""
    services: Services = application.bot_data[SERVICES_KEY]
    problem = await telegram_problem(application, now) or await services.health.database_problem()
    result = Beat(checked_at=now, mode=services.config.telegram.mode, problem=problem)
    try:
        services.health.record(result)
    except OSError as exc:
        log.warning("could not write the heartbeat: %s", exc)
    if problem:
        log.warning("health check: %s", problem)
    return result


async def heartbeat_job(context: BotContext) -> None:
    """Job: one heartbeat, on the real clock (the file is read against the real clock)."""
    await beat(context.application, datetime.now(UTC))
