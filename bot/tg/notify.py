"""Direct messages to one member or a few (admins, reviewers, leaders) outside the delivery
engine; the one place where a direct send's 403 marks the member unreachable."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Iterable

from telegram import Bot
from telegram.error import Forbidden, TelegramError

from bot.services.registry import Services

log = logging.getLogger(__name__)


async def deliver(services: Services, user_id: int, sending: Awaitable[object], what: str) -> bool:
    """Await one direct send to a member; a 403 (they blocked the bot) marks them unreachable,
    any other refusal is logged by its type only. True if delivered."""
    try:
        await sending
    except Forbidden:
        await services.membership.mark_unreachable(user_id, services.now())
        return False
    except TelegramError as exc:
        log.warning("%s not delivered: %s", what, type(exc).__name__)
        return False
    return True


async def send_direct(bot: Bot, services: Services, user_id: int, text: str) -> bool:
    """Send one short message to a member. True if delivered."""
    return await deliver(services, user_id, bot.send_message(user_id, text), "direct message")


async def notify_many(bot: Bot, services: Services, user_ids: Iterable[int], text: str) -> int:
    """Send the same short notice to a few people; return how many got it."""
    delivered = 0
    for user_id in sorted(set(user_ids)):
        delivered += await send_direct(bot, services, user_id, text)
    return delivered
