"""What the demo page asks the bot about its members: their language and role, for its chrome.

A Telegram client knows neither (its interface follows the phone's language); the demo page
follows the language a member chose in /settings, and labels each member by the roles the bot
gives them now (an admin may grant one in the demo), in both languages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.domain.members import Role
from bot.i18n import LANGUAGES, translator
from bot.services.membership import Caller
from bot.services.registry import Services

# The role that colours a member's avatar and picks their tips, most privileged first.
PRIMARY_ROLES = (Role.ADMIN, Role.REVIEWER, Role.LEADER)


@dataclass(frozen=True)
class DemoMember:
    """A seeded person the page lets you act as."""

    user_id: int
    first_name: str
    username: str
    label: str  # shown until the bot answers the page (and for someone who has not joined)
    label_en: str
    invite: str | None  # the preset invite they join with; None: stays a stranger


def member_label(language: str, caller: Caller, department: str | None) -> str:
    """A member's roles as words ("管理员", "干部 · 应急指挥科"), in one language."""
    t = translator(language)
    held = [t(f"role.{role.value}") for role in PRIMARY_ROLES if caller.has(role)]
    if held:
        return t("common.list_separator").join(held)
    return f"{t('role.cadre')} · {department}" if department else t("role.cadre")


async def member_views(services: Services, seeded: Sequence[DemoMember]) -> list[dict[str, Any]]:
    """Each demo member: id, the bot's language for them, primary role and label per language."""
    views = []
    for m in seeded:
        caller = await services.membership.caller(m.user_id)
        member = caller.member
        if member is None or not caller.is_member:
            # Not joined (or left): the bot speaks its default language and gives no role.
            language = services.config.language
            views.append(
                {
                    "id": m.user_id,
                    "language": language,
                    "role": "visitor",
                    "label": {"zh": m.label, "en": m.label_en},
                }
            )
            continue
        department = services.config.department(member.department_id)
        name = department.name if department else None
        role = next((r.value for r in PRIMARY_ROLES if caller.has(r)), "cadre")
        views.append(
            {
                "id": m.user_id,
                "language": member.language or services.config.language,
                "role": role,
                "label": {lang: member_label(lang, caller, name) for lang in LANGUAGES},
            }
        )
    return views


class MembersEndpoint:
    """GET /demo/api/members; answers 503 until the bot has started."""

    def __init__(self, seeded: Sequence[DemoMember]) -> None:
        self.seeded = seeded
        self.services: Services | None = None

    async def handle(self, request: web.Request) -> web.Response:
        """The demo members as the page shows them."""
        if self.services is None:
            return web.json_response({"error": "the bot is starting"}, status=503)
        return web.json_response({"members": await member_views(self.services, self.seeded)})
