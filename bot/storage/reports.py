"""Reports, their attachments, threads, notes and the reviewers' audit log (migrations 4, 6).

Every column written here is listed in migrations 4 and 6; none can hold who sent a report.
Dates are ISO `YYYY-MM-DD` in the bureau's time zone; only reviewer notes and the audit log
carry a time, because they record what reviewers did. Report ids are random and the child
tables have no rowid, so no sequence orders a reporter's write among other rows. Reviewers'
reads see only what the hourly batch announced (`reports.notified`, `report_messages.announced`).
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


# Reporters' additions are numbered above this until the batch that announces them.
PENDING_SEQ = 1 << 40


class ReportRepository:
    """Reports and everything attached to them."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- reporter side ---------------------------------------------------------------------

    async def taken(self, tx: Transaction, report_id: int, ref: str, receipt_hash: str) -> bool:
        """Whether a freshly drawn id, reference or receipt hash is already in use."""
        row = await tx.fetchone(
            "SELECT 1 FROM reports WHERE id = ? OR ref = ? OR receipt_hash = ?",
            (report_id, ref, receipt_hash),
        )
        return row is not None

    async def insert(
        self,
        tx: Transaction,
        *,
        report_id: int,
        ref: str,
        receipt_hash: str,
        category: Category,
        unit: str,
        body: str,
        attachments: Sequence[Attachment],
        submitted_on: date,
    ) -> None:
        """Store a new report (not yet announced) with its attachments."""
        await tx.execute(
            "INSERT INTO reports (id, ref, receipt_hash, category, unit, body, submitted_on) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (report_id, ref, receipt_hash, category.value, unit, body, submitted_on.isoformat()),
        )
        await tx.executemany(
            "INSERT INTO report_attachments (report_id, position, kind, file_id, sanitized) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (report_id, i, a.kind.value, a.file_id, int(a.sanitized))
                for i, a in enumerate(attachments)
            ],
        )

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

    async def exists(self, tx: Transaction, report_id: int) -> bool:
        """Whether a report is still there (retention may have deleted it)."""
        return await tx.fetchone("SELECT 1 FROM reports WHERE id = ?", (report_id,)) is not None

    async def add_message(
        self,
        tx: Transaction,
        report_id: int,
        direction: Direction,
        body: str,
        sent_on: date,
        *,
        announced: bool,
    ) -> None:
        """Append a message to a report's thread (numbered within that report only).

        A message not yet announced (a reporter's addition) takes a provisional number above
        PENDING_SEQ; the batch that announces it gives it its place after every message already
        in the thread (`announce`), so the thread does not show which tick stored it.
        """
        if announced:
            seq = "(SELECT COALESCE(MAX(seq), 0) + 1 FROM report_messages "
            seq += f"WHERE report_id = ? AND seq < {PENDING_SEQ})"
        else:
            seq = f"(SELECT COALESCE(MAX(seq), {PENDING_SEQ}) + 1 FROM report_messages "
            seq += f"WHERE report_id = ? AND seq > {PENDING_SEQ})"
        await tx.execute(
            "INSERT INTO report_messages (report_id, seq, direction, body, sent_on, announced) "
            f"VALUES (?, {seq}, ?, ?, ?, ?)",
            (report_id, report_id, direction.value, body, sent_on.isoformat(), int(announced)),
        )

    async def messages(self, report_id: int, *, announced_only: bool) -> list[ReportMessage]:
        """A report's thread, oldest first (reviewers: only what a batch announced)."""
        only = " AND announced = 1" if announced_only else ""
        rows = await self.db.fetchall(
            f"SELECT * FROM report_messages WHERE report_id = ?{only} ORDER BY seq", (report_id,)
        )
        return [
            ReportMessage(Direction(r["direction"]), r["body"], date.fromisoformat(r["sent_on"]))
            for r in rows
        ]

    # -- reviewer side ---------------------------------------------------------------------

    async def by_ref(self, ref: str) -> Report | None:
        """One announced report by its reviewers' reference (unannounced ones are not there)."""
        row = await self.db.fetchone("SELECT * FROM reports WHERE ref = ? AND notified = 1", (ref,))
        return _report(row) if row else None

    async def attachments(self, report_id: int) -> list[Attachment]:
        """A report's attachments in the order they were sent."""
        rows = await self.db.fetchall(
            "SELECT kind, file_id, sanitized FROM report_attachments WHERE report_id = ? "
            "ORDER BY position",
            (report_id,),
        )
        return [
            Attachment(AttachmentKind(r["kind"]), r["file_id"], bool(r["sanitized"])) for r in rows
        ]

    async def replace_attachment(self, report_id: int, position: int, file_id: str) -> None:
        """Keep the re-sent copy without name or metadata in place of what the reporter sent."""
        await self.db.execute(
            "UPDATE report_attachments SET file_id = ?, sanitized = 1 "
            "WHERE report_id = ? AND position = ?",
            (file_id, report_id, position),
        )

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
        """How many announced reports are in each status."""
        rows = await self.db.fetchall(
            "SELECT status, COUNT(*) AS n FROM reports WHERE notified = 1 GROUP BY status"
        )
        found = {ReportStatus(r["status"]): int(r["n"]) for r in rows}
        return {status: found.get(status, 0) for status in ReportStatus}

    async def page(self, status: ReportStatus, offset: int, limit: int) -> list[ReportSummary]:
        """Reports in one status, newest first, with whether the reporter awaits an answer."""
        rows = await self.db.fetchall(
            """
            SELECT r.ref, r.category, r.unit, r.status, r.submitted_on,
                   (SELECT m.direction FROM report_messages m
                    WHERE m.report_id = r.id AND m.announced = 1
                    ORDER BY m.seq DESC LIMIT 1) AS last_direction
            FROM reports r WHERE r.status = ? AND r.notified = 1
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
        """Every announced report, newest first (for export)."""
        rows = await self.db.fetchall(
            "SELECT * FROM reports WHERE notified = 1 ORDER BY submitted_on DESC, ref"
        )
        return [_report(r) for r in rows]

    async def day_counts(self, as_of: date) -> tuple[int, int, int]:
        """Reports received by the end of `as_of`: (received, open on that day, ended by then)."""
        row = await self.db.fetchone(
            """
            SELECT COUNT(*),
                   TOTAL(closed_on IS NULL OR closed_on > :day),
                   TOTAL(closed_on IS NOT NULL AND closed_on <= :day)
            FROM reports WHERE notified = 1 AND submitted_on <= :day
            """,
            {"day": as_of.isoformat()},
        )
        assert row is not None
        return int(row[0]), int(row[1]), int(row[2])

    async def open_on(self, as_of: date) -> list[tuple[str, ReportStatus, date]]:
        """Announced reports open on `as_of`: (ref, status now, received on), oldest first."""
        rows = await self.db.fetchall(
            """
            SELECT ref, status, submitted_on FROM reports
            WHERE notified = 1 AND submitted_on <= :day
              AND ((closed_on IS NULL AND status IN ('new', 'checking')) OR closed_on > :day)
            ORDER BY submitted_on, ref
            """,
            {"day": as_of.isoformat()},
        )
        return [
            (r["ref"], ReportStatus(r["status"]), date.fromisoformat(r["submitted_on"]))
            for r in rows
        ]

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

    async def announce(self, tx: Transaction) -> tuple[list[Category], int]:
        """Make everything stored since the last batch visible: new reports' categories, and
        how many reporter messages joined existing threads."""
        rows = await tx.fetchall("SELECT category FROM reports WHERE notified = 0")
        info = await tx.fetchone(
            "SELECT COUNT(*) FROM report_messages m JOIN reports r ON r.id = m.report_id "
            "WHERE m.announced = 0 AND r.notified = 1"
        )
        await tx.execute("UPDATE reports SET notified = 1 WHERE notified = 0")
        # Each addition takes its place now, after every message of its thread so far.
        pending = await tx.fetchall(
            "SELECT report_id, seq FROM report_messages WHERE announced = 0 ORDER BY report_id, seq"
        )
        for row in pending:
            await tx.execute(
                "UPDATE report_messages SET announced = 1, seq = (SELECT COALESCE(MAX(seq), 0) "
                f"+ 1 FROM report_messages WHERE report_id = ? AND seq < {PENDING_SEQ}) "
                "WHERE report_id = ? AND seq = ?",
                (row["report_id"], row["report_id"], row["seq"]),
            )
        return [Category(r["category"]) for r in rows], int(info[0]) if info else 0

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
