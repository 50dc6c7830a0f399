"""Direct messages to a few people (e.g. admins), with 403 marking the member inactive."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import Bot
from telegram.error import Forbidden, TelegramError

from bot.services.registry import Services

log = logging.getLogger(__name__)


async def send_direct(bot: Bot, services: Services, user_id: int, text: str) -> bool:
    """Send one message; a 403 marks the member inactive. True if delivered."""
    try:
        await bot.send_message(user_id, text)
    except Forbidden:
        await services.membership.members.mark_inactive(user_id, services.now())
        return False
    except TelegramError as exc:
        log.warning("direct message failed: %s", type(exc).__name__)
        return False
    return True


async def notify_many(bot: Bot, services: Services, user_ids: Iterable[int], text: str) -> int:
    """Send the same short notice to a few people; return how many got it."""
    delivered = 0
    for user_id in sorted(set(user_ids)):
        delivered += await send_direct(bot, services, user_id, text)
    return delivered
