"""/settings: language, daily question, leaving the program."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.i18n import LANGUAGES, Translate
from bot.services.membership import Caller
from bot.tg import callbacks as cb
from bot.tg.buttons import Press
from bot.tg.context import BotContext
from bot.tg.keyboards import leave_confirm_keyboard, settings_keyboard
from bot.tg.menus import publish_member_menu


def settings_text(t: Translate, note: str | None = None) -> str:
    """The settings message: its title, and the note (a catalog key) under it if any."""
    title = t("settings.title")
    return f"{title}\n\n{t(note)}" if note else title


def _settings_view(
    context: BotContext, caller: Caller, note: str | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    member = caller.member
    daily = member.daily_question if member else True
    return settings_text(context.t, note), settings_keyboard(context.t, context.language, daily)


async def settings(update: Update, context: BotContext) -> None:
    """/settings."""
    if update.effective_message is None or context.caller is None:
        return
    text, keyboard = _settings_view(context, context.caller)
    await update.effective_message.reply_text(text, reply_markup=keyboard)


async def _refresh(
    update: Update, context: BotContext, toast: str, note: str | None = None
) -> None:
    """Reload the caller and redraw the settings message in place (with a note under it)."""
    query = update.callback_query
    assert query is not None
    assert context.caller is not None
    context.caller = await context.services.membership.caller(context.caller.user_id)
    text, keyboard = _settings_view(context, context.caller, note)
    await query.answer(context.t(toast))
    await query.edit_message_text(text, reply_markup=keyboard)


async def set_language(update: Update, context: BotContext, press: Press[cb.SetLanguage]) -> None:
    """Language button."""
    query, data = press.query, press.data
    if data.language not in LANGUAGES:
        await query.answer(context.t("common.stale_button"), show_alert=True)
        return
    services = context.services
    await services.membership.set_language(press.caller.user_id, data.language, services.now())
    # Content (questions, reminder texts, names) stays Chinese in English: say so here, once.
    await _refresh(update, context, "settings.language_saved", note="settings.language_note")
    assert context.caller is not None  # reloaded by _refresh
    await publish_member_menu(context.bot, services, context.caller)


async def set_daily(update: Update, context: BotContext, press: Press[cb.SetDailyQuestion]) -> None:
    """Daily-question toggle."""
    services = context.services
    await services.membership.set_daily_question(
        press.caller.user_id, press.data.enabled, services.now()
    )
    await _refresh(update, context, "settings.daily_saved")


async def leave(update: Update, context: BotContext, press: Press[cb.Leave]) -> None:
    """Leave the program: ask, then do it or go back."""
    query, step = press.query, press.data.step
    if step is cb.LeaveStep.ASK:
        await query.answer()
        await query.edit_message_text(
            context.t("settings.leave_confirm"), reply_markup=leave_confirm_keyboard(context.t)
        )
    elif step is cb.LeaveStep.YES:
        services = context.services
        await services.membership.leave(press.caller.user_id, services.now())
        await query.answer()
        await query.edit_message_text(context.t("settings.left"))
    else:
        await _refresh(update, context, "common.cancelled")
