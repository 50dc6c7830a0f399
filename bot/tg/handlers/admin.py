"""Admin: invites (/invite) and members with their roles (/members).

The reviewer role reads every anonymous report, so it is never self-granted: an admin who is
not a reviewer only proposes it, a current reviewer confirms it, and every grant and revocation
is told to all reviewers.
"""

from __future__ import annotations

import contextlib
from html import escape

from telegram import Update
from telegram.error import TelegramError

from bot.domain.members import Invite, Role, deep_link
from bot.i18n import translate, translator
from bot.services.membership import ReviewerDecision, ReviewerGrant, RevokeOutcome
from bot.tg import callbacks as cb
from bot.tg.access import requires
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


@requires(Role.ADMIN)
async def invite_department(update: Update, context: BotContext) -> None:
    """Department chosen: offer use and time limits."""
    query = update.callback_query
    assert query is not None
    data = cb.InviteDepartment.decode(query.data or "")
    dept = context.services.config.department(data.department)
    if dept is None:
        await query.answer(context.t("common.stale_button"), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(
        context.t("invite.choose_limits", department=escape(dept.name)),
        reply_markup=invite_presets_keyboard(context.t, dept.id),
    )


@requires(Role.ADMIN)
async def invite_create(update: Update, context: BotContext) -> None:
    """Limits chosen: create the invite and show its link."""
    query = update.callback_query
    assert query is not None
    assert context.caller is not None
    data = cb.InviteCreate.decode(query.data or "")
    services = context.services
    dept = services.config.department(data.department)
    if dept is None or data.max_uses < 0 or data.days < 0:
        await query.answer(context.t("common.stale_button"), show_alert=True)
        return
    created = await services.membership.create_invite(
        department_id=dept.id,
        created_by=context.caller.user_id,
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
    services = context.services
    t = context.t
    department = escape(department_name(context, invite.department_id))
    link = escape(deep_link(services.bot_username, invite.code))
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
            date=invite.expires_at.astimezone(services.config.timezone).strftime("%Y-%m-%d %H:%M"),
        )
    )
    return t("invite.list_item", n=n, department=department, uses=uses, expires=expires, link=link)


async def _invites_page(context: BotContext, offset: int) -> tuple[str, object]:
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


@requires(Role.ADMIN)
async def invite_list(update: Update, context: BotContext) -> None:
    """The invites that can still admit someone, each made in the bot with a revoke button."""
    query = update.callback_query
    assert query is not None
    offset = cb.InviteList.decode(query.data or "").offset
    text, keyboard = await _invites_page(context, offset)
    await query.answer()
    await query.edit_message_text(text, reply_markup=keyboard, disable_web_page_preview=True)


@requires(Role.ADMIN)
async def invite_revoke(update: Update, context: BotContext) -> None:
    """Withdraw an invite: it admits nobody from now on. Then redraw the list."""
    query = update.callback_query
    assert query is not None
    assert context.caller is not None
    data = cb.InviteRevoke.decode(query.data or "")
    services = context.services
    outcome = await services.membership.revoke_invite(
        actor_id=context.caller.user_id, code=data.code, now=services.now()
    )
    text, keyboard = await _invites_page(context, data.offset)
    await query.answer(
        context.t(f"invite.revoke_{outcome.value}"),
        show_alert=outcome is not RevokeOutcome.REVOKED,
    )
    await query.edit_message_text(text, reply_markup=keyboard, disable_web_page_preview=True)


async def _members_page(context: BotContext, offset: int) -> tuple[str, object]:
    membership = context.services.membership
    total, offset, page = await membership.member_page(offset, MEMBERS_PAGE_SIZE)
    text = context.t(
        "members.title",
        total=total,
        first=offset + 1 if total else 0,
        last=offset + len(page),
    )
    return text, members_keyboard(page, offset, total, context.t)


@requires(Role.ADMIN)
async def members(update: Update, context: BotContext) -> None:
    """/members: the member list, a page at a time."""
    if update.effective_message is None:
        return
    text, keyboard = await _members_page(context, 0)
    await update.effective_message.reply_text(text, reply_markup=keyboard)


@requires(Role.ADMIN)
async def members_page(update: Update, context: BotContext) -> None:
    """Paging through the member list."""
    query = update.callback_query
    assert query is not None
    offset = cb.MembersPage.decode(query.data or "").offset
    text, keyboard = await _members_page(context, offset)
    await query.answer()
    await query.edit_message_text(text, reply_markup=keyboard)


async def _member_card(context: BotContext, user_id: int, offset: int) -> tuple[str, object] | None:
    services = context.services
    target = await services.membership.caller(user_id)
    if target.member is None:
        return None
    granted = await services.membership.granted_roles(user_id)
    from_config = services.config.config_roles(user_id)
    m = target.member
    t = context.t
    text = t(
        "members.card",
        name=escape(m.display_name),
        username=escape(f"@{m.username}") if m.username else "—",
        user_id=m.user_id,
        department=escape(department_name(context, m.department_id)),
        status=t(f"status.{m.status.value}"),
        roles=role_names(context, target.roles),
        joined=m.joined_at.astimezone(services.config.timezone).strftime("%Y-%m-%d"),
    )
    if from_config:
        text += "\n" + t("members.config_roles", roles=role_names(context, from_config))
    return text, member_card_keyboard(t, user_id, granted, from_config, offset)


@requires(Role.ADMIN)
async def member_show(update: Update, context: BotContext) -> None:
    """One member's card with role buttons."""
    query = update.callback_query
    assert query is not None
    data = cb.MemberShow.decode(query.data or "")
    card = await _member_card(context, data.user_id, data.offset)
    if card is None:
        await query.answer(context.t("members.not_found"), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(card[0], reply_markup=card[1])


@requires(Role.ADMIN)
async def member_role(update: Update, context: BotContext) -> None:
    """Grant or revoke a role, then redraw the card."""
    query = update.callback_query
    assert query is not None
    assert context.caller is not None
    data = cb.MemberRole.decode(query.data or "")
    services = context.services
    try:
        role = Role(data.role)
    except ValueError:
        await query.answer(context.t("common.stale_button"), show_alert=True)
        return
    target = await services.membership.caller(data.user_id)
    if not target.is_member:
        await query.answer(context.t("members.not_found"), show_alert=True)
        return
    if role is Role.REVIEWER and data.grant:
        await _grant_reviewer(update, context, data)
        return
    changed = await services.membership.set_role(
        actor_id=context.caller.user_id,
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
            admin=context.caller.user_id,
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


@requires(Role.REVIEWER)
async def decide_reviewer(update: Update, context: BotContext) -> None:
    """A reviewer confirms or declines an admin's proposal (the role is checked when pressed)."""
    query = update.callback_query
    assert query is not None
    assert context.caller is not None
    data = cb.ReviewerConfirm.decode(query.data or "")
    services = context.services
    proposal = services.membership.proposal(data.user_id)
    decision = await services.membership.decide_reviewer(
        reviewer_id=context.caller.user_id,
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
        "confirmer": context.caller.user_id,
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
