"""Admin: invites (/invite) and members with their roles (/members).

The reviewer role reads every anonymous report, so it is never self-granted: an admin who is
not a reviewer only proposes it, a current reviewer confirms it, and every grant and revocation
is told to all reviewers.
"""

from __future__ import annotations

import contextlib
from datetime import tzinfo
from html import escape

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.domain.members import Invite, Member, Role, deep_link
from bot.i18n import Translate, translate, translator
from bot.services.membership import ReviewerDecision, ReviewerGrant, RevokeOutcome
from bot.tg import callbacks as cb
from bot.tg.access import requires
from bot.tg.buttons import Press
from bot.tg.context import BotContext
from bot.tg.handlers.start import department_name, role_names
from bot.tg.keyboards import (
    INVITES_PAGE_SIZE,
    MEMBERS_PAGE_SIZE,
    invite_menu_keyboard,
    invite_presets_keyboard,
    invites_keyboard,
    member_card_keyboard,
    members_keyboard,
    reviewer_confirm_keyboard,
)
from bot.tg.menus import publish_member_menu
from bot.tg.notify import send_direct


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


async def _members_page(context: BotContext, offset: int) -> tuple[str, InlineKeyboardMarkup]:
    membership = context.services.membership
    total, offset, page = await membership.member_page(offset, MEMBERS_PAGE_SIZE)
    return members_title(context.t, total, offset, len(page)), members_keyboard(
        page, offset, total, context.t
    )


def members_title(t: Translate, total: int, offset: int, shown: int) -> str:
    """The heading of a page of the member list: how many, and which ones are shown."""
    return t("members.title", total=total, first=offset + 1 if total else 0, last=offset + shown)


@requires(Role.ADMIN)
async def members(update: Update, context: BotContext) -> None:
    """/members: the member list, a page at a time."""
    if update.effective_message is None:
        return
    text, keyboard = await _members_page(context, 0)
    await update.effective_message.reply_text(text, reply_markup=keyboard)


async def members_page(update: Update, context: BotContext, press: Press[cb.MembersPage]) -> None:
    """Paging through the member list."""
    query = press.query
    offset = press.data.offset
    text, keyboard = await _members_page(context, offset)
    await query.answer()
    await query.edit_message_text(text, reply_markup=keyboard)


async def _member_card(
    context: BotContext, user_id: int, offset: int
) -> tuple[str, InlineKeyboardMarkup] | None:
    services = context.services
    target = await services.membership.caller(user_id)
    if target.member is None:
        return None
    granted = await services.membership.granted_roles(user_id)
    from_config = services.config.config_roles(user_id)
    m = target.member
    text = member_card_text(
        context.t,
        m,
        department=department_name(context, m.department_id),
        roles=role_names(context, target.roles),
        config_roles=role_names(context, from_config) if from_config else None,
        tz=services.config.timezone,
    )
    return text, member_card_keyboard(context.t, user_id, granted, from_config, offset)


def member_card_text(
    t: Translate,
    member: Member,
    *,
    department: str,
    roles: str,
    config_roles: str | None,
    tz: tzinfo,
) -> str:
    """One member's card: name, username, id, department, status, roles, date joined."""
    text = t(
        "members.card",
        name=escape(member.display_name),
        username=escape(f"@{member.username}") if member.username else "—",
        user_id=member.user_id,
        department=escape(department),
        status=t(f"status.{member.status.value}"),
        roles=roles,
        joined=member.joined_at.astimezone(tz).strftime("%Y-%m-%d"),
    )
    if config_roles:
        text += "\n" + t("members.config_roles", roles=config_roles)
    return text


