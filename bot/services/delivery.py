"""Broadcast campaigns: create them once, choose audiences, move outbox rows, acknowledge, report.

Every outbox transition the delivery worker (bot/services/delivery_worker.py) makes is a method
here: claim, unclaim, sent, retry later, conclude, settle what a crash left in flight, finish a
campaign. The worker wakes up when `work` is set.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from bot.config import Config
from bot.domain.delivery import (
    Audience,
    Campaign,
    CampaignReport,
    Notice,
    OutboxItem,
    OutboxStatus,
)
from bot.domain.members import Role
from bot.i18n import translate
from bot.services.membership import MembershipService
from bot.storage.database import Database
from bot.storage.outbox import AcknowledgementRepository, CampaignRepository, OutboxRepository


@dataclass(frozen=True)
class CampaignCreated:
    """The campaign for a key, whether this call created it, and how many members it is for."""

    campaign_id: int
    created: bool
    recipients: int


class AckOutcome(Enum):
    """What pressing 已阅知悉 did."""

    RECORDED = "recorded"
    ALREADY = "already"
    NOT_RECIPIENT = "not_recipient"


class DeliveryService:
    """Campaigns in, reports out: one delivery path for reminders, quiz notices, admin notices."""

    def __init__(
        self, config: Config, db: Database, membership: MembershipService | None = None
    ) -> None:
        self.config = config
        self.db = db
        # Audiences are members: asked through the membership door (one is made if not given).
        self.membership = membership or MembershipService(config, db)
        self._campaigns = CampaignRepository(db)
        self._outbox = OutboxRepository(db)
        self._acks = AcknowledgementRepository(db)
        # Set when there is new work; the worker waits on it between rounds.
        self.work = asyncio.Event()

    # -- campaigns ---------------------------------------------------------------------------

    async def create_campaign(
        self,
        key: str,
        kind: str,
        payload: Notice | Mapping[str, Any],
        user_ids: Iterable[int],
        created_by: int | None = None,
        progress: tuple[int, int] | None = None,
        *,
        now: datetime | None = None,
    ) -> CampaignCreated:
        """Queue a campaign for these members, once per key (a repeated key changes nothing).

        `payload` is a Notice or its dict form: {"text": {"zh": html, "en": html}, "ack": bool,
        "buttons": [[{"text": {"zh": label, …}, "data": callback_data | "action": name}]]}.
        `progress` is (chat_id, message_id) of a message to edit with progress and the report.
        """
        notice = payload if isinstance(payload, Notice) else Notice.from_payload(payload)
        recipients = list(set(user_ids))
        # Sent in a random order of its own per campaign (the outbox is read in insertion
        # order): a member's place says nothing about their user id or an earlier campaign.
        secrets.SystemRandom().shuffle(recipients)
        async with self.db.transaction() as tx:
            campaign_id = await self._campaigns.insert(
                tx,
                key=key,
                kind=kind,
                notice=notice,
                created_by=created_by,
                progress=progress,
                now=now or datetime.now(UTC),
            )
            if campaign_id is None:
                existing, count = await self._campaigns.existing(tx, key)
                return CampaignCreated(existing, created=False, recipients=count)
            await self._outbox.add(tx, campaign_id, recipients)
        self.work.set()
        return CampaignCreated(campaign_id, created=True, recipients=len(recipients))

    async def audience(self, audience: Audience) -> list[int]:
        """Active members in an audience, by user id."""
        if audience.kind == "all":
            return await self.membership.active_ids()
        if audience.kind == "department":
            return await self.membership.active_ids(audience.value)
        return [h.user_id for h in await self.membership.holders(Role(audience.value))]

    async def existing_keys(self, keys: Iterable[str]) -> set[str]:
        """Which of these campaign keys were created already (their sends went out or are going)."""
        return await self._campaigns.existing_keys(keys)

    async def campaign(self, campaign_id: int) -> Campaign | None:
        """One campaign."""
        return await self._campaigns.get(campaign_id)

    async def campaign_by_key(self, key: str) -> Campaign | None:
        """The campaign created under a key, if any."""
        return await self._campaigns.by_key(key)

    async def campaign_count(self, kind: str | None = None) -> int:
        """How many campaigns exist (of one kind)."""
        return await self._campaigns.count(kind)

    async def running(self) -> list[Campaign]:
        """Campaigns still delivering, oldest first."""
        return await self._campaigns.running()

    async def finish(self, campaign_id: int, now: datetime) -> bool:
        """Mark a campaign done; False if it was not running (another round finished it)."""
        return await self._campaigns.finish(campaign_id, now)

    async def report(self, campaign_id: int) -> CampaignReport:
        """Counts per outcome for one campaign."""
        return await self._outbox.report(campaign_id)

    # -- the outbox, as the worker moves it ---------------------------------------------------

    async def due(self, now: datetime, limit: int) -> list[OutboxItem]:
        """Pending rows of running campaigns whose retry time (if any) has come, oldest first."""
        return await self._outbox.due(now, limit)

    async def next_retry_at(self) -> datetime | None:
        """When the earliest waiting retry becomes due, if any."""
        return await self._outbox.next_retry_at()

    async def claim(self, item: OutboxItem) -> bool:
        """Mark a row `sending` (committed before its request goes out); False if taken."""
        return await self._outbox.mark_sending(item.campaign_id, item.user_id)

    async def unclaim(self, item: OutboxItem) -> None:
        """Put back a claimed row whose request never went out (the worker is stopping)."""
        await self._outbox.unclaim(item.campaign_id, item.user_id)

    async def sent(self, item: OutboxItem) -> None:
        """Telegram answered with the message: delivered (its message id is not kept)."""
        await self._outbox.mark_sent(item.campaign_id, item.user_id)

    async def retry_later(self, item: OutboxItem, detail: str, at: datetime) -> None:
        """The attempt failed harmlessly: pending again from `at`."""
        await self._outbox.retry_later(item.campaign_id, item.user_id, detail, at)

    async def conclude(self, item: OutboxItem, status: OutboxStatus, detail: str | None) -> None:
        """A final outcome other than sent (failed, blocked, unknown, skipped)."""
        await self._outbox.conclude(item.campaign_id, item.user_id, status, detail)

    async def settle_interrupted(self) -> int:
        """Rows a crash left `sending` may have arrived: `unknown`, never resent (how many)."""
        return await self._outbox.settle_interrupted()

    # -- acknowledgements --------------------------------------------------------------------

    async def acknowledge(self, campaign_id: int, user_id: int, now: datetime) -> AckOutcome:
        """已阅知悉: store the first press of a member the campaign went to."""
        if await self._acks.record(campaign_id, user_id, now):
            return AckOutcome.RECORDED
        if await self._acks.acknowledged(campaign_id, user_id) is not None:
            return AckOutcome.ALREADY
        return AckOutcome.NOT_RECIPIENT

    async def acknowledged(self, campaign_id: int, user_id: int) -> datetime | None:
        """When the member acknowledged a campaign, if they did."""
        return await self._acks.acknowledged(campaign_id, user_id)

    async def acknowledgements(self, campaign_id: int) -> int:
        """How many members acknowledged a campaign."""
        return await self._acks.count(campaign_id)


def progress_text(language: str, key: str, report: CampaignReport, acknowledged: int = 0) -> str:
    """A campaign's progress (`delivery.progress`) or final report (`delivery.report`).

    The report counts acknowledgements (已阅知悉) as one number: never who pressed.
    """
    return translate(
        language,
        key,
        acknowledged=acknowledged,
        total=report.total,
        sent=report.sent,
        failed=report.failed,
        problems=report.failed + report.blocked + report.unknown,
        blocked=report.blocked,
        unknown=report.unknown,
        skipped=report.skipped,
        remaining=report.remaining,
    )
