"""The digest builder's inputs: plain query results (see the package doc)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time

from bot.domain.digest.periods import Period


@dataclass(frozen=True)
class MemberRow:
    """Members of one department in one window (window index into `digest_windows`)."""

    window: int
    department_id: str | None
    members: int
    active: int


@dataclass(frozen=True)
class ActivityRow:
    """Quiz activity of one department's members in one window (index into `digest_windows`)."""

    window: int
    department_id: str | None
    participants: int
    scored_sessions: int
    score_sum: float


@dataclass(frozen=True)
class QuestionInfo:
    """What the digest needs to know about a question: a short text and its tags."""

    stem: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class CampaignAcks:
    """One reminder campaign: messages delivered and acknowledgements."""

    delivered: int
    acknowledged: int


@dataclass(frozen=True)
class AssignmentRow:
    """One assigned test open during the period, with its audience and completions."""

    title: str
    deadline: date
    audience: int
    completed: int


@dataclass(frozen=True)
class ReportCounts:
    """Anonymous reports, counts only."""

    received: int
    closed: int
    open: int
    overdue: int
    review_workdays: int
    close_months: int
    as_of: date  # the day `open` and `overdue` describe


@dataclass(frozen=True)
class UpcomingCampaign:
    """The next holiday break and the days its reminders go out."""

    holiday: str
    start: date
    end: date
    sends: tuple[date, ...]
    send_time: time
    official: bool  # False: the schedule for `year` is not loaded; the break is an estimate
    year: int = 0  # the holiday-year (元旦's break may start in the December before)


@dataclass(frozen=True)
class DigestInputs:
    """Everything the builder reads, as the queries returned it."""

    organization: str
    period: Period
    departments: Sequence[tuple[str, str]]  # configured (id, name), in config order
    members: Sequence[MemberRow]
    activity: Sequence[ActivityRow]
    question_stats: Sequence[tuple[str, int, int]]  # (question id, answered, right)
    questions: Mapping[str, QuestionInfo]
    reminders: Sequence[CampaignAcks]
    assignments: Sequence[AssignmentRow]
    reports: ReportCounts
    next_campaign: UpcomingCampaign | None
    today: date
    # (campaign kind, messages delivered) of campaigns created in the period / previous one
    sends: Sequence[tuple[str, int]] = ()
    previous_sends: Sequence[tuple[str, int]] = ()
