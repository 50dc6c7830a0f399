"""Membership scenarios through the sandbox: invites, joining, roles, settings, blocking."""

from __future__ import annotations

import re

from bot.domain.members import MemberStatus, Role
from tests.harness import ADMIN, REVIEWER, Harness, buttons, make_config

NEWCOMER, STRANGER, CADRE = 501, 502, 503


async def _make_invite(h: Harness, department: str, limits: str) -> str:
    """As the admin: /invite → department → limits; return the invite code."""
    await h.join(ADMIN, "王管理")
    [prompt] = await h.send(ADMIN, "/invite")
    chosen = await h.press(ADMIN, prompt, department)
    created = await h.press(ADMIN, chosen, limits)
    match = re.search(r"https://t\.me/qinglian_test_bot\?start=([A-Za-z0-9_-]+)", created["text"])
    assert match, created["text"]
    return match.group(1)


async def test_admin_invites_newcomer_who_joins_and_sees_cadre_help(harness: Harness) -> None:
    h = harness
    code = await _make_invite(h, "应急指挥科", "不限次数 · 7 天内有效")

    h.user(NEWCOMER, "刘新")
    [welcome] = await h.send(NEWCOMER, f"/start {code}")
    assert "欢迎你，刘新" in welcome["text"]
    assert "应急指挥科" in welcome["text"]

    [help_reply] = await h.send(NEWCOMER, "/help")
    assert "/settings" in help_reply["text"]
    assert "/invite" not in help_reply["text"]
    assert "/members" not in help_reply["text"]

    member = await h.services.membership.member(NEWCOMER)
    assert member is not None
    assert member.department_id == "command"
    assert member.status is MemberStatus.ACTIVE
    row = await h.services.db.fetchone("SELECT uses FROM invites WHERE code = ?", (code,))
    assert row["uses"] == 1
    audit = await h.services.db.fetchall(
        "SELECT actor_id, action, target FROM admin_audit WHERE action != 'config_reviewers'"
    )
    assert [tuple(r) for r in audit] == [(ADMIN, "invite.create", "command")]


async def test_admin_sees_admin_commands_in_help(harness: Harness) -> None:
    await harness.join(ADMIN, "王管理")
    [reply] = await harness.send(ADMIN, "/help")
    assert "/invite" in reply["text"]
    assert "/members" in reply["text"]
    assert "管理员" in reply["text"]


async def test_stranger_is_refused_politely_and_nothing_else_works(harness: Harness) -> None:
    h = harness
    h.user(STRANGER, "路人")
    [reply] = await h.send(STRANGER, "/start")
    assert "仅向" in reply["text"]
    assert "邀请链接" in reply["text"]
    for text in ("/settings", "/invite", "/members", "你好"):
        [refusal] = await h.send(STRANGER, text)
        assert "请向管理员索取邀请链接" in refusal["text"], text
    assert await h.services.membership.member(STRANGER) is None


async def test_bad_expired_and_used_up_invites(harness: Harness) -> None:
    h = harness
    code = await _make_invite(h, "办公室", "限 1 人使用 · 7 天内有效")
    [bad] = await h.send(h.user(601, "甲"), "/start not-a-real-code")
    assert "无效" in bad["text"]
    await h.send(h.user(602, "乙"), f"/start {code}")
    [used_up] = await h.send(h.user(603, "丙"), f"/start {code}")
    assert "次数已满" in used_up["text"]

    week = await _make_invite(h, "办公室", "不限次数 · 7 天内有效")
    h.clock.advance(days=7, seconds=1)
    [expired] = await h.send(h.user(604, "丁"), f"/start {week}")
    assert "已过期" in expired["text"]
    assert await h.services.membership.member(604) is None


