"""Callback data of anonymous reports: the reporter's buttons and the reviewers'.

The reporter's buttons carry no report id: the draft and the report found with a receipt code
stay in the conversation's memory. Reviewer buttons carry the report's random reference."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from bot.domain.reports import Category, ReportStatus
from bot.tg.callbacks.base import CallbackData


@dataclasses.dataclass(frozen=True)
class ReportCategory(CallbackData):
    """/report: the category chosen."""

    prefix: ClassVar[str] = "rpc"
    category: Category


@dataclasses.dataclass(frozen=True)
class ReportUnit(CallbackData):
    """/report: the unit chosen (a department id, or "*" to type another unit)."""

    prefix: ClassVar[str] = "rpu"
    unit: str


@dataclasses.dataclass(frozen=True)
class ReportAttachDone(CallbackData):
    """/report: no (more) attachments; show the preview."""

    prefix: ClassVar[str] = "rpd"


@dataclasses.dataclass(frozen=True)
class ReportConfirm(CallbackData):
    """/report preview: submit, or drop the draft."""

    prefix: ClassVar[str] = "rpk"
    send: bool


@dataclasses.dataclass(frozen=True)
class ReportAddInfo(CallbackData):
    """/status: add information to the report just looked up."""

    prefix: ClassVar[str] = "rpa"


@dataclasses.dataclass(frozen=True)
class ReportReceiptDone(CallbackData):
    """The receipt: 已抄写, delete this message (the code is nowhere else)."""

    prefix: ClassVar[str] = "rpr"


@dataclasses.dataclass(frozen=True)
class ReportCleanup(CallbackData):
    """After a report or a /status: delete the messages of that conversation from the chat."""

    prefix: ClassVar[str] = "rpz"
    keep: bool  # keep the message the button is on (the receipt, until 已抄写)


@dataclasses.dataclass(frozen=True)
class ReportsHome(CallbackData):
    """Reviewers: the /reports overview."""

    prefix: ClassVar[str] = "rvh"


@dataclasses.dataclass(frozen=True)
class ReportsList(CallbackData):
    """Reviewers: a page of the reports in one status."""

    prefix: ClassVar[str] = "rvl"
    status: ReportStatus
    offset: int


@dataclasses.dataclass(frozen=True)
class ReportOpen(CallbackData):
    """Reviewers: open a report's card (and receive its attachments)."""

    prefix: ClassVar[str] = "rvo"
    ref: str


@dataclasses.dataclass(frozen=True)
class ReportMedia(CallbackData):
    """Reviewers: send a report's attachments and full text again."""

    prefix: ClassVar[str] = "rvf"
    ref: str


@dataclasses.dataclass(frozen=True)
class ReportSetStatus(CallbackData):
    """Reviewers: move a report to another status."""

    prefix: ClassVar[str] = "rvs"
    ref: str
    status: ReportStatus


@dataclasses.dataclass(frozen=True)
class ReportNote(CallbackData):
    """Reviewers: write an internal note on a report."""

    prefix: ClassVar[str] = "rvn"
    ref: str


@dataclasses.dataclass(frozen=True)
class ReportReply(CallbackData):
    """Reviewers: write a message the reporter reads at /status."""

    prefix: ClassVar[str] = "rvm"
    ref: str


@dataclasses.dataclass(frozen=True)
class ReportExport(CallbackData):
    """Reviewers: a CSV of all reports, without identity."""

    prefix: ClassVar[str] = "rvx"


@dataclasses.dataclass(frozen=True)
class ReviewerConfirm(CallbackData):
    """Reviewers: confirm (or decline) an admin's proposal to make a member a reviewer."""

    prefix: ClassVar[str] = "rvc"
    user_id: int
    accept: bool


# The reporter's own buttons (the rest of this module is the reviewers'): a press of one is a
# reporter's update under any version of the callback data, so the gate writes nothing.
REPORTER_BUTTONS: tuple[type[CallbackData], ...] = (
    ReportCategory,
    ReportUnit,
    ReportAttachDone,
    ReportConfirm,
    ReportAddInfo,
    ReportReceiptDone,
    ReportCleanup,
)
