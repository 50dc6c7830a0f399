"""The demo page shows each member the command menu the bot published for them, and their
language and roles as the bot has them now."""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.demo import MEMBERS, demo_environment
from bot.domain.members import Role
from bot.sandbox import Sandbox
from bot.services.registry import Services
from bot.tg.menus import menu

ADMIN, LEADER, REVIEWER, CADRE, _OTHER_CADRE, VISITOR = MEMBERS


async def _get(session: aiohttp.ClientSession, path: str) -> dict[str, Any]:
    async with session.get(path) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def _names(session: aiohttp.ClientSession, user_id: int) -> list[str]:
    body = await _get(session, f"/control/users/{user_id}/commands")
    return [c["command"] for c in body["commands"]]


async def _expected(services: Services, user_id: int) -> list[tuple[str, str]]:
    """The menu the bot builds for this member from their roles and language."""
    caller = await services.membership.caller(user_id)
    language = (caller.member.language if caller.member else None) or services.config.language
    roles = caller.roles if caller.is_member else frozenset()
    return [(c.command, c.description) for c in menu(language, roles)]


def _button(sandbox: Sandbox, user_id: int, label: str) -> tuple[int, str] | None:
    """The newest message of the member's chat with a button containing `label`, and its data."""
    for message in reversed(sandbox.bot_messages(user_id)):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if label in button["text"]:
                    return message["message_id"], button["callback_data"]
    return None


async def _press(sandbox: Sandbox, user_id: int, label: str) -> None:
    """Wait for a button containing `label` in the member's chat, and press it."""
    found = await sandbox.wait_for(lambda: _button(sandbox, user_id, label), timeout=10)
    sandbox.press_button(user_id, *found)


async def test_each_demo_member_sees_the_menu_the_bot_published_for_them() -> None:
    async with demo_environment(port=0) as (sandbox, application):
        services: Services = application.bot_data["services"]
        for m in MEMBERS:
            await sandbox.wait_for(lambda m=m: sandbox.bot_messages(m.user_id), timeout=10)
        async with aiohttp.ClientSession(base_url=sandbox.url) as session:
            for m in MEMBERS:
                body = await _get(session, f"/control/users/{m.user_id}/commands")
                shown = [(c["command"], c["description"]) for c in body["commands"]]
                assert shown == await _expected(services, m.user_id), m.label
                assert not any("积分" in description for _, description in shown)

            admin = await _names(session, ADMIN.user_id)
            assert {"invite", "members", "broadcast", "assign", "reload", "plan"} <= set(admin)
            assert "digest" not in admin
            assert "digest" in await _names(session, LEADER.user_id)
            assert "reports" in await _names(session, REVIEWER.user_id)
            cadre = await _names(session, CADRE.user_id)
            assert {"quiz", "review", "me", "report", "status", "settings"} <= set(cadre)
            privileged = {"digest", "reports", "invite", "members", "broadcast", "assign"}
            assert not privileged & set(cadre)
            assert not privileged & set(await _names(session, VISITOR.user_id))

            views = {v["id"]: v for v in (await _get(session, "/demo/api/members"))["members"]}
            assert views[ADMIN.user_id]["role"] == "admin"
            assert views[REVIEWER.user_id]["label"] == {
                "zh": "纪检监察组",
                "en": "Discipline inspection",
            }
            assert views[CADRE.user_id]["role"] == "cadre"
            assert views[CADRE.user_id]["label"]["zh"] == CADRE.label
            assert views[CADRE.user_id]["language"] == "zh"
            assert views[VISITOR.user_id]["role"] == "visitor"

            # The cadre switches to English: the menu, and the page's language, follow.
            sandbox.send_text(CADRE.user_id, "/settings")
            await _press(sandbox, CADRE.user_id, "English")
            await sandbox.wait_for(
                lambda: sandbox.menu(CADRE.user_id)["commands"][0]["description"] == "Start / join"
            )
            body = await _get(session, f"/control/users/{CADRE.user_id}/commands")
            assert [(c["command"], c["description"]) for c in body["commands"]] == (
                await _expected(services, CADRE.user_id)
            )
            view = next(
                v
                for v in (await _get(session, "/demo/api/members"))["members"]
                if v["id"] == CADRE.user_id
            )
            assert view["language"] == "en"

            # The admin makes the cadre a leader: /digest appears in the cadre's menu.
            sandbox.send_text(ADMIN.user_id, "/members")
            await _press(sandbox, ADMIN.user_id, CADRE.first_name)
            await _press(sandbox, ADMIN.user_id, "设为领导")
            await sandbox.wait_for(
                lambda: "digest" in [c["command"] for c in sandbox.menu(CADRE.user_id)["commands"]]
            )
            assert (await services.membership.caller(CADRE.user_id)).has(Role.LEADER)
            assert await _names(session, CADRE.user_id) == [
                c for c, _ in await _expected(services, CADRE.user_id)
            ]
            views = {v["id"]: v for v in (await _get(session, "/demo/api/members"))["members"]}
            assert views[CADRE.user_id]["role"] == "leader"
            assert views[CADRE.user_id]["label"]["en"] == "Leader"
