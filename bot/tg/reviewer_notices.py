"""Tell all reviewers who the config added to or removed from the reviewers since the last start."""

from __future__ import annotations

from html import escape

from telegram import Bot

from bot.domain.members import Role
from bot.i18n import translate
from bot.services.registry import Services
from bot.services.reviewer_roster import RosterChange
from bot.tg.notify import send_direct


async def tell_config_reviewer_changes(bot: Bot, services: Services, change: RosterChange) -> None:
    """Every reviewer (and whoever was removed) hears of each change, with id and @username."""
    if not change.added and not change.removed:
        return
    membership = services.membership
    told = dict(await membership.holders(Role.REVIEWER))
    for user_id in change.removed:
        member = await membership.member(user_id)
        if member is not None:
            told.setdefault(user_id, member.language or services.config.language)
    lines: list[tuple[str, int, str, str | None]] = []
    for key, ids in (
        ("reviewers.config_added", change.added),
        ("reviewers.config_removed", change.removed),
    ):
        for user_id in ids:
            member = await membership.member(user_id)
            name = escape(await membership.display_name(user_id))
            lines.append((key, user_id, name, member.username if member else None))
    for recipient, language in sorted(told.items()):
        texts = [
            translate(
                language,
                key,
                name=name,
                user_id=user_id,
                username=escape(f"@{handle}")
                if handle
                else translate(language, "reviewers.no_username"),
            )
            for key, user_id, name, handle in lines
        ]
        await send_direct(bot, services, recipient, "\n".join(texts))
