"""Anonymous reports: filing, checking with a receipt code, the reviewers' workflow, retention.

The promise to the reporter is kept here: nothing this service stores or logs says who sent a
report. It never receives a Telegram id for a report, only an opaque in-memory sender key for
the abuse limits, and it writes no log line when a report is filed or looked up (a timestamped
log line would give away the time of day that the database deliberately does not keep).
"""

from __future__ import annotations

import logging
import os
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from pathlib import Path

from bot.config import Config, ConfigError
from bot.domain.reports import (
    FINAL_STATUSES,
    AttemptLimiter,
    Category,
    DailyLimiter,
    Direction,
    Draft,
    ReceiptCode,
    Report,
    ReportMessage,
    ReportNote,
    ReportStatus,
    ReportSummary,
    SenderKeys,
    can_move,
    count_categories,
    local_date,
    new_ref,
    retention_cutoff,
)
from bot.domain.reports import Attachment as AttachmentValue
from bot.storage.database import Database
from bot.storage.reports import ReportRepository

log = logging.getLogger(__name__)

SECRET_FILE = "report_secret"
_UNIQUE_TRIES = 5


class SecretError(ConfigError):
    """The receipt secret cannot be read or created; one line naming the file."""


def resolve_receipt_secret(config: Config) -> bytes:
    """The HMAC secret: config or REPORT_SECRET, else a file beside the database (made once)."""
    if config.reports.receipt_secret:
        if len(config.reports.receipt_secret) < 32:
            log.warning("the receipt secret is short; use at least 32 random characters")
        return config.reports.receipt_secret.encode()
    if str(config.storage_path) == ":memory:":
        # A throw-away database needs no lasting secret.
        return secrets.token_bytes(32)
    path = Path(config.storage_path).parent / SECRET_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: two processes starting at once cannot both write a different secret.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            value = path.read_text(encoding="ascii").strip()
            if not value:
                raise SecretError(f"{path}: empty receipt secret file") from None
            if path.stat().st_mode & 0o077:
                log.warning("%s is readable by other users; restrict it with chmod 600", path)
            return value.encode()
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        log.info("generated a new receipt secret in %s (keep it with your backups)", path)
        return path.read_text(encoding="ascii").strip().encode()
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretError(f"{path}: cannot read or create the receipt secret: {exc}") from None


@dataclass(frozen=True)
class Submitted:
    """A stored report and the code shown to its reporter once."""

    ref: str
    code: ReceiptCode


class LookupOutcome(Enum):
    """What a typed receipt code led to."""

    FOUND = "found"
    MALFORMED = "malformed"  # not 16 characters of the alphabet: a typo, not counted
    WRONG = "wrong"  # well-formed but unknown: counted towards a lock-out
    LOCKED = "locked"  # too many wrong codes: wait


@dataclass(frozen=True)
class Lookup:
    """The result of a receipt-code lookup."""

    outcome: LookupOutcome
    report: Report | None = None
    wait: timedelta | None = None


@dataclass(frozen=True)
class ReportView:
    """Everything a reviewer sees of one report."""

    report: Report
    attachments: list[AttachmentValue]
    notes: list[ReportNote]
    messages: list[ReportMessage]


@dataclass(frozen=True)
class ExportRow:
    """One report in the reviewers' export."""

    report: Report
    attachments: int