async def member_show(update: Update, context: BotContext, press: Press[cb.MemberShow]) -> None:
    """One member's card with role buttons."""
    query, data = press.query, press.data
    card = await _member_card(context, data.user_id, data.offset)
    if card is None:
        await query.answer(context.t("members.not_found"), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(card[0], reply_markup=card[1])


async def member_role(update: Update, context: BotContext, press: Press[cb.MemberRole]) -> None:
    """Grant or revoke a role, then redraw the card."""
    query, data = press.query, press.data
    services = context.services
    role = data.role
    target = await services.membership.caller(data.user_id)
    if not target.is_member:
        await query.answer(context.t("members.not_found"), show_alert=True)
        return
    if role is Role.REVIEWER and data.grant:
        await _grant_reviewer(update, context, data)
        return
    changed = await services.membership.set_role(
        actor_id=press.caller.user_id,
        user_id=data.user_id,
        role=role,
        granted=data.grant,
        now=services.now(),
    )
    card = await _member_card(context, data.user_id, data.offset)
    assert card is not None
    await query.answer(context.t("members.saved" if changed else "members.unchanged"))
    await query.edit_message_text(card[0], reply_markup=card[1])
    if changed:
        await publish_member_menu(
            context.bot, services, await services.membership.caller(data.user_id)
        )
    if changed and role is Role.REVIEWER:
        await _tell_reviewers(
            context,
            "reviewers.revoked",
            extra=(data.user_id,),
            admin=press.caller.user_id,
            name=data.user_id,
        )


async def _tell_reviewers(
    context: BotContext, key: str, *, extra: tuple[int, ...] = (), **people: int
) -> None:
    """Every reviewer (and `extra`) hears of a reviewer grant or revocation, in their language."""
    services = context.services
    names = {k: escape(await services.membership.display_name(v)) for k, v in people.items()}
    holders = dict(await services.membership.holders(Role.REVIEWER))
    for user_id in extra:
        member = await services.membership.member(user_id)
        if member is not None and user_id not in holders:
            holders[user_id] = member.language or services.config.language
    for user_id, language in sorted(holders.items()):
        await send_direct(context.bot, services, user_id, translate(language, key, **names))


async def _grant_reviewer(update: Update, context: BotContext, data: cb.MemberRole) -> None:
    """Nobody grants themselves the reviewer role; an admin who is no reviewer only proposes."""
    query = update.callback_query
    assert query is not None
    assert context.caller is not None
    services = context.services
    admin_id = context.caller.user_id
    outcome = await services.membership.grant_reviewer(
        actor_id=admin_id, user_id=data.user_id, now=services.now()
    )
    if outcome is ReviewerGrant.SELF:
        await query.answer(context.t("reviewers.no_self"), show_alert=True)
        return
    if outcome is ReviewerGrant.NO_CONFIRMER:
        await query.answer(context.t("reviewers.no_confirmer"), show_alert=True)
        return
    if outcome is ReviewerGrant.ALREADY:
        await query.answer(context.t("members.unchanged"))
        return
    if outcome is ReviewerGrant.PROPOSED:
        proposal = services.membership.proposal(data.user_id)
        assert proposal is not None
        admin = escape(await services.membership.display_name(admin_id))
        name = escape(await services.membership.display_name(data.user_id))
        # The first name is self-chosen: the id and @username tell a lookalike account apart.
        proposed = await services.membership.member(data.user_id)
        handle = proposed.username if proposed is not None else None
        for user_id, language in await services.membership.confirmers(proposal):
            t = translator(language)
            username = escape(f"@{handle}") if handle else t("reviewers.no_username")
            with contextlib.suppress(TelegramError):
                await context.bot.send_message(
                    user_id,
                    t(
                        "reviewers.ask_confirm",
                        admin=admin,
                        name=name,
                        user_id=data.user_id,
                        username=username,
                    ),
                    reply_markup=reviewer_confirm_keyboard(t, data.user_id),
                )
        await query.answer(context.t("reviewers.proposed"), show_alert=True)
        return
    card = await _member_card(context, data.user_id, data.offset)
    assert card is not None
    await query.answer(context.t("members.saved"))
    await query.edit_message_text(card[0], reply_markup=card[1])
    await publish_member_menu(context.bot, services, await services.membership.caller(data.user_id))
    await _tell_reviewers(context, "reviewers.granted_direct", admin=admin_id, name=data.user_id)


async def decide_reviewer(
    update: Update, context: BotContext, press: Press[cb.ReviewerConfirm]
) -> None:
    """A reviewer confirms or declines an admin's proposal (the role is checked when pressed)."""
    query, data = press.query, press.data
    services = context.services
    proposal = services.membership.proposal(data.user_id)
    decision = await services.membership.decide_reviewer(
        reviewer_id=press.caller.user_id,
        user_id=data.user_id,
        accept=data.accept,
        now=services.now(),
    )
    if decision is ReviewerDecision.EXPIRED or proposal is None:
        await query.answer(context.t("reviewers.expired"), show_alert=True)
        return
    if decision is ReviewerDecision.NOT_ALLOWED:
        await query.answer(context.t("access.no_permission"), show_alert=True)
        return
    people = {
        "admin": proposal.proposer_id,
        "name": data.user_id,
        "confirmer": press.caller.user_id,
    }
    if decision is ReviewerDecision.CONFIRMED:
        await query.answer(context.t("reviewers.confirmed_toast"))
        await publish_member_menu(
            context.bot, services, await services.membership.caller(data.user_id)
        )
        await _tell_reviewers(context, "reviewers.granted", extra=(proposal.proposer_id,), **people)
    else:
        await query.answer(context.t("reviewers.declined_toast"))
        await _tell_reviewers(
            context, "reviewers.declined", extra=(proposal.proposer_id,), **people
        )
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(reply_markup=None)
