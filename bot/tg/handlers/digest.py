"""Leaders: /digest on demand, for this week so far or last week."""

from __future__ import annotations

from telegram import Update

from bot.domain.members import Role
from bot.services.digest import PeriodChoice
from bot.tg import callbacks as cb
from bot.tg.access import requires
from bot.tg.buttons import Press
from bot.tg.context import BotContext
from bot.tg.keyboards import digest_keyboard


@requires(Role.LEADER)
async def digest(update: Update, context: BotContext) -> None:
    """/digest: choose the period."""
    if update.effective_message is None:
        return
    await update.effective_message.reply_text(
        context.t("digest.pick"), reply_markup=digest_keyboard(context.t)
    )


async def digest_week(update: Update, context: BotContext, press: Press[cb.DigestWeek]) -> None:
    """Period chosen (registered for leaders: the role is checked again when pressed): the
    text, then the chart."""
    query = press.query
    choice = PeriodChoice(press.data.week.value)
    if query.message is None:
        await query.answer(context.t("common.stale_button"), show_alert=True)
        return
    await query.answer()
    services = context.services
    now = services.now()
    built = await services.digest.build(services.digest.period(choice, now), now)
    rendered = await services.digest.render(built, context.language)
    # The picker becomes the digest text (one edit), then the chart follows as a photo.
    await query.edit_message_text(rendered.text)
    await context.bot.send_photo(
        query.message.chat.id, rendered.chart.png, caption=rendered.caption
    )