class ReportService:
    """Use cases for reporters, reviewers and the report jobs; no Telegram types."""

    def __init__(self, config: Config, db: Database) -> None:
        self.config = config
        self.db = db
        self.repo = ReportRepository(db)
        self.senders = SenderKeys()
        self.daily = DailyLimiter(config.reports.max_per_day)
        self.attempts = AttemptLimiter()
        self._secret: bytes | None = None

    def open(self) -> None:
        """Load (or create) the receipt secret now, so a problem stops start-up."""
        self._secret = resolve_receipt_secret(self.config)

    @property
    def secret(self) -> bytes:
        """The HMAC secret for receipt codes."""
        if self._secret is None:
            self.open()
        assert self._secret is not None
        return self._secret

    def today(self, now: datetime) -> date:
        """The bureau's calendar date at `now`."""
        return local_date(now, self.config.timezone)

    # -- reporters -------------------------------------------------------------------------

    async def _settle(self) -> None:
        """Checkpoint after a reporter's write (see below)."""
        # Until a checkpoint, the WAL keeps commits in order: a reporter's commit between two
        # timestamped commits (a member's answer, a join) would date it to the minute.
        await self.db.checkpoint()

    def sender(self, user_id: int) -> str:
        """The opaque in-memory key the abuse limits count by."""
        return self.senders.key(user_id)

    def may_submit(self, sender: str, now: datetime) -> bool:
        """Whether this sender is still under today's report limit."""
        return self.daily.allows(sender, self.today(now))

    async def submit(self, draft: Draft, sender: str, now: datetime) -> Submitted | None:
        """Store a finished draft; None if the sender reached today's limit."""
        if draft.category is None or draft.unit is None or not draft.body:
            raise ValueError("incomplete draft")
        today = self.today(now)
        if not self.daily.allows(sender, today):
            return None
        for attempt in range(_UNIQUE_TRIES):
            code, ref = ReceiptCode.generate(), new_ref()
            try:
                async with self.db.transaction() as tx:
                    await self.repo.insert(
                        tx,
                        ref=ref,
                        receipt_hash=code.digest(self.secret),
                        category=draft.category,
                        unit=draft.unit,
                        body=draft.body,
                        attachments=draft.attachments,
                        submitted_on=today,
                    )
            except sqlite3.IntegrityError:
                # A reference (30 bits) collided: draw again. Nothing about the report is logged.
                if attempt == _UNIQUE_TRIES - 1:
                    raise
                continue
            self.daily.record(sender, today)
            await self._settle()
            return Submitted(ref, code)
        raise AssertionError("unreachable")

    async def lookup(self, typed: str, sender: str, now: datetime) -> Lookup:
        """Find a report by what the reporter typed, under the wrong-code limit."""
        wait = self.attempts.locked_for(sender, now)
        if wait is not None:
            return Lookup(LookupOutcome.LOCKED, wait=wait)
        code = ReceiptCode.parse(typed)
        if code is None:
            return Lookup(LookupOutcome.MALFORMED)
        report = await self.repo.by_receipt(code.digest(self.secret))
        if report is None:
            lock = self.attempts.failed(sender, now)
            outcome = LookupOutcome.LOCKED if lock else LookupOutcome.WRONG
            return Lookup(outcome, wait=lock)
        return Lookup(LookupOutcome.FOUND, report)

    async def thread(self, report_id: int) -> list[ReportMessage]:
        """Messages between reviewers and the reporter."""
        return await self.repo.messages(report_id)

    async def add_information(self, report_id: int, body: str, now: datetime) -> bool:
        """The reporter adds a message (dated only); False if the report is gone."""
        if await self.repo.get(report_id) is None:
            return False
        async with self.db.transaction() as tx:
            await self.repo.add_message(tx, report_id, Direction.REPORTER, body, self.today(now))
        await self._settle()
        return True

    # -- reviewers -------------------------------------------------------------------------

    async def counts(self) -> dict[ReportStatus, int]:
        """Reports per status."""
        return await self.repo.counts()

    async def page(self, status: ReportStatus, offset: int, limit: int) -> list[ReportSummary]:
        """One page of the list for a status."""
        return await self.repo.page(status, offset, limit)

    async def view(self, ref: str) -> ReportView | None:
        """A report with attachments, notes and thread."""
        report = await self.repo.by_ref(ref)
        if report is None:
            return None
        return ReportView(
            report,
            await self.repo.attachments(report.id),
            await self.repo.notes(report.id),
            await self.repo.messages(report.id),
        )

    async def record(
        self, reviewer_id: int, action: str, ref: str, now: datetime, detail: str | None = None
    ) -> None:
        """Write one reviewer action to the audit log."""
        async with self.db.transaction() as tx:
            await self.repo.audit(
                tx, reviewer_id=reviewer_id, action=action, ref=ref, at=now, detail=detail
            )

    async def open_report(self, ref: str, reviewer_id: int, now: datetime) -> ReportView | None:
        """A reviewer opens a report (audited)."""
        view = await self.view(ref)
        if view is not None:
            await self.record(reviewer_id, "open", ref, now)
        return view

    async def set_status(
        self, ref: str, target: ReportStatus, reviewer_id: int, now: datetime
    ) -> Report | None:
        """Move a report to `target` if that move is allowed now; the report after, or None."""
        report = await self.repo.by_ref(ref)
        if report is None or not can_move(report.status, target):
            return None
        closed_on = self.today(now) if target in FINAL_STATUSES else None
        async with self.db.transaction() as tx:
            if not await self.repo.set_status(tx, report.id, report.status, target, closed_on):
                return None
            await self.repo.audit(
                tx,
                reviewer_id=reviewer_id,
                action="status",
                ref=ref,
                at=now,
                detail=f"{report.status.value}->{target.value}",
            )
        return await self.repo.by_ref(ref)

    async def add_note(self, ref: str, reviewer_id: int, body: str, now: datetime) -> bool:
        """An internal note (audited without its text); False if the report is gone."""
        report = await self.repo.by_ref(ref)
        if report is None:
            return False
        async with self.db.transaction() as tx:
            await self.repo.add_note(tx, report.id, reviewer_id, body, now)
            await self.repo.audit(tx, reviewer_id=reviewer_id, action="note", ref=ref, at=now)
        return True

    async def reply(self, ref: str, reviewer_id: int, body: str, now: datetime) -> bool:
        """A message to the reporter, read at /status (audited without its text)."""
        report = await self.repo.by_ref(ref)
        if report is None:
            return False
        async with self.db.transaction() as tx:
            await self.repo.add_message(tx, report.id, Direction.REVIEWER, body, self.today(now))
            await self.repo.audit(tx, reviewer_id=reviewer_id, action="message", ref=ref, at=now)
        return True

    async def export(self, reviewer_id: int, now: datetime) -> list[ExportRow]:
        """Every report for an offline list (audited)."""
        reports = await self.repo.all()
        counts = await self.repo.attachment_counts()
        await self.record(reviewer_id, "export", "*", now, detail=f"{len(reports)} reports")
        return [ExportRow(r, counts.get(r.id, 0)) for r in reports]

    # -- jobs ------------------------------------------------------------------------------

    async def pending_notice(self) -> tuple[list[int], list[tuple[Category, int]]]:
        """Reports reviewers have not heard of: their ids, and counts per category."""
        pending = await self.repo.unnotified()
        return [i for i, _ in pending], count_categories(c for _, c in pending)

    async def mark_notified(self, report_ids: list[int]) -> None:
        """Reviewers have heard of these."""
        await self.repo.mark_notified(report_ids)

    async def purge(self, now: datetime) -> int:
        """Delete reports that ended more than retention_days ago; return how many."""
        cutoff = retention_cutoff(self.today(now), self.config.reports.retention_days)
        return len(await self.repo.purge_closed_before(cutoff))
