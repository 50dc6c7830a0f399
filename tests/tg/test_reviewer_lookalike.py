"""Attack: separation of duties, a lookalike account proposed as a reviewer.

An admin proposes their own second account, named like the discipline-inspection colleague
the reviewers expect to join. The request used to show only the account's self-chosen first
name, so the reviewer could not see it was not that colleague.
"""

from __future__ import annotations

from bot.domain.members import Role
from bot.tg import callbacks as cb
from tests.harness import ADMIN, REVIEWER, Harness

COLLEAGUE, LOOKALIKE = 4301, 4302


async def test_the_confirmation_request_tells_a_lookalike_account_apart(harness: Harness) -> None:
    h = harness
    await h.join(REVIEWER, "赵纪检")
    await h.join(ADMIN, "王管理")
    await h.join(COLLEAGUE, "钱纪委")  # the real colleague, a member already
    h.user(LOOKALIKE, "钱纪委", username="admin_alt_account")
    await h.send(LOOKALIKE, "/start test-office-invite")
    [shown] = await h.send(ADMIN, "/members")
    before = len(h.sandbox.bot_messages(REVIEWER))
    data = cb.MemberRole(LOOKALIKE, Role.REVIEWER.value, True, 0).encode()
    await h.press_data(ADMIN, shown["message_id"], data)
    [ask] = h.sandbox.bot_messages(REVIEWER)[before:]
    assert str(LOOKALIKE) in ask["text"], ask["text"]
    assert "@admin_alt_account" in ask["text"], ask["text"]
    assert "请核对账号确是本人" in ask["text"]
