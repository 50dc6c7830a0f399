"""The error handler and the catch-alls: stale buttons, unknown commands, unsupported messages."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden

from bot.domain.members import Role
from bot.i18n import translate
from bot.tg.access import handled_as_report
from bot.tg.buttons import answer_stale
from bot.tg.context import BotContext
from bot.tg.notify import notify_many

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log first, then tell the user in their language, then notify admins without personal data.

    A reporter's update is the exception: a log line or an admin notice at that second would
    date the report, and a 403 written to their member row would tie it to them. Such errors
    are only counted; the count goes to admins with the next hourly batch.
    """
    error = context.error
    services = context.services
    where = type(update).__name__ if update is not None else "job"
    if isinstance(update, Update) and handled_as_report(context, update):
        await _reporter_error(update, context)
        return
    if isinstance(update, Update) and isinstance(error, Forbidden) and update.effective_user:
        # The user blocked the bot while we were answering them.
        await services.membership.mark_unreachable(update.effective_user.id, services.now())
        log.info("member blocked the bot; marked inactive")
        return
    log.error("unhandled error while handling %s", where, exc_info=error)
    if isinstance(update, Update):
        try:
            if context.caller is None and update.effective_user is not None:
                # The error context is a fresh one: load the caller for their language.
                context.caller = await services.membership.caller(update.effective_user.id)
            if update.callback_query:
                await update.callback_query.answer(context.t("error.generic"), show_alert=True)
            elif update.effective_message:
                await update.effective_message.reply_text(context.t("error.generic"))
        except Exception:  # the reply itself may be what fails
            log.warning("could not tell the user about the error", exc_info=True)
    admins = [h.user_id for h in await services.membership.holders(Role.ADMIN)]
    language = services.config.language
    text = translate(
        language,
        "error.admin_notice",
        error=type(error).__name__ if error else "?",
        where=where,
        update_id=update.update_id if isinstance(update, Update) else "—",
    )
    try:
        await notify_many(context.bot, services, admins, text)
    except Exception:
        log.warning("could not notify admins about an error", exc_info=True)


async def _reporter_error(update: Update, context: BotContext) -> None:
    """Count it, and tell the reporter something went wrong (unless they blocked the bot)."""
    if isinstance(context.error, Forbidden):
        return
    services = context.services
    services.reports.problem()
    try:
        if context.caller is None and update.effective_user is not None:
            context.caller = await services.membership.caller(update.effective_user.id)
        if update.callback_query:
            await update.callback_query.answer(context.t("error.generic"), show_alert=True)
        elif update.effective_message:
            await update.effective_message.reply_text(context.t("error.generic"))
    except Exception:  # the reply itself may be what fails: counted again, still not logged
        services.reports.problem()


async def stale_button(update: Update, context: BotContext) -> None:
    """A button no handler claims: from an old version, an old session, or forged."""
    await answer_stale(update, context)


async def unknown_command(update: Update, context: BotContext) -> None:
    """A /command the bot does not have."""
    if update.effective_message:
        await update.effective_message.reply_text(context.t("common.unknown_command"))


async def plain_text(update: Update, context: BotContext) -> None:
    """Text outside any conversation."""
    if update.effective_message:
        await update.effective_message.reply_text(context.t("common.plain_text"))


async def unsupported(update: Update, context: BotContext) -> None:
    """Stickers, locations, contacts, voice…: say what the bot understands."""
    if update.effective_message:
        await update.effective_message.reply_text(context.t("common.unsupported"))
