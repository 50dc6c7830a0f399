"""The delivery engine through the sandbox: limits, faults, blocking, restarts, exactly once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from telegram.error import RetryAfter

from bot.domain.delivery import Audience, OutboxStatus
from bot.domain.members import MemberStatus
from bot.sandbox import Sandbox
from bot.storage.members import MemberRepository
from bot.tg.ratelimit import ENGINE_CALL
from bot.tg.sender import TelegramSender
from tests.harness import TOKEN, Harness
from tests.tg.delivery_support import (
    CAMPAIGN_MARK,
    drain,
    harness_on,
    notice,
    received,
    seed_members,
    sends,
    worker,
)


@pytest.fixture
async def fast_faults_sandbox() -> AsyncIterator[Sandbox]:
    """A sandbox whose injected timeouts hold a request briefly, then answer 504."""
    box = Sandbox(token=TOKEN, bot_username="qinglian_test_bot", fault_hold_seconds=0.3)
    await box.start()
    try:
        yield box
    finally:
        await box.stop()


@pytest.fixture
async def h(fast_faults_sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[Harness]:
    """The bot on that sandbox."""
    harness = harness_on(fast_faults_sandbox, tmp_path)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def test_campaign_to_200_members_under_limits_and_faults_arrives_once_each(
    h: Harness,
) -> None:
    sandbox, services = h.sandbox, h.services
    active = await seed_members(services.db, sandbox, range(10001, 10201))
    gone = await seed_members(services.db, sandbox, range(10301, 10304), status=MemberStatus.LEFT)
    dormant = await seed_members(
        services.db, sandbox, range(10401, 10404), status=MemberStatus.INACTIVE
    )
    blockers = [10007, 10050, 10123, 10199]
    for user_id in blockers:
        sandbox.block(user_id)
    sandbox.set_limits(enforce=True, global_per_second=30, per_chat_per_second=1)
    sandbox.reset_stats()
    sandbox.inject_fault(kind="429", count=3, method="sendMessage", retry_after=1)
    sandbox.inject_fault(kind="500", count=3, method="sendMessage")
    sandbox.inject_fault(kind="502", count=2, method="sendMessage")
    sandbox.inject_fault(kind="timeout", count=2, method="sendMessage")

    audience = await services.delivery.audience(Audience("all"))
    assert audience == active  # left and inactive members are not in it
    created = await services.delivery.create_campaign(
        "test:200", "notice", notice("节前请勿收受礼品礼金"), audience
    )
    assert created.created
    assert created.recipients == 200
    await drain(h)

    for user_id in active:
        expected = 0 if user_id in blockers else 1
        assert len(received(sandbox, user_id)) == expected, user_id
    for user_id in gone + dormant:
        assert received(sandbox, user_id) == []
    for user_id in blockers:
        member = await services.membership.member(user_id)
        assert member is not None
        assert member.status is MemberStatus.INACTIVE

    report = await services.delivery.report(created.campaign_id)
    assert (report.sent, report.blocked, report.failed, report.unknown) == (196, 4, 0, 0)
    stats = sandbox.stats()
    assert stats["faults_injected"] == 10
    assert stats["rejected_429"] == 0  # the engine itself never went over a limit
    assert stats["max_global_rate"] <= 30
    assert stats["max_chat_rate"] <= 1
    campaign = await services.delivery.campaign(created.campaign_id)
    assert campaign is not None
    assert campaign.status == "done"
    rows = await services.db.fetchall(
        "SELECT status, attempts, message_id, error, updated_at, next_attempt_at FROM outbox "
        "WHERE campaign_id = ?",
        (created.campaign_id,),
    )
    # Concluded rows keep no time and no message id of their own (campaign-level times only).
    assert all(r["updated_at"] is None and r["next_attempt_at"] is None for r in rows)
    assert all(r["message_id"] is None for r in rows)
    assert all("blocked" in r["error"] for r in rows if r["status"] == OutboxStatus.BLOCKED)
    assert sum(r["attempts"] for r in rows) == 200 + 10  # every fault cost one more attempt


async def test_same_key_creates_the_campaign_once(h: Harness) -> None:
    members = await seed_members(h.services.db, h.sandbox, range(20001, 20006))
    first = await h.services.delivery.create_campaign("test:once", "notice", notice("一"), members)
    again = await h.services.delivery.create_campaign("test:once", "notice", notice("二"), members)
    assert again.campaign_id == first.campaign_id
    assert not again.created
    assert again.recipients == 5
    await drain(h)
    for user_id in members:
        [message] = received(h.sandbox, user_id)
        assert message["text"].endswith("一")


async def test_restart_mid_campaign_resumes_without_duplicates(h: Harness) -> None:
    sandbox, services = h.sandbox, h.services
    members = await seed_members(services.db, sandbox, range(30001, 30081))
    sandbox.set_limits(enforce=True)
    created = await services.delivery.create_campaign(
        "test:restart", "notice", notice("重启后继续"), members
    )
    await sandbox.wait_for(lambda: sends(sandbox) >= 25)

    await h.restart()
    await drain(h)

    assert [len(received(sandbox, u)) for u in members] == [1] * 80
    report = await h.services.delivery.report(created.campaign_id)
    assert (report.sent, report.unknown, report.remaining) == (80, 0, 0)
    assert sandbox.stats()["rejected_429"] == 0


async def test_members_read_the_notice_in_their_language(h: Harness) -> None:
    zh, en = await seed_members(h.services.db, h.sandbox, [40001, 40002])
    await h.services.membership.set_language(en, "en", h.clock())
    await h.services.delivery.create_campaign(
        "test:lang", "notice", notice("会议通知", ack=True), [zh, en]
    )
    await drain(h)
    [to_zh] = received(h.sandbox, zh)
    [to_en] = received(h.sandbox, en)
    assert to_zh["text"].endswith("会议通知")
    assert to_en["text"].endswith("(en)")
    assert [b["text"] for row in to_zh["reply_markup"]["inline_keyboard"] for b in row] == [
        "已阅知悉"
    ]
    assert [b["text"] for row in to_en["reply_markup"]["inline_keyboard"] for b in row] == [
        "Read and noted"
    ]


async def test_a_lost_answer_is_recorded_unknown_and_never_resent(h: Harness) -> None:
    [member] = await seed_members(h.services.db, h.sandbox, [45001])
    sender = worker(h).sender
    assert isinstance(sender, TelegramSender)
    # The answer takes longer than the engine waits: the request may have been delivered.
    sender.timeouts = replace(sender.timeouts, read=0.1)
    h.sandbox.inject_fault(kind="timeout", count=1, method="sendMessage", chat_id=member)
    created = await h.services.delivery.create_campaign(
        "test:lost", "notice", notice("答复丢失"), [member]
    )
    await drain(h)
    report = await h.services.delivery.report(created.campaign_id)
    assert (report.unknown, report.sent) == (1, 0)
    assert h.sandbox.stats()["calls"]["sendMessage"] == 1  # tried once, not again
    row = await h.services.db.fetchone("SELECT attempts, error FROM outbox")
    assert row["attempts"] == 1
    assert "TimedOut" in row["error"]


async def test_engine_calls_see_429_at_once_while_replies_are_retried(h: Harness) -> None:
    [member] = await seed_members(h.services.db, h.sandbox, [46001])
    assert h.app is not None
    bot = h.app.bot
    h.sandbox.inject_fault(kind="429", count=1, method="sendMessage", retry_after=1)
    with pytest.raises(RetryAfter):
        await bot.send_message(member, "engine", rate_limit_args=ENGINE_CALL)
    h.sandbox.inject_fault(kind="429", count=1, method="sendMessage", retry_after=1)
    reply = await bot.send_message(member, "reply")  # AIORateLimiter waits and retries
    assert reply.text == "reply"
    assert [m["text"] for m in h.sandbox.bot_messages(member)] == ["reply"]


async def test_a_refused_send_fails_with_telegrams_description(h: Harness) -> None:
    [known] = await seed_members(h.services.db, h.sandbox, [47001])
    async with h.services.db.transaction() as tx:  # a member Telegram has no chat for
        await MemberRepository(h.services.db).upsert_joined(
            tx, user_id=47002, first_name="无会话", username=None, department_id=None, now=h.clock()
        )
    created = await h.services.delivery.create_campaign(
        "test:refused", "notice", notice("无法送达"), [known, 47002]
    )
    await drain(h)
    report = await h.services.delivery.report(created.campaign_id)
    assert (report.sent, report.failed) == (1, 1)
    row = await h.services.db.fetchone(
        "SELECT attempts, error FROM outbox WHERE user_id = 47002 AND campaign_id = ?",
        (created.campaign_id,),
    )
    assert row["attempts"] == 1
    assert row["error"] == "BadRequest: Chat not found"


async def test_feature_buttons_from_services_become_callback_data(h: Harness) -> None:
    [member] = await seed_members(h.services.db, h.sandbox, [48001])
    payload = {  # the shape PTB-free services (e.g. assigned tests) pass in
        "text": {"zh": f"{CAMPAIGN_MARK}专项测试", "en": f"{CAMPAIGN_MARK}Assigned test"},
        "buttons": [[{"text": {"zh": "开始测试", "en": "Start"}, "action": "assignment:7"}]],
    }
    await h.services.delivery.create_campaign(
        "assignment:7:notice", "assignment", payload, [member]
    )
    await drain(h)
    [message] = received(h.sandbox, member)
    assert message["reply_markup"]["inline_keyboard"] == [
        [{"text": "开始测试", "callback_data": "v1:qasg:7"}]
    ]
