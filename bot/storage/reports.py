"""Reports, their attachments, threads, notes and the reviewers' audit log (migration 4).

Every column written here is listed in migration 4; none can hold who sent a report. Dates
are ISO `YYYY-MM-DD` in the bureau's time zone; only reviewer notes and the audit log carry a
time, because they record what reviewers did.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import aiosqlite

from bot.domain.reports import (
    FINAL_STATUSES,
    Attachment,
    AttachmentKind,
    Category,
    Direction,
    Report,
    ReportMessage,
    ReportNote,
    ReportStatus,
    ReportSummary,
)
from bot.storage.database import Database, Transaction
from bot.storage.members import to_db_time


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _report(row: aiosqlite.Row) -> Report:
    submitted = _date(row["submitted_on"])
    assert submitted is not None
    return Report(
        id=row["id"],
        ref=row["ref"],
        category=Category(row["category"]),
        unit=row["unit"],
        body=row["body"],
        status=ReportStatus(row["status"]),
        submitted_on=submitted,
        closed_on=_date(row["closed_on"]),
        notified=bool(row["notified"]),
    )


class ReportRepository:
    """Reports and everything attached to them."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- reporter side ---------------------------------------------------------------------

    async def insert(
        self,
        tx: Transaction,
        *,
        ref: str,
        receipt_hash: str,
        category: Category,
        unit: str,
        body: str,
        attachments: Sequence[Attachment],
        submitted_on: date,
    ) -> int:
        """Store a new report with its attachments; return its row id."""
        report_id = await tx.insert(
            "INSERT INTO reports (ref, receipt_hash, category, unit, body, submitted_on) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (ref, receipt_hash, category.value, unit, body, submitted_on.isoformat()),
        )
        await tx.executemany(
            "INSERT INTO report_attachments (report_id, position, kind, file_id) "
            "VALUES (?, ?, ?, ?)",
            [(report_id, i, a.kind.value, a.file_id) for i, a in enumerate(attachments)],
        )
        return report_id

    async def by_receipt(self, receipt_hash: str) -> Report | None:
        """The report a receipt code's hash points at."""
        row = await self.db.fetchone(
            "SELECT * FROM reports WHERE receipt_hash = ?", (receipt_hash,)
        )
        return _report(row) if row else None

    async def get(self, report_id: int) -> Report | None:
        """One report by row id."""
        row = await self.db.fetchone("SELECT * FROM reports WHERE id = ?", (report_id,))
        return _report(row) if row else None

    async def add_message(
        self, tx: Transaction, report_id: int, direction: Direction, body: str, sent_on: date
    ) -> None:
        """Append a message to a report's thread."""
        await tx.execute(
            "INSERT INTO report_messages (report_id, direction, body, sent_on) VALUES (?, ?, ?, ?)",
            (report_id, direction.value, body, sent_on.isoformat()),
        )

    async def messages(self, report_id: int) -> list[ReportMessage]:
        """A report's thread, oldest first."""
        rows = await self.db.fetchall(
            "SELECT * FROM report_messages WHERE report_id = ? ORDER BY id", (report_id,)
        )
        return [
            ReportMessage(Direction(r["direction"]), r["body"], date.fromisoformat(r["sent_on"]))
            for r in rows
        ]

    # -- reviewer side ---------------------------------------------------------------------

    async def by_ref(self, ref: str) -> Report | None:
        """One report by its reviewers' reference."""
        row = await self.db.fetchone("SELECT * FROM reports WHERE ref = ?", (ref,))
        return _report(row) if row else None

    async def attachments(self, report_id: int) -> list[Attachment]:
        """A report's attachments in the order they were sent."""
        rows = await self.db.fetchall(
            "SELECT kind, file_id FROM report_attachments WHERE report_id = ? ORDER BY position",
            (report_id,),
        )
        return [Attachment(AttachmentKind(r["kind"]), r["file_id"]) for r in rows]

    async def notes(self, report_id: int) -> list[ReportNote]:
        """Reviewers' internal notes, oldest first."""
        rows = await self.db.fetchall(
            "SELECT * FROM report_notes WHERE report_id = ? ORDER BY id", (report_id,)
        )
        return [
            ReportNote(r["reviewer_id"], r["body"], datetime.fromisoformat(r["at"])) for r in rows
        ]

    async def add_note(
        self, tx: Transaction, report_id: int, reviewer_id: int, body: str, at: datetime
    ) -> None:
        """Append an internal note."""
        await tx.execute(
            "INSERT INTO report_notes (report_id, reviewer_id, body, at) VALUES (?, ?, ?, ?)",
            (report_id, reviewer_id, body, to_db_time(at)),
        )

    async def set_status(
        self,
        tx: Transaction,
        report_id: int,
        current: ReportStatus,
        target: ReportStatus,
        closed_on: date | None,
    ) -> bool:
        """Move a report on, if nobody moved it meanwhile; True if it changed."""
        changed = await tx.execute(
            "UPDATE reports SET status = ?, closed_on = ? WHERE id = ? AND status = ?",
            (target.value, closed_on.isoformat() if closed_on else None, report_id, current.value),
        )
        return changed > 0

    async def counts(self) -> dict[ReportStatus, int]:
        """How many reports are in each status."""
        rows = await self.db.fetchall("SELECT status, COUNT(*) AS n FROM reports GROUP BY status")
        found = {ReportStatus(r["status"]): int(r["n"]) for r in rows}
        return {status: found.get(status, 0) for status in ReportStatus}

    async def page(self, status: ReportStatus, offset: int, limit: int) -> list[ReportSummary]:
        """Reports in one status, newest first, with whether the reporter awaits an answer."""
        rows = await self.db.fetchall(
            """
            SELECT r.ref, r.category, r.unit, r.status, r.submitted_on,
                   (SELECT m.direction FROM report_messages m WHERE m.report_id = r.id
                    ORDER BY m.id DESC LIMIT 1) AS last_direction
            FROM reports r WHERE r.status = ?
            ORDER BY r.submitted_on DESC, r.ref LIMIT ? OFFSET ?
            """,
            (status.value, limit, offset),
        )
        return [
            ReportSummary(
                ref=r["ref"],
                category=Category(r["category"]),
                unit=r["unit"],
                status=ReportStatus(r["status"]),
                submitted_on=date.fromisoformat(r["submitted_on"]),
                awaiting_reply=r["last_direction"] == Direction.REPORTER.value,
            )
            for r in rows
        ]

    async def all(self) -> list[Report]:
        """Every report, newest first (for export)."""
        rows = await self.db.fetchall("SELECT * FROM reports ORDER BY submitted_on DESC, ref")
        return [_report(r) for r in rows]

    async def attachment_counts(self) -> dict[int, int]:
        """How many attachments each report has."""
        rows = await self.db.fetchall(
            "SELECT report_id, COUNT(*) AS n FROM report_attachments GROUP BY report_id"
        )
        return {r["report_id"]: int(r["n"]) for r in rows}

    async def audit(
        self,
        tx: Transaction,
        *,
        reviewer_id: int,
        action: str,
        ref: str,
        at: datetime,
        detail: str | None = None,
    ) -> None:
        """Record what a reviewer did (the ref outlives the report; no content is copied)."""
        await tx.execute(
            "INSERT INTO report_audit (at, reviewer_id, action, report_ref, detail) "
            "VALUES (?, ?, ?, ?, ?)",
            (to_db_time(at), reviewer_id, action, ref, detail),
        )

    # -- jobs ------------------------------------------------------------------------------

    async def unnotified(self) -> list[tuple[int, Category]]:
        """Reports reviewers have not been told about yet: (id, category)."""
        rows = await self.db.fetchall(
            "SELECT id, category FROM reports WHERE notified = 0 ORDER BY id"
        )
        return [(r["id"], Category(r["category"])) for r in rows]

    async def mark_notified(self, report_ids: Sequence[int]) -> None:
        """Reviewers have been told about these reports."""
        async with self.db.transaction() as tx:
            await tx.executemany(
                "UPDATE reports SET notified = 1 WHERE id = ?", [(i,) for i in report_ids]
            )

    async def purge_closed_before(self, cutoff: date) -> list[str]:
        """Delete reports that ended before `cutoff` (with their attachments, thread and notes)."""
        finals = sorted(s.value for s in FINAL_STATUSES)
        marks = ", ".join("?" * len(finals))
        async with self.db.transaction() as tx:
            rows = await tx.fetchall(
                f"SELECT id, ref FROM reports WHERE status IN ({marks}) AND closed_on < ?",
                (*finals, cutoff.isoformat()),
            )
            # Foreign keys cascade to attachments, messages and notes; secure_delete (set on
            # every connection) overwrites the freed content instead of leaving it in free pages.
            await tx.executemany("DELETE FROM reports WHERE id = ?", [(r["id"],) for r in rows])
        if rows:
            await self.db.checkpoint()
        return [r["ref"] for r in rows]
