"""Building the digest from its inputs (see the package doc for the definitions)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import time, timedelta

from bot.domain.burden import burden
from bot.domain.digest.inputs import (
    ActivityRow,
    DigestInputs,
    MemberRow,
    QuestionInfo,
    UpcomingCampaign,
)
from bot.domain.digest.model import (
    AssignmentLine,
    Digest,
    GroupLine,
    ReminderSummary,
    TrendPoint,
    Weakness,
)
from bot.domain.digest.periods import (
    EVERYONE,
    MIN_QUESTION_ANSWERS,
    MIN_TAG_ANSWERS,
    SMALL_GROUP,
    TREND_WEEKS,
    WEAKEST,
    digest_windows,
    half_up,
    percent,
)
from bot.domain.holidays import HolidayBreak


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
