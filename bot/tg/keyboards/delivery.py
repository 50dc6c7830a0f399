"""Keyboards of /broadcast."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from bot.config import Department
from bot.domain.members import Role
from bot.i18n import Translate
from bot.tg import callbacks as cb
from bot.tg.keyboards.base import button, rows


def broadcast_audience_keyboard(
    t: Translate, departments: Sequence[Department]
) -> InlineKeyboardMarkup:
    """Admin /broadcast: everyone, one department, or one role."""
    keyboard = [[button(t("broadcast.everyone"), cb.BroadcastAudience(cb.AudienceKind.ALL, "-"))]]
    keyboard += rows(
        (
            button(d.name, cb.BroadcastAudience(cb.AudienceKind.DEPARTMENT, d.id))
            for d in departments
        ),
        2,
    )
    keyboard += rows(
        (
            button(
                t(f"broadcast.role.{role.value}"),
                cb.BroadcastAudience(cb.AudienceKind.ROLE, role.value),
            )
            for role in (Role.LEADER, Role.REVIEWER, Role.ADMIN)
        ),
        3,
    )
    return InlineKeyboardMarkup(keyboard)


def broadcast_preview_keyboard(t: Translate, audience: str, count: int) -> InlineKeyboardMarkup:
    """Admin /broadcast preview: the members' 已阅知悉 button (inert here), then send or cancel."""
    return InlineKeyboardMarkup(
        [
            [button(t("delivery.ack_button"), cb.Acknowledge(0))],
            [
                button(
                    t("broadcast.send", audience=audience, count=count), cb.BroadcastConfirm(True)
                ),
                button(t("common.cancel"), cb.BroadcastConfirm(False)),
            ],
        ]
    )
