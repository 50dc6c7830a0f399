"""Anonymous reports: filing, checking with a receipt code, the reviewers' workflow, retention.

The promise to the reporter is kept here: nothing this service stores or logs says who sent a
report, or when more closely than the write tick. It never receives a Telegram id for a report,
only an opaque in-memory sender key for the abuse limits; it writes no log line when a report is
filed or looked up (a timestamped log line would give away the time of day that the database
deliberately does not keep); and it writes reporters' rows only at the fixed-time ticks.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from bot.config import Config
from bot.domain.reports import (
    FINAL_STATUSES,
    AttemptLimiter,
    DailyLimiter,
    Direction,
    Draft,
    ReceiptCode,
    Report,
    ReportMessage,
    ReportStatus,
    ReportSummary,
    SenderKeys,
    can_move,
    count_categories,
    last_boundary,
    local_date,
    new_ref,
    new_report_id,
    next_boundary,
    retention_cutoff,
)
from bot.services.report_secret import SECRET_FILE, SecretError, resolve_receipt_secret
from bot.services.report_values import (
    Announcement,
    DayCounts,
    ExportRow,
    Lookup,
    LookupOutcome,
    ReportView,
    Submitted,
    TickResult,
    _QueuedInformation,
    _QueuedReport,
    _Written,
)
from bot.storage.database import Database, Transaction
from bot.storage.reports import ReportRepository

__all__ = [
    "SECRET_FILE",
    "Announcement",
    "DayCounts",
    "ExportRow",
    "Lookup",
    "LookupOutcome",
    "ReportService",
    "ReportView",
    "SecretError",
    "Submitted",
    "TickResult",
    "resolve_receipt_secret",
]

_RANDOM = secrets.SystemRandom()  # the order a tick writes its queue in


class ReportService:
    """Use cases for reporters, reviewers and the report jobs; no Telegram types.

    Reporters' writes wait in memory (`queue_report`, `queue_information`) and are written by
    `tick` at fixed clock times, together with the heartbeat every tick writes, so the files
    change the same way whether or not anyone filed. Reviewers' reads show only what the last
    batch announced. `reply_to` is whatever the caller needs to answer the reporter; it stays
    in memory and this service never looks inside it.
    """

    def __init__(self, config: Config, db: Database) -> None:
        self.config = config
        self.db = db
        self._repo = ReportRepository(db)
        self.senders = SenderKeys()
        self.daily = DailyLimiter(config.reports.max_per_day)
        self.attempts = AttemptLimiter()
        self.write_every = timedelta(minutes=config.reports.write_every_minutes)
        self.announce_every: timedelta | None = timedelta(hours=1)
        self._secret: bytes | None = None
        self._reports: list[_QueuedReport] = []
        self._information: list[_QueuedInformation] = []
        self._announced: datetime | None = None
        self._held: dict[str, list[object]] = {}
        self._problems = 0

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

    def start_batches(self, now: datetime, every: timedelta | None) -> None:
        """Announce at every `every` boundary from now on (the full hour in production), or at
        every tick when `every` is None (the demo)."""
        self.announce_every = every
        self._announced = None if every is None else last_boundary(now, every)

    def next_write(self, now: datetime) -> datetime:
        """When the next tick writes what is queued now."""
        return next_boundary(now, self.write_every)

    # -- reporters -------------------------------------------------------------------------

    def sender(self, user_id: int) -> str:
        """The opaque in-memory key the abuse limits count by."""
        return self.senders.key(user_id)

    def may_submit(self, sender: str, now: datetime) -> bool:
        """Whether this sender is still under today's report limit."""
        return self.daily.allows(sender, self.today(now))

    def queue_report(self, draft: Draft, sender: str, now: datetime, reply_to: object) -> bool:
        """Queue a finished draft for the next tick; False if the sender reached today's limit."""
        if draft.category is None or draft.unit is None or not draft.body:
            raise ValueError("incomplete draft")
        today = self.today(now)
        if not self.daily.allows(sender, today):
            return False
        self.daily.record(sender, today)
        copy = Draft(draft.category, draft.unit, draft.body, list(draft.attachments))
        self._reports.append(_QueuedReport(copy, today, reply_to))
        return True

    def queue_information(self, report_id: int, body: str, now: datetime, reply_to: object) -> None:
        """Queue the reporter's added information for the next tick (dated only)."""
        self._information.append(_QueuedInformation(report_id, body, self.today(now), reply_to))

    async def _store(self, tx: Transaction, queued: _QueuedReport) -> Submitted:
        draft = queued.draft
        assert draft.category is not None
        assert draft.unit is not None
        while True:
            # Random id, reference and code; drawn again in the (astronomically rare) clash, so
            # one clash never rolls back the other writes of the tick.
            report_id, ref, code = new_report_id(), new_ref(), ReceiptCode.generate()
            digest = code.digest(self.secret)
            if not await self._repo.taken(tx, report_id, ref, digest):
                break
        await self._repo.insert(
            tx,
            report_id=report_id,
            ref=ref,
            receipt_hash=digest,
            category=draft.category,
            unit=draft.unit,
            body=draft.body,
            attachments=draft.attachments,
            submitted_on=queued.submitted_on,
        )
        return Submitted(ref, code)

    async def tick(self, now: datetime) -> TickResult:
        """Write everything queued, in the write every tick makes; announce at a batch boundary.

        If the write fails, nothing is stored and the queue waits for the next tick (its
        reporters have no code yet, and were told that no code means not saved). Each item is
        written in its own savepoint: one that cannot be written is dropped from the queue and
        counted, its reporter is told (`unstored`), and the others are stored.
        """
        reports, self._reports = self._reports, []
        information, self._information = self._information, []
        # Written in a random order: the order of inserts shows in the file (the overflow pages
        # of long texts are allocated as rows are written), and must not be the order in which
        # reporters confirmed within the tick window.
        _RANDOM.shuffle(reports)
        _RANDOM.shuffle(information)
        every = self.announce_every
        boundary = now if every is None else last_boundary(now, every)
        announce = every is None or self._announced is None or boundary > self._announced

        async def work(tx: Transaction) -> _Written:
            written = _Written()
            for q in reports:
                try:
                    async with tx.savepoint():
                        written.stored.append((q.reply_to, await self._store(tx, q)))
                except Exception:  # this item only: the others are still written
                    written.unstored.append(q.reply_to)
            for addition in information:
                try:
                    async with tx.savepoint():
                        there = await self._repo.exists(tx, addition.report_id)
                        if there:
                            await self._repo.add_message(
                                tx,
                                addition.report_id,
                                Direction.REPORTER,
                                addition.body,
                                addition.sent_on,
                                announced=False,
                            )
                    written.added.append((addition.reply_to, there))
                except Exception:
                    written.unstored.append(addition.reply_to)
            written.announced = await self._repo.announce(tx) if announce else None
            return written

        # Dequeued as soon as the first transaction commits: a failure after it (the second
        # heartbeat, a checkpoint) must not write the same reports again at the next tick.
        committed: list[_Written] = []
        try:
            written = await self.db.tick(work, committed.append)
        except Exception:
            self._problems += 1
            if not committed:
                self._reports[:0] = reports
                self._information[:0] = information
                return TickResult([], [], None)
            written = committed[0]
        self._problems += len(written.unstored)
        announcement = None
        if written.announced is not None:
            self._announced = boundary
            categories, infos = written.announced
            announcement = Announcement(
                len(categories), count_categories(categories), infos, self._problems
            )
            self._problems = 0
        return TickResult(written.stored, written.added, announcement, written.unstored)

    def problem(self) -> None:
        """Count a problem in the report flow (reported as a number at the next batch)."""
        self._problems += 1

    def hold(self, sender: str, item: object) -> None:
        """Keep a reply that could not be sent until this sender writes again (memory only)."""
        self._held.setdefault(sender, []).append(item)

    @property
    def holding(self) -> bool:
        """Whether any reply waits for its reporter to write again."""
        return bool(self._held)

    def take_held(self, sender: str) -> list[object]:
        """The replies kept for this sender, removed from memory."""
        return self._held.pop(sender, []) if self._held else []

    async def lookup(self, typed: str, sender: str, now: datetime) -> Lookup:
        """Find a report by what the reporter typed, under the wrong-code limit."""
        wait = self.attempts.locked_for(sender, now)
        if wait is not None:
            return Lookup(LookupOutcome.LOCKED, wait=wait)
        code = ReceiptCode.parse(typed)
        if code is None:
            return Lookup(LookupOutcome.MALFORMED)
        report = await self._repo.by_receipt(code.digest(self.secret))
        if report is None:
            lock = self.attempts.failed(sender, now)
            outcome = LookupOutcome.LOCKED if lock else LookupOutcome.WRONG
            return Lookup(outcome, wait=lock)
        return Lookup(LookupOutcome.FOUND, report)

    async def thread(self, report_id: int) -> list[ReportMessage]:
        """The whole thread as its reporter sees it (their own additions included)."""
        return await self._repo.messages(report_id, announced_only=False)

    # -- reviewers -------------------------------------------------------------------------

    async def counts(self) -> dict[ReportStatus, int]:
        """Announced reports per status."""
        return await self._repo.counts()

    async def day_counts(self, now: datetime) -> DayCounts:
        """Leaders' counts: as of the end of yesterday, so they never move within a day."""
        yesterday = self.today(now) - timedelta(days=1)
        received, still_open, ended = await self._repo.day_counts(yesterday)
        return DayCounts(yesterday, received, still_open, ended)

    async def page(self, status: ReportStatus, offset: int, limit: int) -> list[ReportSummary]:
        """One page of the list for a status (announced reports and messages only)."""
        return await self._repo.page(status, offset, limit)

    async def view(self, ref: str) -> ReportView | None:
        """An announced report with attachments, notes and the announced thread."""
        report = await self._repo.by_ref(ref)
        if report is None:
            return None
        return ReportView(
            report,
            await self._repo.attachments(report.id),
            await self._repo.notes(report.id),
            await self._repo.messages(report.id, announced_only=True),
        )

    async def keep_sanitized(self, report: Report, position: int, file_id: str) -> None:
        """Store the re-sent copy of an attachment (neutral name, no metadata) in its place."""
        await self._repo.replace_attachment(report.id, position, file_id)

    async def record(
        self, reviewer_id: int, action: str, ref: str, now: datetime, detail: str | None = None
    ) -> None:
        """Write one reviewer action to the audit log."""
        async with self.db.transaction() as tx:
            await self._repo.audit(
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
        report = await self._repo.by_ref(ref)
        if report is None or not can_move(report.status, target):
            return None
        closed_on = self.today(now) if target in FINAL_STATUSES else None
        async with self.db.transaction() as tx:
            if not await self._repo.set_status(tx, report.id, report.status, target, closed_on):
                return None
            await self._repo.audit(
                tx,
                reviewer_id=reviewer_id,
                action="status",
                ref=ref,
                at=now,
                detail=f"{report.status.value}->{target.value}",
            )
        return await self._repo.by_ref(ref)

    async def add_note(self, ref: str, reviewer_id: int, body: str, now: datetime) -> bool:
        """An internal note (audited without its text); False if the report is gone."""
        report = await self._repo.by_ref(ref)
        if report is None:
            return False
        async with self.db.transaction() as tx:
            await self._repo.add_note(tx, report.id, reviewer_id, body, now)
            await self._repo.audit(tx, reviewer_id=reviewer_id, action="note", ref=ref, at=now)
        return True

    async def reply(self, ref: str, reviewer_id: int, body: str, now: datetime) -> bool:
        """A message to the reporter, read at /status (audited without its text)."""
        report = await self._repo.by_ref(ref)
        if report is None:
            return False
        async with self.db.transaction() as tx:
            await self._repo.add_message(
                tx, report.id, Direction.REVIEWER, body, self.today(now), announced=True
            )
            await self._repo.audit(tx, reviewer_id=reviewer_id, action="message", ref=ref, at=now)
        return True

    async def export(self, reviewer_id: int, now: datetime) -> list[ExportRow]:
        """Every announced report for an offline list (audited, without a count: two counts
        at two audited times would show a report arriving in between)."""
        reports = await self._repo.all()
        counts = await self._repo.attachment_counts()
        await self.record(reviewer_id, "export", "*", now)
        return [ExportRow(r, counts.get(r.id, 0)) for r in reports]

    # -- jobs ------------------------------------------------------------------------------

    async def purge(self, now: datetime) -> int:
        """Delete reports that ended more than retention_days ago; return how many."""
        cutoff = retention_cutoff(self.today(now), self.config.reports.retention_days)
        return len(await self._repo.purge_closed_before(cutoff))
