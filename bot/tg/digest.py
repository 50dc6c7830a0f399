"""The weekly digest in Telegram: the scheduled job and sending a digest (text and chart)."""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import Bot

from bot.services.digest import PeriodChoice, RenderedDigest
from bot.services.registry import Services
from bot.tg.context import BotContext
from bot.tg.notify import deliver

log = logging.getLogger(__name__)

DIGEST_JOB = "digest weekly"
CAPTION_LIMIT = 1024  # Telegram's limit for a photo caption


def ptb_days(weekday: int) -> tuple[int, ...]:
    """PTB's `run_daily(days=…)` counts 0 = Sunday … 6 = Saturday; our config 0 = Monday."""
    return ((weekday + 1) % 7,)


async def send_digest(bot: Bot, chat_id: int, rendered: RenderedDigest) -> None:
    """The text and the chart: one captioned photo if the text fits a caption, else two."""
    if len(rendered.text) <= CAPTION_LIMIT:
        await bot.send_photo(chat_id, rendered.chart.png, caption=rendered.text)
        return
    await bot.send_message(chat_id, rendered.text)
    await bot.send_photo(chat_id, rendered.chart.png, caption=rendered.caption)


async def deliver_to_leader(
    bot: Bot, services: Services, user_id: int, rendered: RenderedDigest
) -> bool:
    """THE call site where the weekly digest leaves the bot, one leader at a time.

    The delivery engine's notices carry text and buttons but no photo, and leaders are a handful
    of chats, so the digest goes out directly here (within the bot's AIORateLimiter). When the
    engine can carry a photo, replace this body with one `services.delivery.create_campaign`.
    """
    sending = send_digest(bot, user_id, rendered)
    return await deliver(services, user_id, sending, "weekly digest to a leader")


async def deliver_weekly_digest(bot: Bot, services: Services, now: datetime) -> int:
    """Build the scheduled digest once and send it to every leader; return how many got it."""
    digests = services.digest
    leaders = await digests.leaders()
    if not leaders:
        log.info("weekly digest: no leaders to send it to")
        return 0
    digest = await digests.build(digests.period(PeriodChoice.SCHEDULED, now), now)
    rendered: dict[str, RenderedDigest] = {}
    delivered = 0
    for user_id, language in leaders:
        if language not in rendered:
            rendered[language] = await digests.render(digest, language)
        delivered += await deliver_to_leader(bot, services, user_id, rendered[language])
    log.info("weekly digest sent to %d of %d leaders", delivered, len(leaders))
    return delivered


async def weekly_digest(context: BotContext) -> None:
    """Job: the weekly digest."""
    services = context.services
    await deliver_weekly_digest(context.bot, services, services.now())
