"""Who may do what: the gate in front of every handler, and role checks at the moment of use."""

from __future__ import annotations

import contextlib
import functools
import logging
import re
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop, BaseHandler

from bot.domain.members import Role
from bot.domain.reports import looks_like_receipt_code, shows_receipt_code
from bot.tg.callbacks.base import SEP
from bot.tg.callbacks.reports import REPORTER_BUTTONS
from bot.tg.commands import PUBLIC_COMMANDS
from bot.tg.context import BotContext
from bot.tg.menus import publish_member_menu

log = logging.getLogger(__name__)

Handler = Callable[[Update, BotContext], Coroutine[Any, Any, object]]

# bot_data key: handlers (conversations) that strangers may use, set at registration from the
# config (the anonymous-report conversation when reports.open_to is anyone). The gate asks
# them whether they claim an update, so a stranger reaches exactly those steps and no others.
PUBLIC_FLOWS = "public_flows"
# bot_data key: the anonymous-report handlers. An update one of them will handle (or a message
# that looks like a receipt code) writes nothing: no member row, no re-activation, no join.
REPORT_FLOWS = "report_flows"
# user_data key: the id of the update being handled as a reporter's, for the error handler.
REPORT_UPDATE = "report_update"


def first_handler(application: Application, update: Update) -> BaseHandler | None:
    """The handler of group 0 that will take this update, found the way PTB finds it."""
    return next((h for h in application.handlers.get(0, []) if _claims(h, update)), None)


# Any version's data of a reporter's button: `v<n>:<prefix>` with or without fields.
_REPORTER_DATA = re.compile(
    rf"^v\d+{SEP}(?:{'|'.join(re.escape(b.prefix) for b in REPORTER_BUTTONS)})(?:{SEP}|$)"
)


def is_report_flow(context: BotContext, update: Update) -> bool:
    """Whether this update is a reporter's (so nothing about the sender may be written)."""
    flows: tuple[BaseHandler, ...] = context.application.bot_data.get(REPORT_FLOWS, ())
    if not flows:
        return False
    query = update.callback_query
    if query is not None and _REPORTER_DATA.match(query.data or ""):
        return True  # a reporter's button, even from an older version that nothing claims
    message = update.effective_message
    if message is not None:
        text = message.text or message.caption
        if query is not None:
            # A button's message is the bot's own text: a receipt shows its code formatted,
            # so one search finds it (the full check is for what a person typed).
            if shows_receipt_code(text):
                return True
        elif looks_like_receipt_code(text):
            return True
    if not any(_claims(flow, update) for flow in flows):
        return False  # the common case, decided without asking every other handler
    return first_handler(context.application, update) in flows


def _claims(handler: BaseHandler, update: Update) -> bool:
    check = handler.check_update(update)
    return check is not None and check is not False


def handled_as_report(context: BotContext, update: object) -> bool:
    """Whether the gate marked this update as a reporter's."""
    return (
        isinstance(update, Update)
        and (data := context.optional_user_data) is not None
        and data.get(REPORT_UPDATE) == update.update_id
    )


def command_name(update: Update) -> str | None:
    """The /command a message starts with (without the @botname suffix), if any."""
    message = update.effective_message
    text = message.text if message else None
    if not text or not text.startswith("/"):
        return None
    return text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else None


async def refuse(update: Update, context: BotContext, key: str) -> None:
    """Tell the user no, as a toast for a button or a reply for a message."""
    text = context.t(key)
    if update.callback_query:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message:
        await update.effective_message.reply_text(text)


async def gate(update: Update, context: BotContext) -> None:
    """Load the caller; let members through, strangers only to public commands and flows.

    For a reporter's update the gate only reads: a name change or a re-activation written at
    that moment would date the reporter's action next to their identity.
    """
    user = update.effective_user
    chat = update.effective_chat
    if user is None or user.is_bot or (chat is not None and chat.type != ChatType.PRIVATE):
        # The bot works in private chats only; group traffic is ignored.
        raise ApplicationHandlerStop
    if chat is not None and chat.id != user.id:
        # A private chat's id is its user's id. An update that says otherwise is forged (a
        # webhook request, a modified client): answering it would send one member's data to
        # another chat. No ids in the log line.
        log.warning("dropped an update whose private chat is not its sender's")
        raise ApplicationHandlerStop
    if update.edited_message is not None:
        # Edits of earlier messages are not new requests (an edited /start must not re-run);
        # one that now carries a receipt code is deleted like any other.
        edited = update.edited_message
        if looks_like_receipt_code(edited.text or edited.caption):
            with contextlib.suppress(TelegramError):
                await edited.delete()
        raise ApplicationHandlerStop
    reporting = is_report_flow(context, update)
    if reporting:
        context.user_data[REPORT_UPDATE] = update.update_id
    services = context.services
    membership = services.membership
    caller = await membership.caller(user.id)
    if reporting:
        context.caller = caller
        if caller.is_member or command_name(update) in PUBLIC_COMMANDS:
            return
    elif not caller.is_member and caller.roles and command_name(update) != "start":
        # Roles from the config file admit their holders without an invite (/start does
        # the same itself, with a first-time welcome).
        await membership.join(
            user_id=user.id,
            first_name=user.first_name,
            username=user.username,
            code=None,
            now=services.now(),
        )
        caller = await membership.caller(user.id)
        # Their roles' commands in Telegram's menu from the first message, not the next start.
        await publish_member_menu(context.bot, services, caller)
    context.caller = caller
    if caller.is_member:
        await membership.seen(caller, user.first_name, user.username, services.now())
        return
    if command_name(update) in PUBLIC_COMMANDS:
        return
    public_flows: tuple[BaseHandler, ...] = context.application.bot_data.get(PUBLIC_FLOWS, ())
    if any(flow.check_update(update) for flow in public_flows):
        return
    message = update.effective_message
    if message is not None and looks_like_receipt_code(message.text or message.caption):
        with contextlib.suppress(TelegramError):  # a code never stays in a chat
            await message.delete()
    await refuse(update, context, "access.not_member")
    raise ApplicationHandlerStop


def requires(role: Role) -> Callable[[Handler], Handler]:
    """Run the handler only if the caller holds `role` now (buttons can be forged)."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def checked(update: Update, context: BotContext) -> object:
            caller = context.caller
            if caller is None or not caller.is_member or not caller.has(role):
                await refuse(update, context, "access.no_permission")
                return None
            return await handler(update, context)

        return checked

    return decorate
