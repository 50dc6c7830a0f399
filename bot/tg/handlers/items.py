"""/items (admin): the questions that item analysis flags for revision."""

from __future__ import annotations

from telegram import Update

from bot.domain.members import Role
from bot.services.items import render_items
from bot.tg.access import requires
from bot.tg.context import BotContext


@requires(Role.ADMIN)
async def items(update: Update, context: BotContext) -> None:
    """/items: flagged questions with their statistics (never a member's result)."""
    if update.effective_message is None:
        return
    report = await context.services.items.report()
    await update.effective_message.reply_text(render_items(context.t, report))
