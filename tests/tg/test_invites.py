"""Invites that can be withdrawn: listing and revoking in the bot, presets, failed codes."""

from __future__ import annotations

import re

from bot.tg import callbacks as cb
from tests.harness import ADMIN, Harness, buttons, make_config

PRESET = "test-office-invite"  # the harness config's access.invites
CADRE = 801


async def _make_invite(h: Harness) -> str:
    await h.join(ADMIN, "王管理")
    [prompt] = await h.send(ADMIN, "/invite")
    chosen = await h.press(ADMIN, prompt, "应急指挥科")
    created = await h.press(ADMIN, chosen, "不限次数 · 30 天内有效")
    match = re.search(r"\?start=([A-Za-z0-9_-]+)", created["text"])
    assert match, created["text"]
    return match.group(1)


async def _invite_list(h: Harness) -> dict:
    [prompt] = await h.send(ADMIN, "/invite")
    return await h.press(ADMIN, prompt, "查看和撤销现有邀请链接")


async def test_admin_lists_and_revokes_an_invite_which_then_admits_nobody(
    harness: Harness,
) -> None:
    h = harness
    code = await _make_invite(h)
    [joined] = await h.send(h.user(811, "甲"), f"/start {code}")
    assert "欢迎你，甲" in joined["text"]

    listing = await _invite_list(h)
    assert "仍然有效的邀请链接（共 2 个" in listing["text"]
    assert "1. 办公室 · 配置文件中的固定邀请" in listing["text"]
    assert "2. 应急指挥科 · 已使用 1 次（不限次数）" in listing["text"]
    assert f"?start={code}" in listing["text"]
    # Presets are changed in the config file, so only the bot-made invite has a button.
    assert [b["text"] for b in buttons(listing)] == ["撤销第 2 个"]

    after = await h.press(ADMIN, listing, "撤销第 2 个")
    assert "已撤销" in h.toasts(ADMIN)[-1]
    assert "共 1 个" in after["text"]
    assert code not in after["text"]
    assert buttons(after) == []

    [refused] = await h.send(h.user(812, "乙"), f"/start {code}")
    assert "无效" in refused["text"]
    assert await h.services.membership.member(812) is None
    assert (await h.services.membership.caller(811)).is_member  # who joined stays
    audit = await h.services.db.fetchall(
        "SELECT action, target, detail FROM admin_audit WHERE action != 'config_reviewers'"
    )
    assert [tuple(r) for r in audit][-1] == ("invite.revoke", "command", "uses=1")

    # Pressing the old button again, or a forged one for the preset, changes nothing.
    await h.press_data(ADMIN, listing["message_id"], cb.InviteRevoke(code, 0).encode())
    assert "已经失效或已被撤销" in h.toasts(ADMIN)[-1]
    await h.press_data(ADMIN, listing["message_id"], cb.InviteRevoke(PRESET, 0).encode())
    assert "配置文件中的固定邀请" in h.toasts(ADMIN)[-1]
    [welcome] = await h.send(h.user(813, "丙"), f"/start {PRESET}")
    assert "欢迎你，丙" in welcome["text"]


async def test_english_admin_sees_the_list_in_english(harness: Harness) -> None:
    h = harness
    await _make_invite(h)
    [panel] = await h.send(ADMIN, "/settings")
    await h.press(ADMIN, panel, "English")
    [prompt] = await h.send(ADMIN, "/invite")
    listing = await h.press(ADMIN, prompt, "See and revoke active invite links")
    assert "Invite links that still work (2 in all" in listing["text"]
    assert "fixed in the config file" in listing["text"]
    after = await h.press(ADMIN, listing, "Revoke no. 2")
    assert "Revoked" in h.toasts(ADMIN)[-1]
    assert "(1 in all" in after["text"]


async def test_a_cadre_cannot_list_or_revoke(harness: Harness) -> None:
    h = harness
    code = await _make_invite(h)
    await h.join(CADRE, "张干部")
    [reply] = await h.send(CADRE, "/help")
    await h.press_data(CADRE, reply["message_id"], cb.InviteList(0).encode())
    await h.press_data(CADRE, reply["message_id"], cb.InviteRevoke(code, 0).encode())
    assert all("没有执行此操作的权限" in t for t in h.toasts(CADRE)[-2:])
    [welcome] = await h.send(h.user(814, "丁"), f"/start {code}")
    assert "欢迎你，丁" in welcome["text"]


async def test_a_preset_removed_from_the_config_stops_working_at_the_next_start(
    harness: Harness,
) -> None:
    h = harness
    [first] = await h.send(h.user(821, "甲"), f"/start {PRESET}")
    assert "欢迎你，甲" in first["text"]

    await h.stop()
    h.config = make_config(h.sandbox, h.db_path, access__invites=[])
    await h.start()
    [refused] = await h.send(h.user(822, "乙"), f"/start {PRESET}")
    assert "无效" in refused["text"]
    assert await h.services.membership.member(822) is None
    assert (await h.services.membership.caller(821)).is_member

    # Put back into the config, it works again.
    await h.stop()
    h.config = make_config(h.sandbox, h.db_path)
    await h.start()
    [welcome] = await h.send(822, f"/start {PRESET}")
    assert "欢迎你，乙" in welcome["text"]


async def test_failed_codes_are_throttled_per_user(harness: Harness) -> None:
    h = harness
    guesser = h.user(831, "猜码人")
    for n in range(5):
        [wrong] = await h.send(guesser, f"/start guess-{n:04d}-abcdefgh")
        assert "无效" in wrong["text"]
    # The sixth attempt is not even checked, so a right code does not help either.
    [throttled] = await h.send(guesser, f"/start {PRESET}")
    assert "尝试次数过多，请 15 分钟后再试" in throttled["text"]
    assert await h.services.membership.member(guesser) is None
    # Someone else is not affected.
    [other] = await h.send(h.user(832, "别人"), f"/start {PRESET}")
    assert "欢迎你，别人" in other["text"]
    h.clock.advance(minutes=15)
    [welcome] = await h.send(guesser, f"/start {PRESET}")
    assert "欢迎你，猜码人" in welcome["text"]


async def test_failed_codes_are_throttled_bot_wide(harness: Harness) -> None:
    h = harness
    for n in range(30):  # thirty accounts, one wrong code each, within a minute
        await h.send(h.user(900 + n, f"账号{n}"), f"/start wrong-code-{n:04d}")
    [paused] = await h.send(h.user(999, "新同事"), f"/start {PRESET}")
    assert "尝试次数过多，请 1 分钟后再试" in paused["text"]
    h.clock.advance(minutes=1)
    [welcome] = await h.send(999, f"/start {PRESET}")
    assert "欢迎你，新同事" in welcome["text"]
