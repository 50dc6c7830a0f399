"""The weekly digest use case: build it for a period, render its text and chart, find leaders.

Written once and used by the weekly job and by /digest (bot/tg/digest.py, handlers/digest.py).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from html import escape

from bot.config import Config
from bot.content.problems import ContentError
from bot.content.reminders import load_schedule
from bot.domain.burden import NOTICE_MINUTES, QUIZ_MINUTES
from bot.domain.digest import (
    AssignmentRow,
    Digest,
    DigestInputs,
    GroupLine,
    Period,
    QuestionInfo,
    ReportCounts,
    build_digest,
    digest_windows,
    scheduled_period,
    upcoming_campaign,
    week_period,
)
from bot.domain.holidays import OfficialSchedule, next_break
from bot.domain.members import Holder, Role
from bot.i18n import Translate, days_off, translator
from bot.services.case_clocks import CaseClockService
from bot.services.charts import Chart, render_chart
from bot.services.membership import MembershipService
from bot.services.quiz import QuizService
from bot.services.reminders import ReminderService
from bot.storage.database import Database
from bot.storage.digest import DigestRepository

log = logging.getLogger(__name__)

STEM_CHARS = 40  # weakest questions are quoted this short


class PeriodChoice(StrEnum):
    """Which period a digest covers."""

    THIS_WEEK = "this"
    LAST_WEEK = "last"
    SCHEDULED = "sched"  # the weekly job: the seven days before today


@dataclass(frozen=True)
class RenderedDigest:
    """A digest ready to send in one language."""

    text: str
    caption: str
    chart: Chart


class DigestService:
    """Digests over storage: periods, building, rendering, and who receives them."""

    def __init__(
        self,
        config: Config,
        db: Database,
        quiz: QuizService,
        reminders: ReminderService | None = None,
        membership: MembershipService | None = None,
        clocks: CaseClockService | None = None,
    ) -> None:
        self.config = config
        self.quiz = quiz
        self.membership = membership or MembershipService(config, db)
        # The live schedule (it changes on /reload); without it, holidays.yaml is read once.
        self.reminders = reminders
        self._repo = DigestRepository(db)
        self._schedule: OfficialSchedule | None = None
        # Overdue reports by the case-clock targets, on the same working-day calendar.
        self.clocks = clocks or CaseClockService(
            config, db, lambda: self._holiday_schedule() or OfficialSchedule({}, {})
        )

    def today(self, now: datetime) -> date:
        """The local date at `now`."""
        return now.astimezone(self.config.timezone).date()

    def period(self, choice: PeriodChoice, now: datetime) -> Period:
        """The period a choice means at `now`."""
        today = self.today(now)
        if choice is PeriodChoice.THIS_WEEK:
            return week_period(today)
        if choice is PeriodChoice.LAST_WEEK:
            return week_period(today, weeks_back=1)
        return scheduled_period(today)

    def _question_info(self) -> dict[str, QuestionInfo]:
        library = self.quiz.library
        info = {}
        for bank in library.banks:
            for q in bank.questions:
                # Same fallback as /me: the question's tags, else the bank's, else its title.
                tags = q.tags or bank.tags or (bank.title,)
                info[q.id] = QuestionInfo(q.stem, tuple(tags))
        return info

    def _holiday_schedule(self) -> OfficialSchedule | None:
        if self.reminders is not None:
            return self.reminders.schedule
        if self._schedule is None:
            try:
                self._schedule = load_schedule(self.config.reminders.holidays_file)
            except ContentError:
                log.warning("digest: holiday schedule unreadable; no upcoming campaign shown")
                return None
        return self._schedule

    async def build(self, period: Period, now: datetime) -> Digest:
        """Query everything the digest needs for `period` and build it."""
        tz = self.config.timezone
        today = self.today(now)
        windows = [w.bounds(tz) for w in digest_windows(period)]
        current = windows[-1]
        assignments = [
            AssignmentRow(
                title=self.quiz.bank_title(bank_id) or bank_id,
                deadline=deadline.astimezone(tz).date(),
                audience=audience,
                completed=completed,
            )
            for bank_id, deadline, audience, completed in await self._repo.assignments(current)
        ]
        # Reports: counts by day up to the end of yesterday, never today's, so a leader who
        # keeps asking cannot watch a report come in (the reviewers' batch is hourly).
        as_of = min(period.end, today - timedelta(days=1))
        received, closed, still_open = await self._repo.report_counts(period.start, as_of, as_of)
        schedule = self._holiday_schedule()
        brk = next_break(today, schedule) if schedule else None
        reminders = self.config.reminders
        inputs = DigestInputs(
            organization=self.config.organization_name,
            period=period,
            departments=[(d.id, d.name) for d in self.config.departments],
            members=await self._repo.members(windows),
            activity=await self._repo.activity(windows),
            question_stats=await self._repo.question_stats(current),
            questions=self._question_info(),
            reminders=await self._repo.reminder_acks(current),
            sends=await self._repo.campaign_sends(current),
            previous_sends=await self._repo.campaign_sends(windows[-2]),
            assignments=assignments,
            reports=ReportCounts(
                received,
                closed,
                still_open,
                await self.clocks.overdue_count(as_of),
                self.config.reports.review_within_workdays,
                self.config.reports.close_within_months,
                as_of,
            ),
            next_campaign=(
                upcoming_campaign(brk, reminders.lead_days, reminders.send_time) if brk else None
            ),
            today=today,
        )
        return build_digest(inputs)

    async def render(self, digest: Digest, language: str) -> RenderedDigest:
        """Text, caption and chart in one language (the chart is drawn in a worker thread)."""
        t = translator(language)
        chart = await asyncio.to_thread(render_chart, digest, t)
        caption = t(
            "digest.caption",
            org=escape(digest.organization),
            start=digest.period.start.isoformat(),
            end=digest.period.end.isoformat(),
        )
        return RenderedDigest(render_text(digest, t), caption, chart)

    async def leaders(self) -> list[Holder]:
        """Every leader who receives the digest (see MembershipService.holders)."""
        return await self.membership.holders(Role.LEADER)


# --- text ---------------------------------------------------------------------------------------


def _short(text: str, limit: int = STEM_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _delta(t: Translate, kind: str, change: int | None) -> str:
    if change is None:
        return ""
    if change > 0:
        return t(f"digest.{kind}_up", n=change)
    if change < 0:
        return t(f"digest.{kind}_down", n=-change)
    return t(f"digest.{kind}_flat")


def _rates(t: Translate, line: GroupLine) -> str:
    if line.small or line.participation is None:
        return t("digest.small")
    participation = t(
        "digest.participation",
        rate=line.participation,
        participants=line.participants,
        members=line.members,
    ) + _delta(t, "rate", line.participation_change)
    if line.average_score is None:
        score = t("digest.no_score")
    else:
        score = t("digest.score", score=line.average_score) + _delta(t, "score", line.score_change)
    return t("digest.rates", participation=participation, score=score)


def _burden_lines(digest: Digest, t: Translate) -> list[str]:
    now, before = digest.burden, digest.previous_burden
    if now is None or now.messages_per_member is None:
        return [t("digest.burden_none")]
    previous = (
        t(
            "digest.burden_previous",
            messages=f"{before.messages_per_member:.1f}",
            minutes=f"{before.minutes_per_member:.1f}",
        )
        if before is not None
        and before.messages_per_member is not None
        and before.minutes_per_member is not None
        else t("digest.burden_no_previous")
    )
    return [
        t(
            "digest.burden",
            messages=f"{now.messages_per_member:.1f}",
            minutes=f"{now.minutes_per_member or 0:.1f}",
            previous=previous,
        ),
        t("digest.burden_basis", notice=f"{NOTICE_MINUTES:g}", quiz=f"{QUIZ_MINUTES:g}"),
    ]


def render_text(digest: Digest, t: Translate) -> str:
    """The digest as an HTML message (well under Telegram's 4096 characters)."""
    period = digest.period
    lines = [
        t("digest.title", org=escape(digest.organization)),
        t(
            "digest.period_partial" if digest.partial else "digest.period",
            start=period.start.isoformat(),
            end=period.end.isoformat(),
            prev_start=digest.previous.start.isoformat(),
            prev_end=digest.previous.end.isoformat(),
        ),
        t("digest.members", total=digest.members_total, active=digest.members_active),
        "",
        t("digest.quiz_title"),
        t("digest.group", name=t("digest.everyone"), rates=_rates(t, digest.overall)),
    ]
    all_small = bool(digest.departments) and all(line.small for line in digest.departments)
    if all_small:  # one line instead of a "<5" line per department
        lines.append(t("digest.departments_small", count=len(digest.departments)))
    for line in () if all_small else digest.departments:
        name = escape(line.name) if line.name else t("common.no_department")
        lines.append(t("digest.department", name=name, rates=_rates(t, line)))
    if digest.weakest_tags:
        items = t("digest.separator").join(
            t("digest.weak_tag_item", tag=escape(w.label), accuracy=w.accuracy, answered=w.answered)
            for w in digest.weakest_tags
        )
        lines.append(t("digest.weak_tags", items=items))
    else:
        lines.append(t("digest.no_weak_tags"))
    if digest.weakest_questions:
        lines.append(t("digest.weak_questions"))
        lines += [
            t(
                "digest.weak_question_item",
                number=number,
                stem=escape(_short(w.label)),
                accuracy=w.accuracy,
                answered=w.answered,
            )
            for number, w in enumerate(digest.weakest_questions, start=1)
        ]

    lines += ["", t("digest.reminders_title")]
    reminders = digest.reminders
    if not reminders.campaigns:
        lines.append(t("digest.no_reminders"))
    elif reminders.rate is None:
        lines.append(t("digest.reminders_undelivered", campaigns=reminders.campaigns))
    else:
        lines.append(
            t(
                "digest.reminders",
                campaigns=reminders.campaigns,
                delivered=reminders.delivered,
                acknowledged=reminders.acknowledged,
                rate=reminders.rate,
            )
        )
    upcoming = digest.next_campaign
    if upcoming is None:
        lines.append(t("digest.no_next_campaign"))
    else:
        lines.append(
            t(
                "digest.next_campaign" if upcoming.official else "digest.next_campaign_estimate",
                holiday=t(f"holiday.{upcoming.holiday}"),
                days=days_off(t, upcoming.start, upcoming.end),
                sends=t("digest.separator").join(d.isoformat() for d in upcoming.sends),
                time=upcoming.send_time.strftime("%H:%M"),
            )
            + ("" if upcoming.official else t("digest.unofficial", year=upcoming.year))
        )

    lines += ["", t("digest.assignments_title")]
    if not digest.assignments:
        lines.append(t("digest.no_assignments"))
    for a in digest.assignments:
        values = {"title": escape(a.title), "deadline": a.deadline.isoformat()}
        if a.small:
            lines.append(t("digest.assignment_small", **values))
        else:
            lines.append(
                t(
                    "digest.assignment",
                    completed=a.completed,
                    audience=a.audience,
                    rate=a.rate,
                    **values,
                )
            )

    lines += ["", t("digest.burden_title"), *_burden_lines(digest, t)]

    reports = digest.reports
    lines += [
        "",
        t("digest.reports_title"),
        t(
            "digest.reports",
            received=reports.received,
            closed=reports.closed,
            as_of=reports.as_of.isoformat(),
            open=reports.open,
            overdue=reports.overdue,
            workdays=reports.review_workdays,
            months=reports.close_months,
        ),
    ]
    return "\n".join(lines)
