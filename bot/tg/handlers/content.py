"""Admin: /reload (banks, reminder texts and holidays together) and /plan (the next sends)."""

from __future__ import annotations

from html import escape

from telegram import Update

from bot.content.problems import ContentError
from bot.domain.members import Role
from bot.services.reminders import render_plan
from bot.tg.access import requires
from bot.tg.context import BotContext
from bot.tg.schedule import replan_after_reload

MAX_PROBLEMS_SHOWN = 15


async def _plan_text(context: BotContext) -> str:
    services = context.services
    now = services.now()
    reminders = services.reminders
    entries = await reminders.plan_entries(now)
    warning = reminders.schedule_warning(now.astimezone(services.config.timezone).date())
    path = str(services.config.reminders.holidays_file)
    return render_plan(context.t, entries, warning, path)


@requires(Role.ADMIN)
async def plan(update: Update, context: BotContext) -> None:
    """/plan: the next reminder sends with date, holiday, lead days, official or estimate."""
    message = update.effective_message
    if message is None:
        return
    await message.reply_text(await _plan_text(context))


@requires(Role.ADMIN)
async def reload(update: Update, context: BotContext) -> None:
    """/reload: check every content file; swap all in and re-plan, or refuse and keep all."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    try:
        reloaded = services.content.reload(services.now())
    except ContentError as exc:
        shown = "\n".join(escape(str(p)) for p in exc.problems[:MAX_PROBLEMS_SHOWN])
        await message.reply_text(
            context.t("reload.failed", count=len(exc.problems), problems=f"<code>{shown}</code>")
        )
        return
    await replan_after_reload(context.application)
    t = context.t
    years = t("plan.separator").join(str(y) for y in reloaded.official_years)
    summary = t(
        "reload.ok",
        banks=reloaded.banks,
        questions=reloaded.questions,
        texts=reloaded.reminder_texts,
        years=years or t("reload.no_years"),
        moved=len(reloaded.changes.moved),
        added=len(reloaded.changes.added),
        removed=len(reloaded.changes.removed),
    )
    await message.reply_text(f"{summary}\n\n{await _plan_text(context)}")
