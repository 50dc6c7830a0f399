"""Typed, versioned callback data: `v1:<prefix>:<field>:<field>…`, at most 64 bytes."""

from __future__ import annotations

import dataclasses
import re
from typing import ClassVar, Self, get_type_hints

VERSION = "v1"
MAX_BYTES = 64  # Telegram's limit for InlineKeyboardButton.callback_data
SEP = ":"


class CallbackDataError(ValueError):
    """Callback data that does not parse: forged, truncated, or from an old version."""


@dataclasses.dataclass(frozen=True)
class CallbackData:
    """Base for button payloads; subclasses are frozen dataclasses with a unique `prefix`."""

    prefix: ClassVar[str] = ""
    registry: ClassVar[dict[str, type[CallbackData]]] = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.prefix or SEP in cls.prefix:
            raise TypeError(f"{cls.__name__} needs a prefix without {SEP!r}")
        if cls.prefix in CallbackData.registry:
            raise TypeError(f"callback prefix {cls.prefix!r} is used twice")
        CallbackData.registry[cls.prefix] = cls

    def encode(self) -> str:
        """Serialise for a button; raises if it would exceed Telegram's 64 bytes."""
        parts = [VERSION, self.prefix]
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            text = ("1" if value else "0") if isinstance(value, bool) else str(value)
            if SEP in text:
                raise ValueError(f"{self.prefix}.{f.name}: {SEP!r} not allowed in {text!r}")
            parts.append(text)
        data = SEP.join(parts)
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def decode(cls, data: str) -> Self:
        """Parse data made by `encode` for this class."""
        parts = data.split(SEP)
        fields = dataclasses.fields(cls)
        if len(parts) != len(fields) + 2 or parts[0] != VERSION or parts[1] != cls.prefix:
            raise CallbackDataError(f"not {cls.__name__} data")
        hints = get_type_hints(cls)
        values: dict[str, object] = {}
        for f, raw in zip(fields, parts[2:], strict=True):
            kind = hints[f.name]
            try:
                if kind is bool:
                    if raw not in ("0", "1"):
                        raise ValueError(raw)
                    values[f.name] = raw == "1"
                elif kind is int:
                    values[f.name] = int(raw)
                else:
                    values[f.name] = kind(raw)
            except ValueError:
                raise CallbackDataError(f"{cls.__name__}.{f.name}: bad value") from None
        return cls(**values)

    @classmethod
    def pattern(cls) -> re.Pattern[str]:
        """The regex a CallbackQueryHandler uses to route this class's buttons."""
        return re.compile(rf"^{VERSION}{SEP}{re.escape(cls.prefix)}(?:{SEP}|$)")


# --- settings -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SetLanguage(CallbackData):
    """Settings: choose the interface language."""

    prefix: ClassVar[str] = "lang"
    language: str


@dataclasses.dataclass(frozen=True)
class SetDailyQuestion(CallbackData):
    """Settings: receive the daily question or not."""

    prefix: ClassVar[str] = "daily"
    enabled: bool


@dataclasses.dataclass(frozen=True)
class Leave(CallbackData):
    """Settings: leave the program (ask, then confirm or cancel)."""

    prefix: ClassVar[str] = "leave"
    step: str  # "ask" | "yes" | "no"


# --- admin: invites and members ---------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class InviteDepartment(CallbackData):
    """Admin: department chosen for a new invite."""

    prefix: ClassVar[str] = "invd"
    department: str


@dataclasses.dataclass(frozen=True)
class InviteCreate(CallbackData):
    """Admin: create the invite with these limits (0 = no limit)."""

    prefix: ClassVar[str] = "invc"
    department: str
    max_uses: int
    days: int


@dataclasses.dataclass(frozen=True)
class InviteList(CallbackData):
    """Admin: a page of the invites that can still admit someone."""

    prefix: ClassVar[str] = "invl"
    offset: int


@dataclasses.dataclass(frozen=True)
class InviteRevoke(CallbackData):
    """Admin: withdraw an invite made in the bot (codes are 16 URL-safe characters)."""

    prefix: ClassVar[str] = "invr"
    code: str
    offset: int


@dataclasses.dataclass(frozen=True)
class MembersPage(CallbackData):
    """Admin: a page of the member list."""

    prefix: ClassVar[str] = "mpage"
    offset: int


