"""Keyboards of the admins' /invite and /members, and the reviewers' confirmation of a grant."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from bot.config import Department
from bot.domain.members import Invite, Member, Role
from bot.i18n import Translate
from bot.tg import callbacks as cb
from bot.tg.keyboards.base import button, rows

MEMBERS_PAGE_SIZE = 8
INVITES_PAGE_SIZE = 5
# (max uses, days valid); 0 means no limit.
INVITE_PRESETS: tuple[tuple[int, int], ...] = ((1, 7), (0, 7), (0, 30), (0, 0))


def invite_menu_keyboard(t: Translate, departments: Sequence[Department]) -> InlineKeyboardMarkup:
    """Admin /invite: a department for a new invite, or the list of invites still usable."""
    keyboard = rows((button(d.name, cb.InviteDepartment(d.id)) for d in departments), 2)
    keyboard.append([button(t("invite.list_button"), cb.InviteList(0))])
    return InlineKeyboardMarkup(keyboard)


def invites_keyboard(
    t: Translate, invites: Sequence[Invite], offset: int, total: int
) -> InlineKeyboardMarkup:
    """Admin: a revoke button for each invite made in the bot on this page, with paging."""
    keyboard = [
        [button(t("invite.revoke_button", n=offset + i + 1), cb.InviteRevoke(inv.code, offset))]
        for i, inv in enumerate(invites)
        if not inv.from_config
    ]
    nav = []
    if offset > 0:
        nav.append(button(t("common.prev"), cb.InviteList(max(0, offset - INVITES_PAGE_SIZE))))
    if offset + INVITES_PAGE_SIZE < total:
        nav.append(button(t("common.next"), cb.InviteList(offset + INVITES_PAGE_SIZE)))
    if nav:
        keyboard.append(nav)
    return InlineKeyboardMarkup(keyboard)


def invite_presets_keyboard(t: Translate, department_id: str) -> InlineKeyboardMarkup:
    """Admin: how often and how long the invite may be used."""
    buttons = [
        button(
            t(
                "invite.preset",
                uses=t("invite.uses_any") if uses == 0 else t("invite.uses_n", n=uses),
                days=t("invite.days_any") if days == 0 else t("invite.days_n", n=days),
            ),
            cb.InviteCreate(department_id, uses, days),
        )
        for uses, days in INVITE_PRESETS
    ]
    return InlineKeyboardMarkup(rows(buttons, 1))


def members_keyboard(
    members: Sequence[Member], offset: int, total: int, t: Translate
) -> InlineKeyboardMarkup:
    """Admin: one page of members, each a button to their card, with paging."""
    keyboard = [[button(m.display_name, cb.MemberShow(m.user_id, offset))] for m in members]
    nav = []
    if offset > 0:
        nav.append(button(t("common.prev"), cb.MembersPage(max(0, offset - MEMBERS_PAGE_SIZE))))
    if offset + MEMBERS_PAGE_SIZE < total:
        nav.append(button(t("common.next"), cb.MembersPage(offset + MEMBERS_PAGE_SIZE)))
    if nav:
        keyboard.append(nav)
    return InlineKeyboardMarkup(keyboard)


def member_card_keyboard(
    t: Translate, user_id: int, granted: frozenset[Role], from_config: frozenset[Role], offset: int
) -> InlineKeyboardMarkup:
    """Admin: grant or revoke each role; roles from the config file cannot be changed here."""
    keyboard = []
    for role in Role:
        name = t(f"role.{role.value}")
        if role in from_config:
            continue
        if role in granted:
            keyboard.append(
                [
                    button(
                        t("members.revoke", role=name), cb.MemberRole(user_id, role, False, offset)
                    )
                ]
            )
        else:
            keyboard.append(
                [button(t("members.grant", role=name), cb.MemberRole(user_id, role, True, offset))]
            )
    keyboard.append([button(t("common.back"), cb.MembersPage(offset))])
    return InlineKeyboardMarkup(keyboard)


def reviewer_confirm_keyboard(t: Translate, user_id: int) -> InlineKeyboardMarkup:
    """To reviewers: confirm or decline a proposed reviewer."""
    return InlineKeyboardMarkup(
        [
            [
                button(t("reviewers.confirm"), cb.ReviewerConfirm(user_id, True)),
                button(t("reviewers.decline"), cb.ReviewerConfirm(user_id, False)),
            ]
        ]
    )
