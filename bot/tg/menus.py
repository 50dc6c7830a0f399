"""Telegram's command menu (setMyCommands): everyone's commands, plus each privileged member's."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.domain.members import Role
from bot.i18n import LANGUAGES, translator
from bot.services.membership import Caller
from bot.services.registry import Services
from bot.tg.commands import commands_for

log = logging.getLogger(__name__)


def menu(language: str, roles: frozenset[Role]) -> list[BotCommand]:
    """The command menu for these roles in one language."""
    t = translator(language)
    return [BotCommand(c.name, t(f"commands.{c.name}")) for c in commands_for(roles)]


async def publish_default_menus(bot: Bot, services: Services) -> None:
    """Everyone's menu, in the default language and once per language by client language."""
    default = services.config.language
    await bot.set_my_commands(menu(default, frozenset()), scope=BotCommandScopeDefault())
    for language in LANGUAGES:
        await bot.set_my_commands(
            menu(language, frozenset()), scope=BotCommandScopeDefault(), language_code=language
        )


async def publish_member_menu(bot: Bot, services: Services, caller: Caller) -> None:
    """A member's own menu in their chosen language, with their roles' commands."""
    if caller.member is None:
        return
    language = caller.member.language or services.config.language
    try:
        await bot.set_my_commands(
            menu(language, caller.roles), scope=BotCommandScopeChat(caller.user_id)
        )
    except TelegramError as exc:
        # The member may not have opened a chat with the bot yet; the menu is a convenience.
        log.warning("could not set the command menu for a privileged member: %s", exc)


async def publish_privileged_menus(bot: Bot, services: Services) -> None:
    """At start-up: a menu for every privileged member who has joined."""
    membership = services.membership
    user_ids: set[int] = set()
    for role in Role:
        user_ids.update(h.user_id for h in await membership.holders(role))
    for user_id in sorted(user_ids):
        await publish_member_menu(bot, services, await membership.caller(user_id))
