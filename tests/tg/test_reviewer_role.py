"""Attacks on separation of duties: an admin (from the config or granted in the bot) must not make
themselves a reviewer, nor anyone else without a reviewer's confirmation, and every grant and
revocation of the reviewer role is told to all reviewers."""

from __future__ import annotations

from bot.domain.members import Role
from bot.tg import callbacks as cb
from tests.harness import ADMIN, REVIEWER, Harness, buttons

CADRE, SECOND_ADMIN = 781, 782


async def _card(h: Harness, admin: int, name: str) -> dict:
    [listing] = await h.send(admin, "/members")
    return await h.press(admin, listing, name)


async def _is_reviewer(h: Harness, user_id: int) -> bool:
    return (await h.services.membership.caller(user_id)).has(Role.REVIEWER)


async def test_no_admin_makes_themselves_or_anyone_a_reviewer_alone(harness: Harness) -> None:
    h = harness
    await h.join(ADMIN, "王管理")
    await h.join(CADRE, "张干部")
    await h.join(SECOND_ADMIN, "钱管理")
    # No reviewer has joined yet: nobody could confirm, so nothing happens.
    card = await _card(h, ADMIN, "张干部")
    await h.press(ADMIN, card, "设为纪检监察组")
    assert "没有可以确认的纪检监察组成员" in h.toasts(ADMIN)[-1]
    assert not await _is_reviewer(h, CADRE)

    await h.join(REVIEWER, "赵纪检")
    # An admin granted in the bot, then each admin trying it on themselves (buttons forged).
    card = await _card(h, ADMIN, "钱管理")
    await h.press(ADMIN, card, "设为管理员")
    for admin in (ADMIN, SECOND_ADMIN):
        [shown] = await h.send(admin, "/members")
        forged = cb.MemberRole(admin, Role.REVIEWER.value, True, 0).encode()
        await h.press_data(admin, shown["message_id"], forged)
        assert "不能给自己授予纪检监察组角色" in h.toasts(admin)[-1]
        assert not await _is_reviewer(h, admin)

    # An admin proposes; the proposal is not the role.
    before = {u: len(h.sandbox.bot_messages(u)) for u in (REVIEWER, CADRE, ADMIN)}
    card = await _card(h, ADMIN, "张干部")
    await h.press(ADMIN, card, "设为纪检监察组")
    assert "需由一位现任纪检监察组成员确认" in h.toasts(ADMIN)[-1]
    assert not await _is_reviewer(h, CADRE)
    [ask] = h.sandbox.bot_messages(REVIEWER)[before[REVIEWER] :]
    assert "王管理 提议由 张干部 担任纪检监察组成员" in ask["text"]
    # Neither the proposed member, nor the admin, nor another admin can confirm it.
    confirm = next(b["callback_data"] for b in buttons(ask) if "确认" in b["text"])
    for user in (CADRE, ADMIN, SECOND_ADMIN):
        [shown] = await h.send(user, "/help")
        await h.press_data(user, shown["message_id"], confirm)
        assert "没有执行此操作的权限" in h.toasts(user)[-1]
    assert not await _is_reviewer(h, CADRE)

    # The reviewer confirms: now it holds, and every reviewer (and the admin) is told.
    await h.press(REVIEWER, ask, "确认")
    assert await _is_reviewer(h, CADRE)
    for user in (REVIEWER, CADRE, ADMIN):
        told = [m["text"] for m in h.sandbox.bot_messages(user)[before[user] :]]
        assert any("张干部 已成为纪检监察组成员（王管理 提议，赵纪检 确认）" in t for t in told)
    # A second press of the same button finds nothing open.
    await h.press_data(REVIEWER, ask["message_id"], confirm)
    assert "已失效" in h.toasts(REVIEWER)[-1]

    # A revocation is told to every reviewer, and to the one who lost the role.
    before = {u: len(h.sandbox.bot_messages(u)) for u in (REVIEWER, CADRE)}
    card = await _card(h, ADMIN, "张干部")
    await h.press(ADMIN, card, "取消纪检监察组")
    assert not await _is_reviewer(h, CADRE)
    for user in (REVIEWER, CADRE):
        told = [m["text"] for m in h.sandbox.bot_messages(user)[before[user] :]]
        assert any("王管理 已取消 张干部 的纪检监察组角色" in t for t in told)
    actions = await h.services.db.fetchall(
        "SELECT actor_id, action, target FROM admin_audit WHERE detail = 'reviewer' ORDER BY id"
    )
    assert [tuple(a) for a in actions] == [
        (ADMIN, "role.propose", str(CADRE)),
        (REVIEWER, "role.grant", str(CADRE)),
        (ADMIN, "role.revoke", str(CADRE)),
    ]


async def test_a_declined_proposal_grants_nothing(harness: Harness) -> None:
    h = harness
    await h.join(ADMIN, "王管理")
    await h.join(REVIEWER, "赵纪检")
    await h.join(CADRE, "张干部")
    card = await _card(h, ADMIN, "张干部")
    await h.press(ADMIN, card, "设为纪检监察组")
    await h.press(REVIEWER, h.last(REVIEWER), "拒绝")
    assert not await _is_reviewer(h, CADRE)
    assert "赵纪检 拒绝了 王管理 提议由 张干部 担任纪检监察组成员" in h.last(ADMIN)["text"]
