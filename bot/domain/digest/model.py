"""The weekly digest as plain values (what the renderer and the chart read)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.burden import Burden
from bot.domain.digest.inputs import ReportCounts, UpcomingCampaign
from bot.domain.digest.periods import Period, percent


@dataclass(frozen=True)
class GroupLine:
    """Participation and score of one group, with the change from the previous week.

    A small group (fewer than SMALL_GROUP members) has every rate and count set to None.
    """

    key: str | None  # department id; None: members without a department; EVERYONE: everyone
    name: str | None  # None: no configured name (the renderer says "no department")
    members: int
    small: bool
    participants: int | None
    participation: int | None
    average_score: int | None
    participation_change: int | None
    score_change: int | None


@dataclass(frozen=True)
class TrendPoint:
    """Everyone's participation and average score in one seven-day window."""

    period: Period
    participation: int | None
    average_score: int | None


@dataclass(frozen=True)
class Weakness:
    """A tag or question with its accuracy over the period's answers."""

    label: str
    answered: int
    right: int

    @property
    def accuracy(self) -> int:
        """Share of right answers, in whole percent."""
        return percent(self.right, self.answered) or 0


@dataclass(frozen=True)
class ReminderSummary:
    """Reminder campaigns created in the period and how many were acknowledged."""

    campaigns: int
    delivered: int
    acknowledged: int

    @property
    def rate(self) -> int | None:
        """Acknowledged / delivered in whole percent (None: nothing delivered)."""
        return percent(self.acknowledged, self.delivered)


@dataclass(frozen=True)
class AssignmentLine:
    """An assigned test's completion (rates hidden for an audience under SMALL_GROUP)."""

    title: str
    deadline: date
    audience: int
    small: bool
    completed: int | None
    rate: int | None


@dataclass(frozen=True)
class Digest:
    """The weekly digest."""

    organization: str
    period: Period
    previous: Period
    partial: bool  # the period runs up to today (this week so far)
    members_total: int
    members_active: int
    overall: GroupLine
    departments: tuple[GroupLine, ...]
    trend: tuple[TrendPoint, ...]  # whole weeks only (a partial period is left out)
    weakest_tags: tuple[Weakness, ...]
    weakest_questions: tuple[Weakness, ...]
    reminders: ReminderSummary
    assignments: tuple[AssignmentLine, ...]
    reports: ReportCounts
    next_campaign: UpcomingCampaign | None
    burden: Burden | None = None  # messages per member in the period (bot/domain/burden.py)
    previous_burden: Burden | None = None
