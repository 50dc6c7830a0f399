"""Broadcast campaigns: create them once, choose audiences, record acknowledgements, report.

The Telegram layer's delivery worker (bot/tg/delivery.py) does the sending; it wakes up when
`work` is set.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from bot.config import Config
from bot.domain.delivery import Audience, Campaign, CampaignReport, Notice
from bot.domain.members import Role
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

    def __init__(self, config: Config, db: Database) -> None:
        self.config = config
        self.db = db
        self.campaigns = CampaignRepository(db)
        self.outbox = OutboxRepository(db)
        self.acks = AcknowledgementRepository(db)
        # Set when there is new work; the worker waits on it between rounds.
        self.work = asyncio.Event()

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
        recipients = sorted(set(user_ids))
        async with self.db.transaction() as tx:
            campaign_id = await self.campaigns.insert(
                tx,
                key=key,
                kind=kind,
                notice=notice,
                created_by=created_by,
                progress=progress,
                now=now or datetime.now(UTC),
            )
            if campaign_id is None:
                row = await tx.fetchone(
                    "SELECT c.id, (SELECT COUNT(*) FROM outbox o WHERE o.campaign_id = c.id) "
                    "FROM campaigns c WHERE c.key = ?",
                    (key,),
                )
                assert row is not None
                return CampaignCreated(int(row[0]), created=False, recipients=int(row[1]))
            await self.outbox.add(tx, campaign_id, recipients)
        self.work.set()
        return CampaignCreated(campaign_id, created=True, recipients=len(recipients))

    async def audience(self, audience: Audience) -> list[int]:
        """Active members in an audience, by user id."""
        if audience.kind == "all":
            rows = await self.db.fetchall(
                "SELECT user_id FROM members WHERE status = 'active' ORDER BY user_id"
            )
        elif audience.kind == "department":
            rows = await self.db.fetchall(
                "SELECT user_id FROM members WHERE status = 'active' AND department_id = ? "
                "ORDER BY user_id",
                (audience.value,),
            )
        else:
            role = Role(audience.value)
            configured = sorted(self.config.roles[role])
            marks = ",".join("?" * len(configured)) or "NULL"
            rows = await self.db.fetchall(
                f"SELECT user_id FROM members WHERE status = 'active' AND (user_id IN ({marks}) "
                "OR user_id IN (SELECT user_id FROM member_roles WHERE role = ?)) "
                "ORDER BY user_id",
                (*configured, role.value),
            )
        return [int(r["user_id"]) for r in rows]

    async def existing_keys(self, keys: Iterable[str]) -> set[str]:
        """Which of these campaign keys were created already (their sends went out or are going)."""
        return await self.campaigns.existing_keys(keys)

    async def campaign(self, campaign_id: int) -> Campaign | None:
        """One campaign."""
        return await self.campaigns.get(campaign_id)

    async def report(self, campaign_id: int) -> CampaignReport:
        """Counts per outcome for one campaign."""
        return await self.outbox.report(campaign_id)

    async def acknowledge(self, campaign_id: int, user_id: int, now: datetime) -> AckOutcome:
        """已阅知悉: store the first press of a member the campaign went to."""
        if await self.acks.record(campaign_id, user_id, now):
            return AckOutcome.RECORDED
        if await self.acks.acknowledged(campaign_id, user_id) is not None:
            return AckOutcome.ALREADY
        return AckOutcome.NOT_RECIPIENT
