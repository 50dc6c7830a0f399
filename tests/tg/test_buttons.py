"""The button helper: the role is checked first, then the data is decoded once; the handler
runs only with a typed value, and nothing else is answered on its behalf."""

from __future__ import annotations

from bot.domain.members import Role
from bot.i18n import translate
from bot.tg import callbacks as cb
from tests.harness import ADMIN, Harness

CADRE = 791
STALE = translate("zh", "common.stale_button")
NO_PERMISSION = translate("zh", "access.no_permission")


async def test_the_role_is_checked_before_the_data_is_looked_at(harness: Harness) -> None:
    h = harness
    await h.join(CADRE, "张干部")
    [shown] = await h.send(CADRE, "/help")
    good = cb.MemberRole(CADRE, Role.ADMIN, True, 0).encode()
    for data in (good, "v1:mrole:1:owner:1:0", "v1:mrole:garbage"):
        await h.press_data(CADRE, shown["message_id"], data)
        assert h.toasts(CADRE)[-1] == NO_PERMISSION
    assert not (await h.services.membership.caller(CADRE)).has(Role.ADMIN)


async def test_data_that_does_not_decode_gets_the_stale_answer_and_changes_nothing(
    harness: Harness,
) -> None:
    h = harness
    await h.join(ADMIN, "王管理")
    await h.join(CADRE, "张干部")
    [listing] = await h.send(ADMIN, "/members")
    sent = len(h.sandbox.bot_messages(ADMIN))
    for data in (
        f"v1:mrole:{CADRE}:owner:1:0",  # a role that does not exist
        f"v1:mrole:{CADRE}:leader:yes:0",  # not a bool
        f"v1:mrole:{CADRE}:leader:1",  # a field missing
    ):
        await h.press_data(ADMIN, listing["message_id"], data)
        assert h.toasts(ADMIN)[-1] == STALE
    assert len(h.sandbox.bot_messages(ADMIN)) == sent
    assert h.message(ADMIN, listing["message_id"])["text"] == listing["text"]
    assert (await h.services.membership.caller(CADRE)).roles == frozenset()
    # The same button with a real role reaches the handler, typed.
    await h.press_data(
        ADMIN, listing["message_id"], cb.MemberRole(CADRE, Role.LEADER, True, 0).encode()
    )
    assert h.toasts(ADMIN)[-1] == translate("zh", "members.saved")
    assert (await h.services.membership.caller(CADRE)).has(Role.LEADER)


async def test_a_button_for_any_member_decodes_without_a_role(harness: Harness) -> None:
    h = harness
    await h.join(CADRE, "张干部")
    [shown] = await h.send(CADRE, "/settings")
    await h.press_data(CADRE, shown["message_id"], "v1:leave:maybe")
    assert h.toasts(CADRE)[-1] == STALE
    await h.press_data(CADRE, shown["message_id"], cb.Leave(cb.LeaveStep.ASK).encode())
    assert translate("zh", "settings.leave_confirm") in h.last(CADRE)["text"]
