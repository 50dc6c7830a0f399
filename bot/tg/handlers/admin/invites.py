"""Invites: /invite, making one for a department, the list of usable invites, revoking."""

from __future__ import annotations

from datetime import tzinfo
from html import escape

from telegram import InlineKeyboardMarkup, Update

from bot.domain.members import Invite, Role, deep_link
from bot.i18n import Translate
from bot.services.membership import RevokeOutcome
from bot.tg import callbacks as cb
from bot.tg.access import requires
from bot.tg.buttons import Press
from bot.tg.context import BotContext
from bot.tg.handlers.start import department_name
from bot.tg.keyboards import (
    INVITES_PAGE_SIZE,
    invite_menu_keyboard,
    invite_presets_keyboard,
    invites_keyboard,
)


@requires(Role.ADMIN)
async def invite(update: Update, context: BotContext) -> None:
    """/invite: choose a department, then limits (or list the invites still usable)."""
    message = update.effective_message
    if message is None:
        return
    departments = context.services.config.departments
    if not departments:
        await message.reply_text(context.t("invite.no_departments"))
        return
    await message.reply_text(
        context.t("invite.choose_department"),
        reply_markup=invite_menu_keyboard(context.t, departments),
    )


async def invite_department(
    update: Update, context: BotContext, press: Press[cb.InviteDepartment]
) -> None:
    """Department chosen: offer use and time limits."""
    query, data = press.query, press.data
    dept = context.services.config.department(data.department)
    if dept is None:
        await query.answer(context.t("common.stale_button"), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(
        context.t("invite.choose_limits", department=escape(dept.name)),
        reply_markup=invite_presets_keyboard(context.t, dept.id),
    )


async def invite_create(update: Update, context: BotContext, press: Press[cb.InviteCreate]) -> None:
    """Limits chosen: create the invite and show its link."""
    query, data = press.query, press.data
    services = context.services
    dept = services.config.department(data.department)
    if dept is None or data.max_uses < 0 or data.days < 0:
        await query.answer(context.t("common.stale_button"), show_alert=True)
        return
    created = await services.membership.create_invite(
        department_id=dept.id,
        created_by=press.caller.user_id,
        max_uses=data.max_uses or None,
        days=data.days or None,
        now=services.now(),
    )
    t = context.t
    uses = (
        t("invite.uses_any") if created.max_uses is None else t("invite.uses_n", n=created.max_uses)
    )
    expires = (
        t("invite.days_any")
        if created.expires_at is None
        else created.expires_at.astimezone(services.config.timezone).strftime("%Y-%m-%d %H:%M")
    )
    await query.answer()
    await query.edit_message_text(
        t(
            "invite.created",
            department=escape(dept.name),
            link=escape(deep_link(services.bot_username, created.code)),
            code=escape(created.code),
            uses=uses,
            expires=expires,
        ),
        disable_web_page_preview=True,
    )


def _invite_line(context: BotContext, n: int, invite: Invite) -> str:
    return invite_line(
        context.t,
        n,
        invite,
        department=department_name(context, invite.department_id),
        bot_username=context.services.bot_username,
        tz=context.services.config.timezone,
    )


def invite_line(
    t: Translate, n: int, invite: Invite, *, department: str, bot_username: str, tz: tzinfo
) -> str:
    """One entry of the invite list: department, uses, expiry (local time) and link."""
    department = escape(department)
    link = escape(deep_link(bot_username, invite.code))
    if invite.from_config:
        return t("invite.list_item_preset", n=n, department=department, link=link)
    uses = (
        t("invite.used_any", used=invite.uses)
        if invite.max_uses is None
        else t("invite.used_n", used=invite.uses, n=invite.max_uses)
    )
    expires = (
        t("invite.days_any")
        if invite.expires_at is None
        else t(
            "invite.valid_until",
            date=invite.expires_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        )
    )
    return t("invite.list_item", n=n, department=department, uses=uses, expires=expires, link=link)


async def _invites_page(context: BotContext, offset: int) -> tuple[str, InlineKeyboardMarkup]:
    membership = context.services.membership
    now = context.services.now()
    offset = max(0, offset)
    total, page = await membership.usable_invites(now, offset, INVITES_PAGE_SIZE)
    if not page and offset > 0:  # the last one on this page was just revoked
        offset = max(0, (total - 1) // INVITES_PAGE_SIZE * INVITES_PAGE_SIZE)
        total, page = await membership.usable_invites(now, offset, INVITES_PAGE_SIZE)
    t = context.t
    if not page:
        return t("invite.list_empty"), invites_keyboard(t, [], 0, 0)
    lines = [t("invite.list_title", total=total, first=offset + 1, last=offset + len(page))]
    lines += [_invite_line(context, offset + i + 1, inv) for i, inv in enumerate(page)]
    return "\n\n".join(lines), invites_keyboard(t, page, offset, total)


async def invite_list(update: Update, context: BotContext, press: Press[cb.InviteList]) -> None:
    """The invites that can still admit someone, each made in the bot with a revoke button."""
    query = press.query
    offset = press.data.offset
    text, keyboard = await _invites_page(context, offset)
    await query.answer()
    await query.edit_message_text(text, reply_markup=keyboard, disable_web_page_preview=True)


async def invite_revoke(update: Update, context: BotContext, press: Press[cb.InviteRevoke]) -> None:
    """Withdraw an invite: it admits nobody from now on. Then redraw the list."""
    query, data = press.query, press.data
    services = context.services
    outcome = await services.membership.revoke_invite(
        actor_id=press.caller.user_id, code=data.code, now=services.now()
    )
    text, keyboard = await _invites_page(context, data.offset)
    await query.answer(
        context.t(f"invite.revoke_{outcome.value}"),
        show_alert=outcome is not RevokeOutcome.REVOKED,
    )
    await query.edit_message_text(text, reply_markup=keyboard, disable_web_page_preview=True)