@dataclasses.dataclass(frozen=True)
class MemberShow(CallbackData):
    """Admin: one member's card."""

    prefix: ClassVar[str] = "mshow"
    user_id: int
    offset: int


@dataclasses.dataclass(frozen=True)
class MemberRole(CallbackData):
    """Admin: grant or revoke a role."""

    prefix: ClassVar[str] = "mrole"
    user_id: int
    role: str
    grant: bool
    offset: int


# --- quiz ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class QuizPickBank(CallbackData):
    """Quiz: start a session on a bank (or the mixed bank)."""

    prefix: ClassVar[str] = "qbank"
    bank: str


@dataclasses.dataclass(frozen=True)
class QuizAnswer(CallbackData):
    """Quiz: pick option `choice` (as shown) of question `position` of a session."""

    prefix: ClassVar[str] = "qa"
    session: int
    position: int
    choice: int


@dataclasses.dataclass(frozen=True)
class QuizSubmit(CallbackData):
    """Quiz: submit the toggled options of a multiple-choice question."""

    prefix: ClassVar[str] = "qs"
    session: int
    position: int


@dataclasses.dataclass(frozen=True)
class QuizResume(CallbackData):
    """Quiz: an unfinished session exists: continue it, or abandon it."""

    prefix: ClassVar[str] = "qres"
    session: int
    action: str  # "continue" | "abandon"


@dataclasses.dataclass(frozen=True)
class QuizReview(CallbackData):
    """Quiz: start reviewing due mistakes."""

    prefix: ClassVar[str] = "qrev"


@dataclasses.dataclass(frozen=True)
class DailyStart(CallbackData):
    """Daily question notice: show today's question."""

    prefix: ClassVar[str] = "qday"
    day: str  # YYYYMMDD of the notice, so yesterday's button is recognisably old


@dataclasses.dataclass(frozen=True)
class AssignmentStart(CallbackData):
    """Assigned test notice: start the test."""

    prefix: ClassVar[str] = "qasg"
    assignment: int


@dataclasses.dataclass(frozen=True)
class AssignBank(CallbackData):
    """Admin /assign: bank chosen."""

    prefix: ClassVar[str] = "asb"
    bank: str


@dataclasses.dataclass(frozen=True)
class AssignAudience(CallbackData):
    """Admin /assign: audience chosen (all, or one department); the bank is in the draft."""

    prefix: ClassVar[str] = "asa"
    department: str  # "*" for everyone


@dataclasses.dataclass(frozen=True)
class AssignDeadline(CallbackData):
    """Admin /assign: deadline in days chosen; creates the assignment."""

    prefix: ClassVar[str] = "asd"
    department: str
    days: int


@dataclasses.dataclass(frozen=True)
class AssignConfirm(CallbackData):
    """Admin /assign: create the previewed assignment and notify, or drop it."""

    prefix: ClassVar[str] = "asc"
    send: bool


# --- delivery -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Acknowledge(CallbackData):
    """已阅知悉 under a campaign's message (reminders, notices)."""

    prefix: ClassVar[str] = "ack"
    campaign: int


@dataclasses.dataclass(frozen=True)
class BroadcastAudience(CallbackData):
    """Admin /broadcast: audience chosen: all, a department, or a role."""

    prefix: ClassVar[str] = "bca"
    kind: str  # "all" | "department" | "role"
    value: str  # department id or role; "-" for all


@dataclasses.dataclass(frozen=True)
class BroadcastConfirm(CallbackData):
    """Admin /broadcast: send the previewed notice, or drop it."""

    prefix: ClassVar[str] = "bcc"
    send: bool


@dataclasses.dataclass(frozen=True)
class BroadcastRefresh(CallbackData):
    """Admin: refresh a finished broadcast's report (acknowledgements keep coming in)."""

    prefix: ClassVar[str] = "bcr"
    campaign: int


# --- reports ---
# The reporter's buttons carry no report id: the draft and the report found with a receipt code
# stay in the conversation's memory. Reviewer buttons carry the report's random reference.


@dataclasses.dataclass(frozen=True)
class ReportCategory(CallbackData):
    """/report: the category chosen."""

    prefix: ClassVar[str] = "rpc"
    category: str


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
    status: str
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
    status: str


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


# --- digest -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DigestWeek(CallbackData):
    """Leaders /digest: which week to report."""

    prefix: ClassVar[str] = "dg"
    week: str  # "this" | "last"
