"""Repositories for the delivery engine: campaigns, the outbox, and acknowledgements."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import aiosqlite

from bot.domain.delivery import Campaign, CampaignReport, Notice, OutboxItem, OutboxStatus
from bot.domain.members import MemberStatus
from bot.storage.database import Database, Transaction
from bot.storage.members import to_db_time


def stamp(value: datetime) -> str:
    """UTC ISO 8601 with milliseconds, for outbox rows (retries need sub-second order)."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds")


def _campaign(row: aiosqlite.Row) -> Campaign:
    return Campaign(
        id=row["id"],
        key=row["key"],
        kind=row["kind"],
        notice=Notice.from_json(row["payload"]),
        status=row["status"],
        created_by=row["created_by"],
        progress_chat=row["progress_chat"],
        progress_message=row["progress_message"],
    )


class CampaignRepository:
    """Campaigns: one row per broadcast, unique by key."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def insert(
        self,
        tx: Transaction,
        *,
        key: str,
        kind: str,
        notice: Notice,
        created_by: int | None,
        progress: tuple[int, int] | None,
        now: datetime,
    ) -> int | None:
        """Add a campaign; None if one with this key already exists."""
        chat, message = progress if progress else (None, None)
        changed = await tx.execute(
            "INSERT INTO campaigns (key, kind, payload, created_by, created_at, progress_chat, "
            "progress_message) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
            (key, kind, notice.to_json(), created_by, to_db_time(now), chat, message),
        )
        if not changed:
            return None
        row = await tx.fetchone("SELECT id FROM campaigns WHERE key = ?", (key,))
        assert row is not None
        return int(row["id"])

    async def existing(self, tx: Transaction, key: str) -> tuple[int, int]:
        """The id of the campaign with this key and how many outbox rows it has."""
        row = await tx.fetchone(
            "SELECT c.id, (SELECT COUNT(*) FROM outbox o WHERE o.campaign_id = c.id) "
            "FROM campaigns c WHERE c.key = ?",
            (key,),
        )
        assert row is not None
        return int(row[0]), int(row[1])

    async def get(self, campaign_id: int) -> Campaign | None:
        """One campaign by id."""
        row = await self.db.fetchone("SELECT * FROM campaigns WHERE id = ?", (campaign_id,))
        return _campaign(row) if row else None

    async def by_key(self, key: str) -> Campaign | None:
        """One campaign by its key."""
        row = await self.db.fetchone("SELECT * FROM campaigns WHERE key = ?", (key,))
        return _campaign(row) if row else None

    async def existing_keys(self, keys: Iterable[str]) -> set[str]:
        """Which of these campaign keys exist already."""
        wanted = sorted(set(keys))
        if not wanted:
            return set()
        marks = ",".join("?" * len(wanted))
        rows = await self.db.fetchall(
            f"SELECT key FROM campaigns WHERE key IN ({marks})", tuple(wanted)
        )
        return {str(r["key"]) for r in rows}

    async def running(self) -> list[Campaign]:
        """Campaigns still delivering, oldest first."""
        rows = await self.db.fetchall(
            "SELECT * FROM campaigns WHERE status = 'running' ORDER BY id"
        )
        return [_campaign(r) for r in rows]

    async def finish(self, campaign_id: int, now: datetime) -> bool:
        """Mark a campaign done; False if it was not running."""
        changed = await self.db.execute(
            # The progress message's id counts messages in the admin's chat: kept only while
            # the campaign runs (the final report is edited from the worker's copy).
            "UPDATE campaigns SET status = 'done', finished_at = ?, progress_message = NULL "
            "WHERE id = ? AND status = 'running'",
            (to_db_time(now), campaign_id),
        )
        return changed > 0

    async def count(self, kind: str | None = None) -> int:
        """How many campaigns exist (of one kind)."""
        if kind is None:
            row = await self.db.fetchone("SELECT COUNT(*) FROM campaigns")
        else:
            row = await self.db.fetchone("SELECT COUNT(*) FROM campaigns WHERE kind = ?", (kind,))
        return int(row[0]) if row else 0


class OutboxRepository:
    """One row per (campaign, member), moved through pending → sending → a final status."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, tx: Transaction, campaign_id: int, user_ids: Iterable[int]) -> None:
        """Queue the campaign for these members, sent in this order (one statement)."""
        await tx.executemany(
            "INSERT OR IGNORE INTO outbox (campaign_id, user_id) VALUES (?, ?)",
            ((campaign_id, user_id) for user_id in user_ids),
        )

    async def due(self, now: datetime, limit: int) -> list[OutboxItem]:
        """Pending rows of running campaigns whose retry time (if any) has come, in queue order."""
        rows = await self.db.fetchall(
            """
            SELECT o.campaign_id, o.user_id, o.attempts, m.language, m.status AS member_status
            FROM outbox o
            JOIN campaigns c ON c.id = o.campaign_id AND c.status = 'running'
            LEFT JOIN members m ON m.user_id = o.user_id
            WHERE o.status = 'pending' AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ?)
            ORDER BY o.campaign_id, o.next_attempt_at IS NOT NULL, o.rowid
            LIMIT ?
            """,
            (stamp(now), limit),
        )
        return [
            OutboxItem(
                campaign_id=r["campaign_id"],
                user_id=r["user_id"],
                attempts=r["attempts"],
                language=r["language"],
                member_status=MemberStatus(r["member_status"]) if r["member_status"] else None,
            )
            for r in rows
        ]

    async def next_retry_at(self) -> datetime | None:
        """The earliest time a waiting retry becomes due, if any."""
        row = await self.db.fetchone(
            "SELECT MIN(o.next_attempt_at) FROM outbox o JOIN campaigns c ON c.id = o.campaign_id "
            "WHERE o.status = 'pending' AND c.status = 'running'"
        )
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    # No per-row time and no Telegram message id is kept: the id a message got in a member's
    # chat counts the messages in that chat, and a row's time shows when the member's turn
    # came. `next_attempt_at` exists only while a retry waits; `updated_at` stays NULL.

    async def mark_sending(self, campaign_id: int, user_id: int) -> bool:
        """Claim a pending row for one attempt (committed before the request goes out)."""
        changed = await self.db.execute(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1 "
            "WHERE campaign_id = ? AND user_id = ? AND status = 'pending'",
            (campaign_id, user_id),
        )
        return changed > 0

    async def unclaim(self, campaign_id: int, user_id: int) -> None:
        """Undo a claim whose request never went out (the worker is stopping)."""
        await self.db.execute(
            "UPDATE outbox SET status = 'pending', attempts = attempts - 1 "
            "WHERE campaign_id = ? AND user_id = ? AND status = 'sending'",
            (campaign_id, user_id),
        )

    async def mark_sent(self, campaign_id: int, user_id: int) -> None:
        """Telegram answered with the message: delivered."""
        await self.db.execute(
            "UPDATE outbox SET status = 'sent', message_id = NULL, error = NULL, "
            "next_attempt_at = NULL, updated_at = NULL WHERE campaign_id = ? AND user_id = ?",
            (campaign_id, user_id),
        )

    async def retry_later(self, campaign_id: int, user_id: int, error: str, at: datetime) -> None:
        """The attempt failed harmlessly: back to pending until `at`."""
        await self.db.execute(
            "UPDATE outbox SET status = 'pending', error = ?, next_attempt_at = ? "
            "WHERE campaign_id = ? AND user_id = ?",
            (error, stamp(at), campaign_id, user_id),
        )

    async def conclude(
        self, campaign_id: int, user_id: int, status: OutboxStatus, error: str | None
    ) -> None:
        """A final outcome other than sent (failed, blocked, unknown, skipped)."""
        await self.db.execute(
            "UPDATE outbox SET status = ?, error = ?, next_attempt_at = NULL, updated_at = NULL "
            "WHERE campaign_id = ? AND user_id = ?",
            (status.value, error, campaign_id, user_id),
        )

    async def settle_interrupted(self) -> int:
        """Rows a crash left `sending` may have been delivered: mark them unknown, not pending."""
        return await self.db.execute(
            "UPDATE outbox SET status = 'unknown', error = 'interrupted while sending', "
            "next_attempt_at = NULL, updated_at = NULL WHERE status = 'sending'"
        )

    async def report(self, campaign_id: int) -> CampaignReport:
        """Counts per status for one campaign."""
        rows = await self.db.fetchall(
            "SELECT status, COUNT(*) AS n FROM outbox WHERE campaign_id = ? GROUP BY status",
            (campaign_id,),
        )
        return CampaignReport(campaign_id, {OutboxStatus(r["status"]): r["n"] for r in rows})

    async def status_of(self, campaign_id: int, user_id: int) -> OutboxStatus | None:
        """One member's row status, if the campaign was for them."""
        row = await self.db.fetchone(
            "SELECT status FROM outbox WHERE campaign_id = ? AND user_id = ?",
            (campaign_id, user_id),
        )
        return OutboxStatus(row["status"]) if row else None


class AcknowledgementRepository:
    """已阅知悉: who confirmed reading which campaign, and when (first press only)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(self, campaign_id: int, user_id: int, now: datetime) -> bool:
        """Store the first acknowledgement of a member the campaign went to; False otherwise."""
        changed = await self.db.execute(
            "INSERT OR IGNORE INTO acknowledgements (campaign_id, user_id, at) "
            "SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM outbox WHERE campaign_id = ? "
            "AND user_id = ? AND status IN ('sent', 'unknown'))",
            (campaign_id, user_id, to_db_time(now), campaign_id, user_id),
        )
        return changed > 0

    async def acknowledged(self, campaign_id: int, user_id: int) -> datetime | None:
        """When the member acknowledged, if they did."""
        row = await self.db.fetchone(
            "SELECT at FROM acknowledgements WHERE campaign_id = ? AND user_id = ?",
            (campaign_id, user_id),
        )
        return datetime.fromisoformat(row["at"]) if row else None

    async def count(self, campaign_id: int) -> int:
        """How many members acknowledged a campaign."""
        row = await self.db.fetchone(
            "SELECT COUNT(*) FROM acknowledgements WHERE campaign_id = ?", (campaign_id,)
        )
        return int(row[0]) if row else 0
