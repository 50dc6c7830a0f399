"""Starting and stopping the bot inside a running event loop (for `run`, `demo` and tests)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import InvalidToken, NetworkError, TimedOut

from bot.app import build_application
from bot.config import Config
from bot.services.registry import Services
from bot.tg.context import BotApplication

log = logging.getLogger(__name__)


class StartupError(Exception):
    """The bot could not start; the message is one line for the operator."""


@contextlib.asynccontextmanager
async def running(
    config: Config, *, services: Services | None = None
) -> AsyncIterator[BotApplication]:
    """Start the bot (polling or webhook) and stop it cleanly on exit."""
    application = build_application(config, services=services)
    try:
        await application.initialize()
    except InvalidToken:
        raise StartupError(f"{config.source}: telegram.token: rejected by the Bot API") from None
    except (NetworkError, TimedOut) as exc:
        raise StartupError(
            f"{config.source}: telegram.api_base_url: cannot reach "
            f"{config.telegram.api_base_url} ({type(exc).__name__})"
        ) from None
    try:
        if application.post_init:
            await application.post_init(application)
        updater = application.updater
        assert updater is not None
        if config.telegram.mode == "webhook":
            hook = config.telegram.webhook
            # Plain HTTP on listen:port at the URL's own path, behind a TLS reverse proxy that
            # passes the path through. PTB registers the URL and the secret with setWebhook
            # and answers 403 to any request without that X-Telegram-Bot-Api-Secret-Token.
            await updater.start_webhook(
                listen=hook.listen,
                port=hook.port,
                url_path=urlsplit(hook.url).path.strip("/"),
                webhook_url=hook.url,
                secret_token=hook.secret_token,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            await updater.start_polling(allowed_updates=Update.ALL_TYPES, timeout=10)
        await application.start()
        yield application
    finally:
        if application.updater and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
            # As run_polling does: post_stop runs while the bot can still make requests.
            if application.post_stop:
                await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)


async def serve(config: Config) -> None:
    """Run until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with running(config):
        log.info("running; press Ctrl+C to stop")
        await stop.wait()
    log.info("stopped")