async def test_cadre_pressing_a_forged_admin_button_is_refused(harness: Harness) -> None:
    h = harness
    await h.join(CADRE, "张干部")
    [reply] = await h.send(CADRE, "/help")
    forged = f"v1:mrole:{CADRE}:admin:1:0"
    await h.press_data(CADRE, reply["message_id"], forged)
    assert any("没有执行此操作的权限" in t for t in h.toasts(CADRE))
    assert Role.ADMIN not in (await h.services.membership.caller(CADRE)).roles
    await h.press_data(CADRE, reply["message_id"], "v1:invc:office:0:0")
    count = await h.services.db.fetchone(
        "SELECT COUNT(*) FROM invites WHERE created_by = ?", (CADRE,)
    )
    assert count[0] == 0
    [typed] = await h.send(CADRE, "/members")
    assert "没有执行此操作的权限" in typed["text"]


async def test_stale_and_garbage_buttons_get_a_polite_answer(harness: Harness) -> None:
    h = harness
    await h.join(CADRE, "张干部")
    [reply] = await h.send(CADRE, "/help")
    await h.join(ADMIN, "王管理")
    malformed = ("v1:qa:abc:1:1", "v1:qa:1", "v1:lang", "v1:daily:2", "v1:mrole:x:admin:1:0")
    for data in ("v0:old:1", "garbage", "v1:lang:fr", *malformed):
        await h.press_data(CADRE, reply["message_id"], data)
    assert sum("已失效" in t for t in h.toasts(CADRE)) == 3 + len(malformed) - 1
    # The forged admin button is refused for its role before its data is even read.
    assert "没有执行此操作的权限" in h.toasts(CADRE)[-1]
    # Malformed data is a normal case: nothing reached the error handler.
    assert not any("⚠️" in m["text"] for m in h.sandbox.bot_messages(ADMIN))


async def test_admin_grants_and_revokes_a_role_with_audit(harness: Harness) -> None:
    h = harness
    await h.join(ADMIN, "王管理")
    await h.join(CADRE, "张干部")
    [listing] = await h.send(ADMIN, "/members")
    assert "共 2 人" in listing["text"]
    card = await h.press(ADMIN, listing, "张干部")
    assert "角色：干部" in card["text"]
    card = await h.press(ADMIN, card, "设为领导")
    assert "角色：领导" in card["text"]
    assert (await h.services.membership.caller(CADRE)).has(Role.LEADER)
    card = await h.press(ADMIN, card, "取消领导")
    assert not (await h.services.membership.caller(CADRE)).has(Role.LEADER)
    actions = await h.services.db.fetchall(
        "SELECT action, target, detail FROM admin_audit WHERE action != 'config_reviewers'"
    )
    assert [tuple(r) for r in actions] == [
        ("role.grant", str(CADRE), "leader"),
        ("role.revoke", str(CADRE), "leader"),
    ]
    # The admin's own card shows the config role, which cannot be revoked in the bot.
    back = await h.press(ADMIN, card, "返回")
    own = await h.press(ADMIN, back, "王管理")
    assert "配置文件" in own["text"]
    assert not any("取消管理员" in b["text"] for b in buttons(own))


async def test_settings_language_switch_and_leave(harness: Harness) -> None:
    h = harness
    await h.join(CADRE, "张干部")
    [panel] = await h.send(CADRE, "/settings")
    panel = await h.press(CADRE, panel, "English")
    assert "Settings" in panel["text"]
    [help_reply] = await h.send(CADRE, "/help")
    assert "Everyday" in help_reply["text"]
    chat_menu = h.sandbox.my_commands({"type": "chat", "chat_id": CADRE})
    assert any(c["description"].startswith("Settings") for c in chat_menu)

    panel = await h.press(CADRE, panel, "Daily question: on")
    member = await h.services.membership.member(CADRE)
    assert member is not None
    assert member.daily_question is False

    panel = await h.press(CADRE, panel, "Leave")
    panel = await h.press(CADRE, panel, "Yes, leave")
    assert "You have left" in panel["text"]
    [after] = await h.send(CADRE, "/help")
    assert "invite link" in after["text"]
    member = await h.services.membership.member(CADRE)
    assert member is not None
    assert member.status is MemberStatus.LEFT


