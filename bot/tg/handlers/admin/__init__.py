"""Admin: invites (/invite) and members with their roles (/members).

The reviewer role reads every anonymous report, so it is never self-granted: an admin who is
not a reviewer only proposes it, a current reviewer confirms it, and every grant and revocation
is told to all reviewers.

The package: `invites` (/invite and the invite list) and `roster` (/members, member cards, roles,
the reviewer grant).
"""

from __future__ import annotations

from bot.tg.handlers.admin.invites import (
    invite,
    invite_create,
    invite_department,
    invite_line,
    invite_list,
    invite_revoke,
)
from bot.tg.handlers.admin.roster import (
    decide_reviewer,
    member_card_text,
    member_role,
    member_show,
    members,
    members_page,
    members_title,
)

__all__ = [
    "decide_reviewer",
    "invite",
    "invite_create",
    "invite_department",
    "invite_line",
    "invite_list",
    "invite_revoke",
    "member_card_text",
    "member_role",
    "member_show",
    "members",
    "members_page",
    "members_title",
]
