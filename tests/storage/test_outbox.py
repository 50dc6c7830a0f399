"""Campaigns, the outbox and acknowledgements in SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import parse_config
from bot.domain.delivery import Audience, OutboxStatus
from bot.domain.members import Role
from bot.services.delivery import AckOutcome, DeliveryService
from bot.storage.database import Database
from bot.storage.members import MemberRepository
from bot.storage.outbox import (
    AcknowledgementRepository,
    CampaignRepository,
    OutboxRepository,
)

NOW = datetime(2026, 9, 20, 2, 0, tzinfo=UTC)


@pytest.fixture
async def delivery(tmp_path: Path) -> AsyncIterator[DeliveryService]:
    """A delivery service over a fresh database with six members."""
    db = Database(tmp_path / "bot.db")
    await db.open()
    config = parse_config(
        {
            "organization": {"departments": [{"id": "office", "name": "办公室"}]},
            "roles": {"leaders": [3]},
        },
        require_token=False,
    )
    members = MemberRepository(db)
    async with db.transaction() as tx:
        for user_id in range(1, 7):
            await members.upsert_joined(
                tx,
                user_id=user_id,
                first_name=str(user_id),
                username=None,
                department_id="office" if user_id <= 3 else None,
                now=NOW,
            )
        await members.grant(tx, 4, Role.LEADER, 1, NOW)
    await members.mark_inactive(5, NOW)
    await db.execute("UPDATE members SET status = 'left' WHERE user_id = 6")
    try:
        yield DeliveryService(config, db)
    finally:
        await db.close()


PAYLOAD = {"text": {"zh": "通知"}, "ack": True}


async def test_campaign_key_is_unique_and_rows_are_queued_in_one_go(
    delivery: DeliveryService,
) -> None:
    first = await delivery.create_campaign("k", "notice", PAYLOAD, [1, 2, 2, 3], now=NOW)
    again = await delivery.create_campaign("k", "notice", PAYLOAD, [4], now=NOW)
    assert (first.created, first.recipients) == (True, 3)
    assert (again.created, again.campaign_id, again.recipients) == (False, first.campaign_id, 3)
    assert delivery.work.is_set()
    report = await delivery.report(first.campaign_id)
    assert (report.total, report.remaining, report.finished) == (3, 3, False)
    assert await CampaignRepository(delivery.db).count("notice") == 1


async def test_audiences_are_active_members_only(delivery: DeliveryService) -> None:
    assert await delivery.audience(Audience("all")) == [1, 2, 3, 4]
    assert await delivery.audience(Audience("department", "office")) == [1, 2, 3]
    # leader 3 from the config, leader 4 granted in the bot
    assert await delivery.audience(Audience("role", "leader")) == [3, 4]
    assert await delivery.audience(Audience("role", "reviewer")) == []


async def test_rows_move_through_their_states_and_a_crash_leaves_them_unknown(
    delivery: DeliveryService,
) -> None:
    created = await delivery.create_campaign("k", "notice", PAYLOAD, [1, 2, 3, 4], now=NOW)
    cid, outbox = created.campaign_id, OutboxRepository(delivery.db)
    due = await outbox.due(NOW, 10)
    assert sorted((i.user_id, i.attempts) for i in due) == [(1, 0), (2, 0), (3, 0), (4, 0)]
    order = [i.user_id for i in due]  # the campaign's own random order, kept on every read
    assert [i.user_id for i in await outbox.due(NOW, 10)] == order

    assert await outbox.mark_sending(cid, 1)
    assert not await outbox.mark_sending(cid, 1)  # claimed once
    await outbox.mark_sent(cid, 1)
    assert await outbox.mark_sending(cid, 2)
    await outbox.retry_later(cid, 2, "NetworkError: Bad Gateway", NOW + timedelta(seconds=2))
    rest = [u for u in order if u in (3, 4)]
    assert [i.user_id for i in await outbox.due(NOW, 10)] == rest
    assert [i.user_id for i in await outbox.due(NOW + timedelta(seconds=3), 10)] == [*rest, 2]
    assert await outbox.next_retry_at() == NOW + timedelta(seconds=2)
    assert await outbox.mark_sending(cid, 3)
    await outbox.conclude(cid, 4, OutboxStatus.BLOCKED, "Forbidden")

    # The process dies here: row 3 was handed to Telegram with no answer recorded.
    assert await outbox.settle_interrupted() == 1
    report = await delivery.report(cid)
    assert (report.sent, report.unknown, report.blocked, report.remaining) == (1, 1, 1, 1)
    assert await outbox.status_of(cid, 3) is OutboxStatus.UNKNOWN
    row = await delivery.db.fetchone(
        "SELECT attempts, message_id, updated_at FROM outbox WHERE campaign_id = ? AND user_id = 1",
        (cid,),
    )
    # Neither the message id (it counts messages in the chat) nor a time of the send is kept.
    assert (row["attempts"], row["message_id"], row["updated_at"]) == (1, None, None)


async def test_acknowledgement_is_stored_once_and_only_for_recipients(
    delivery: DeliveryService,
) -> None:
    created = await delivery.create_campaign("k", "reminder", PAYLOAD, [1, 2], now=NOW)
    cid = created.campaign_id
    await OutboxRepository(delivery.db).mark_sending(cid, 1)
    await OutboxRepository(delivery.db).mark_sent(cid, 1)
    later = NOW + timedelta(hours=1)
    assert await delivery.acknowledge(cid, 1, NOW) is AckOutcome.RECORDED
    assert await delivery.acknowledge(cid, 1, later) is AckOutcome.ALREADY
    assert await AcknowledgementRepository(delivery.db).acknowledged(cid, 1) == NOW
    assert await delivery.acknowledge(cid, 2, NOW) is AckOutcome.NOT_RECIPIENT  # not sent yet
    assert await delivery.acknowledge(cid, 3, NOW) is AckOutcome.NOT_RECIPIENT
    assert await delivery.acknowledge(999, 1, NOW) is AckOutcome.NOT_RECIPIENT
    assert await AcknowledgementRepository(delivery.db).count(cid) == 1