async def test_blocked_member_becomes_inactive_and_returns_on_next_message(
    harness: Harness,
) -> None:
    h = harness
    await h.join(ADMIN, "王管理")
    await h.join(CADRE, "张干部")
    h.sandbox.block(CADRE, True)
    delivered = await _notify(h, CADRE)
    assert delivered == 0
    member = await h.services.membership.member(CADRE)
    assert member is not None
    assert member.status is MemberStatus.INACTIVE
    h.sandbox.block(CADRE, False)
    [reply] = await h.send(CADRE, "/help")
    assert "/settings" in reply["text"]
    member = await h.services.membership.member(CADRE)
    assert member is not None
    assert member.status is MemberStatus.ACTIVE


async def _notify(h: Harness, user_id: int) -> int:
    from bot.tg.notify import notify_many

    assert h.app is not None
    return await notify_many(h.app.bot, h.services, [user_id], "测试通知")


async def test_restart_keeps_members_and_roles(harness: Harness) -> None:
    h = harness
    await h.join(ADMIN, "王管理")
    await h.join(REVIEWER, "赵纪检")
    await h.join(CADRE, "张干部")
    [listing] = await h.send(ADMIN, "/members")
    card = await h.press(ADMIN, listing, "张干部")
    await h.press(ADMIN, card, "设为纪检监察组")
    # The admin only proposes; the reviewer confirms.
    await h.press(REVIEWER, h.last(REVIEWER), "确认")
    await h.restart()
    [reply] = await h.send(CADRE, "/help")
    assert "/settings" in reply["text"]
    caller = await h.services.membership.caller(CADRE)
    assert caller.is_member
    assert caller.has(Role.REVIEWER)


async def test_command_menus_published_in_both_languages(harness: Harness) -> None:
    box = harness.sandbox
    default_zh = box.my_commands(language_code="zh")
    default_en = box.my_commands(language_code="en")
    assert box.my_commands() == default_zh
    assert {c["command"] for c in default_zh} == {c["command"] for c in default_en}
    assert "invite" not in {c["command"] for c in default_zh}
    assert any("设置" in c["description"] for c in default_zh)
    assert any("Settings" in c["description"] for c in default_en)


async def test_unknown_command_text_and_sticker_get_answers(harness: Harness) -> None:
    h = harness
    await h.join(CADRE, "张干部")
    [unknown] = await h.send(CADRE, "/frobnicate")
    assert "没有这个指令" in unknown["text"]
    [text] = await h.send(CADRE, "随便说点什么")
    assert "/help" in text["text"]


async def test_strangers_learn_about_anonymous_reports_only_when_open_to_anyone(
    harness: Harness,
) -> None:
    h = harness
    h.user(STRANGER, "路人")
    [closed] = await h.send(STRANGER, "/help")
    assert "/report" not in closed["text"]
    await h.stop()
    h.config = make_config(h.sandbox, h.db_path, reports__open_to="anyone")
    await h.start()
    [opened] = await h.send(STRANGER, "/help")
    assert "/report" in opened["text"]
    assert "/status" in opened["text"]


async def test_roles_from_the_config_get_their_menu_at_first_contact(harness: Harness) -> None:
    h = harness

    def chat_menu(user_id: int) -> set[str]:
        return {c["command"] for c in h.sandbox.my_commands({"type": "chat", "chat_id": user_id})}

    assert chat_menu(ADMIN) == set()  # not joined yet: nobody to publish for at start-up
    h.user(ADMIN, "王管理")
    await h.send(ADMIN, "/start")
    assert {"invite", "members", "broadcast"} <= chat_menu(ADMIN)
    # A reviewer whose first message is not /start is joined by the gate, menu included.
    h.user(REVIEWER, "赵纪检")
    await h.send(REVIEWER, "/help")
    assert "reports" in chat_menu(REVIEWER)
    assert "invite" not in chat_menu(REVIEWER)
    # Staff joining with an invite keep everyone's menu.
    await h.join(CADRE, "张干部")
    assert chat_menu(CADRE) == set()
