"""The weekly digest for leaders as plain values, built from query results for an explicit period.

Definitions (the digest text and the chart say the same thing):

- A period is a run of local calendar days `start`…`end`. `/digest` offers this week (Monday to
  today) and last week (Monday to Sunday); the weekly job reports the seven days before the day
  it runs (sent on a Monday: exactly last week). "Previous week" is always the same days one
  week earlier (this week so far, Monday to Wednesday, is compared with last Monday to
  Wednesday: like with like). The trend is eight whole seven-day windows: ending with the
  period when it is a whole week, else ending the day before it starts (a partial week is left
  out of the trend rather than drawn as a Monday plunge).
- Members of a group in a window: members who have not left and joined before the window ended,
  grouped by the department they are in now (membership has no history; neither do leavers).
  Active: those of them whose status is active (the bot can reach them).
- Participation: a member participated in a window if they finished at least one quiz session
  of any kind in it — a test (`quiz`), a mistake review, an assigned test, or the daily question
  (a daily session holds one question, so answering it finishes it). Rate = participants /
  members.
- Average score: the mean of `100 × correct / questions` over sessions finished in the window,
  daily questions excluded (one question is all-or-nothing) — the same score /me shows.
- Rates and changes are whole numbers rounded half up; a change is the difference of the two
  rounded values, so the numbers a leader reads add up.
- Small groups: a group (a department, everyone, or an assignment's audience) with fewer than
  `SMALL_GROUP` members shows "<5" instead of its rates, so a rate never points at a person.
- Weakest tags and questions: over every answer recorded in the period, the lowest accuracy
  among those with at least `MIN_TAG_ANSWERS` / `MIN_QUESTION_ANSWERS` answers and at least one
  wrong answer; ties go to the one answered more often.
- Reminder acknowledgement: for reminder campaigns created in the period, acknowledgements /
  messages delivered (sent, or possibly sent after a lost answer — the rows 已阅知悉 accepts).
- Assigned tests: assignments open at some point of the period; completed = members of the
  audience with a result before the period ended.
- Reports (counts only): received and closed (a final status reached) within the period; open
  and overdue as of the period's last day (at most yesterday). Overdue: past a case-clock
  target (bot/domain/workdays.py): the first review within `review_workdays` working days,
  closure within `close_months` months of receipt.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.burden import Burden, burden
from bot.domain.holidays import HolidayBreak

SMALL_GROUP = 5
TREND_WEEKS = 8
WEAKEST = 3
MIN_TAG_ANSWERS = 5
MIN_QUESTION_ANSWERS = 3
EVERYONE = "*"  # the group key of the whole organisation in built results


def percent(part: int, whole: int) -> int | None:
    """`part / whole` as a whole percentage rounded half up; None when `whole` is 0."""
    # Integer arithmetic: 5/8 is exactly 62.5 and must give 63, whatever floats would say.
    return None if whole <= 0 else (200 * part + whole) // (2 * whole)


def half_up(value: float) -> int:
    """Round to the nearest whole number, halves away from zero (62.5 → 63, not 62)."""
    return math.floor(value + 0.5) if value >= 0 else -math.floor(-value + 0.5)


# --- periods ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Local calendar days `start`…`end`, both included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """How many days the period covers."""
        return (self.end - self.start).days + 1

    @property
    def whole_week(self) -> bool:
        """The period covers seven days (a trend point compares with the others)."""
        return self.days >= 7

    def previous(self) -> Period:
        """The same days one week earlier (like with like, also for a partial week)."""
        return Period(self.start - timedelta(days=7), self.end - timedelta(days=7))

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[first local midnight, the local midnight after the last day) as aware datetimes."""
        return (
            datetime.combine(self.start, time(0), tzinfo=tz),
            datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=tz),
        )


def week_period(today: date, weeks_back: int = 0) -> Period:
    """This week so far (Monday to today), or a whole calendar week `weeks_back` weeks ago."""
    monday = today - timedelta(days=today.weekday()) - timedelta(days=7 * weeks_back)
    return Period(monday, today if weeks_back == 0 else monday + timedelta(days=6))


def scheduled_period(today: date) -> Period:
    """What the weekly job reports when it runs on `today`: the seven days before it."""
    return Period(today - timedelta(days=7), today - timedelta(days=1))


def trend_windows(period: Period, weeks: int = TREND_WEEKS) -> tuple[Period, ...]:
    """Whole seven-day windows, oldest first, ending with the period if it is a whole week.

    A partial period (this week so far) is left out: the windows end the day before it starts.
    """
    last = period.end if period.whole_week else period.start - timedelta(days=1)
    return tuple(
        Period(last - timedelta(days=7 * k + 6), last - timedelta(days=7 * k))
        for k in range(weeks - 1, -1, -1)
    )


def digest_windows(period: Period) -> tuple[Period, ...]:
    """Every window the digest queries; the last two are always [previous, period].

    A whole week: the trend windows (they end with the previous week and the period). A
    partial week: the trend windows, then the same days of last week, then the period.
    """
    trend = trend_windows(period)
    return trend if period.whole_week else (*trend, period.previous(), period)


# --- inputs (plain query results) -------------------------------------------------------------


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


# --- the digest ---------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class _Counts:
    members: int = 0
    active: int = 0
    participants: int = 0
    scored_sessions: int = 0
    score_sum: float = 0.0

    def plus(self, other: _Counts) -> _Counts:
        return _Counts(
            self.members + other.members,
            self.active + other.active,
            self.participants + other.participants,
            self.scored_sessions + other.scored_sessions,
            self.score_sum + other.score_sum,
        )

    @property
    def small(self) -> bool:
        return self.members < SMALL_GROUP

    @property
    def participation(self) -> int | None:
        return None if self.small else percent(self.participants, self.members)

    @property
    def average_score(self) -> int | None:
        if self.small or not self.scored_sessions:
            return None
        return half_up(self.score_sum / self.scored_sessions)


