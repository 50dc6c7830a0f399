"""What the reviewers' screens share: the role check, a status's name, editing a message."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.domain.members import Role
from bot.domain.reports import ReportStatus
from bot.tg.context import BotContext


def _is_reviewer(context: BotContext) -> bool:
    caller = context.caller
    return caller is not None and caller.is_member and caller.has(Role.REVIEWER)


def _state(context: BotContext, status: ReportStatus) -> str:
    return context.t(f"reports.state.{status.value}")


async def _edit(update: Update, text: str, keyboard: InlineKeyboardMarkup) -> None:
    """Edit the pressed message; a double tap that changes nothing is not an error."""
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(text, reply_markup=keyboard)
    except BadRequest as exc:
        if "not modified" not in exc.message:
            raise
