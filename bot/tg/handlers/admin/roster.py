"""Members: /members, a member's card, roles, and the reviewer role's two-person grant."""

from __future__ import annotations

import contextlib
from datetime import tzinfo
from html import escape

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.domain.members import Member, Role
from bot.i18n import Translate, translate, translator
from bot.services.membership import ReviewerDecision, ReviewerGrant
from bot.tg import callbacks as cb
from bot.tg.access import requires
from bot.tg.buttons import Press
from bot.tg.context import BotContext
from bot.tg.handlers.start import department_name, role_names
from bot.tg.keyboards import (
    MEMBERS_PAGE_SIZE,
    member_card_keyboard,
    members_keyboard,
    reviewer_confirm_keyboard,
)
from bot.tg.menus import publish_member_menu
from bot.tg.notify import send_direct


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