def _change(current: int | None, previous: int | None) -> int | None:
    return None if current is None or previous is None else current - previous


def _line(key: str | None, name: str | None, current: _Counts, previous: _Counts) -> GroupLine:
    small = current.small
    return GroupLine(
        key=key,
        name=name,
        members=current.members,
        small=small,
        participants=None if small else current.participants,
        participation=current.participation,
        average_score=current.average_score,
        participation_change=_change(current.participation, previous.participation),
        score_change=_change(current.average_score, previous.average_score),
    )


def _counts(
    members: Iterable[MemberRow], activity: Iterable[ActivityRow]
) -> dict[tuple[int, str | None], _Counts]:
    table: dict[tuple[int, str | None], _Counts] = defaultdict(_Counts)
    for m in members:
        key = (m.window, m.department_id)
        table[key] = table[key].plus(_Counts(members=m.members, active=m.active))
    for a in activity:
        key = (a.window, a.department_id)
        table[key] = table[key].plus(
            _Counts(
                participants=a.participants,
                scored_sessions=a.scored_sessions,
                score_sum=a.score_sum,
            )
        )
    return table


def _everyone(table: Mapping[tuple[int, str | None], _Counts], window: int) -> _Counts:
    total = _Counts()
    for (w, _dept), counts in table.items():
        if w == window:
            total = total.plus(counts)
    return total


def weakest(
    stats: Iterable[tuple[str, int, int]],
    questions: Mapping[str, QuestionInfo],
    *,
    limit: int = WEAKEST,
) -> tuple[tuple[Weakness, ...], tuple[Weakness, ...]]:
    """The weakest tags and questions: lowest accuracy, enough answers, not all right."""
    by_tag: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_question: list[Weakness] = []
    for question_id, answered, right in stats:
        info = questions.get(question_id)
        if info is None:  # the question left the banks since
            continue
        by_question.append(Weakness(info.stem, answered, right))
        for tag in dict.fromkeys(info.tags):
            by_tag[tag][0] += answered
            by_tag[tag][1] += right
    tags = [Weakness(tag, n, r) for tag, (n, r) in by_tag.items()]

    def pick(items: Iterable[Weakness], minimum: int) -> tuple[Weakness, ...]:
        eligible = [w for w in items if w.answered >= minimum and w.right < w.answered]
        eligible.sort(key=lambda w: (w.right / w.answered, -w.answered, w.label))
        return tuple(eligible[:limit])

    return pick(tags, MIN_TAG_ANSWERS), pick(by_question, MIN_QUESTION_ANSWERS)


def build_digest(inputs: DigestInputs) -> Digest:
    """The digest for `inputs.period` (row windows index `digest_windows(period)`)."""
    period = inputs.period
    windows = digest_windows(period)
    current, previous = len(windows) - 1, len(windows) - 2
    table = _counts(inputs.members, inputs.activity)
    names = dict(inputs.departments)
    seen = {dept for (w, dept), c in table.items() if w == current and c.members > 0}
    order: list[str | None] = [d for d, _ in inputs.departments if d in seen]
    order += sorted(d for d in seen if d is not None and d not in names)
    if None in seen:
        order.append(None)
    departments = tuple(
        _line(
            dept,
            names.get(dept) if dept is not None else None,
            table.get((current, dept), _Counts()),
            table.get((previous, dept), _Counts()),
        )
        for dept in order
    )
    everyone_now = _everyone(table, current)
    overall = _line(EVERYONE, None, everyone_now, _everyone(table, previous))
    trend = tuple(
        TrendPoint(
            window,
            _everyone(table, i).participation,
            _everyone(table, i).average_score,
        )
        for i, window in enumerate(windows[:TREND_WEEKS])
    )
    tags, questions = weakest(inputs.question_stats, inputs.questions)
    assignments = tuple(
        AssignmentLine(
            title=a.title,
            deadline=a.deadline,
            audience=a.audience,
            small=a.audience < SMALL_GROUP,
            completed=None if a.audience < SMALL_GROUP else a.completed,
            rate=None if a.audience < SMALL_GROUP else percent(a.completed, a.audience),
        )
        for a in inputs.assignments
    )
    return Digest(
        organization=inputs.organization,
        period=period,
        previous=period.previous(),
        partial=period.end >= inputs.today,
        members_total=everyone_now.members,
        members_active=everyone_now.active,
        overall=overall,
        departments=departments,
        trend=trend,
        weakest_tags=tags,
        weakest_questions=questions,
        reminders=ReminderSummary(
            campaigns=len(inputs.reminders),
            delivered=sum(r.delivered for r in inputs.reminders),
            acknowledged=sum(r.acknowledged for r in inputs.reminders),
        ),
        assignments=assignments,
        reports=inputs.reports,
        next_campaign=inputs.next_campaign,
        burden=burden(inputs.sends, everyone_now.members),
        previous_burden=burden(inputs.previous_sends, _everyone(table, previous).members),
    )


def upcoming_campaign(
    brk: HolidayBreak, lead_days: Sequence[int], send_time: time
) -> UpcomingCampaign:
    """The next break with the days its reminders are planned for (earliest first)."""
    sends = tuple(sorted({brk.start - timedelta(days=lead) for lead in lead_days}))
    # A break ends in its holiday-year (元旦's may start in the December before).
    return UpcomingCampaign(
        brk.name, brk.start, brk.end, sends, send_time, brk.official, brk.end.year
    )
