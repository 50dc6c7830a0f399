"""Values the report service hands out and keeps in memory (no Telegram types)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum

from bot.domain.reports import Attachment as AttachmentValue
from bot.domain.reports import (
    Category,
    Draft,
    ReceiptCode,
    Report,
    ReportMessage,
    ReportNote,
)


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


@dataclass(frozen=True)
class DayCounts:
    """What leaders who are not reviewers see: counts as of the end of a past day."""

    as_of: date
    received: int
    open: int
    ended: int


@dataclass(frozen=True)
class Announcement:
    """What an hourly batch made visible, and the report-flow problems since the last one."""

    reports: int
    categories: list[tuple[Category, int]]
    information: int
    problems: int


@dataclass(frozen=True)
class TickResult:
    """What one write tick stored, with whom to tell (opaque to this service), and the batch."""

    reports: list[tuple[object, Submitted]]
    information: list[tuple[object, bool]]  # False: the report was gone
    announcement: Announcement | None
    # Queued items that could not be written (each in its own savepoint): their reporters
    # are told it was not stored; the other items of the tick are stored.
    unstored: list[object] = field(default_factory=list)


@dataclass
class _Written:
    """What one tick's transaction wrote (and could not write)."""

    stored: list[tuple[object, Submitted]] = field(default_factory=list)
    added: list[tuple[object, bool]] = field(default_factory=list)
    unstored: list[object] = field(default_factory=list)
    announced: tuple[list[Category], int] | None = None


@dataclass
class _QueuedReport:
    draft: Draft
    submitted_on: date
    reply_to: object


@dataclass
class _QueuedInformation:
    report_id: int
    body: str = field(repr=False)
    sent_on: date = field(repr=False)
    reply_to: object = field(repr=False)
