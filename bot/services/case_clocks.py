"""Case clocks: each report's age in working days, its targets, and the reviewers' reminders.

The calendar is the holiday reminders' (ReminderService.schedule, reloaded with /reload).
Everything is counted from the stored day of receipt: no times, nothing about a reporter.
The reminders are delivery campaigns (one per report and target, keyed so a repeated run
sends nothing) to the reviewers, from a daily job at `reports.clock_check_time`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from bot.config import Config
from bot.domain.holidays import OfficialSchedule
from bot.domain.members import Role
from bot.domain.reports import Report, ReportStatus
from bot.domain.workdays import CaseClock, Target, Targets, WorkCalendar, case_clock
from bot.i18n import LANGUAGES, translate
from bot.services.delivery import DeliveryService
from bot.services.membership import MembershipService
from bot.storage.database import Database
from bot.storage.reports import ReportRepository

FINAL = frozenset({ReportStatus.CLOSED, ReportStatus.REJECTED, ReportStatus.TRANSFERRED})


class CaseClockService:
    """Ages, targets, overdue counts and reminders for anonymous reports."""

    def __init__(
        self,
        config: Config,
        db: Database,
        schedule: Callable[[], OfficialSchedule],
        delivery: DeliveryService | None = None,
        membership: MembershipService | None = None,
    ) -> None:
        self.config = config
        self._schedule = schedule  # the live schedule (ReminderService.schedule)
        self.delivery = delivery
        self.membership = membership or MembershipService(config, db)
        self._repo = ReportRepository(db)
        self._calendar: tuple[OfficialSchedule, WorkCalendar] | None = None

    @property
    def targets(self) -> Targets:
        """The configured targets."""
        reports = self.config.reports
        return Targets(
            review_workdays=reports.review_within_workdays,
            close_months=reports.close_within_months,
            remind_workdays=reports.remind_before_workdays,
        )

    def calendar(self) -> WorkCalendar:
        """The working-day calendar of the live holiday schedule (rebuilt after /reload)."""
        schedule = self._schedule()
        if self._calendar is None or self._calendar[0] is not schedule:
            self._calendar = (schedule, WorkCalendar(schedule))
        return self._calendar[1]

    def today(self, now: datetime) -> date:
        """The local date at `now`."""
        return now.astimezone(self.config.timezone).date()

    def clock(self, submitted_on: date, status: ReportStatus, today: date) -> CaseClock:
        """The clock of a report in `status`, received on `submitted_on`, as of `today`."""
        return case_clock(
            submitted_on,
            today,
            reviewed=status is not ReportStatus.NEW,
            closed=status in FINAL,
            targets=self.targets,
            calendar_=self.calendar(),
        )

    def report_clock(self, report: Report, now: datetime) -> CaseClock:
        """A report's clock today (a closed report's as of the day it closed)."""
        today = self.today(now)
        as_of = report.closed_on if report.closed_on is not None else today
        return self.clock(report.submitted_on, report.status, min(as_of, today))

    @staticmethod
    def estimate_note(language: str, clock: CaseClock) -> str:
        """The note that the ages use an estimated year, or "" when none does."""
        if clock.estimated_year is None:
            return ""
        return translate(language, "reports.clock_estimated", year=clock.estimated_year)

    async def overdue_count(self, as_of: date) -> int:
        """Reports open on `as_of` past a target on that day.

        Past the closure target, or past the first-review target while still 新收到 (by the
        status now: a report reviewed after `as_of` is not counted for an earlier day).
        """
        overdue = 0
        for _ref, status, submitted_on in await self._repo.open_on(as_of):
            # Closed since: it was open on `as_of` (reviewed or not, unknown: closure counts).
            still = ReportStatus.CHECKING if status in FINAL else status
            overdue += bool(self.clock(submitted_on, still, as_of).overdue)
        return overdue

    async def send_reminders(self, now: datetime) -> int:
        """Remind reviewers of reports nearing a target; once per report and target.

        Returns how many reminder campaigns were created now (a repeated run creates none).
        """
        if self.delivery is None:
            raise RuntimeError("case clock reminders need the delivery service")
        today = self.today(now)
        reviewers = [h.user_id for h in await self.membership.holders(Role.REVIEWER)]
        if not reviewers:
            return 0
        created = 0
        for ref, status, submitted_on in await self._repo.open_on(today):
            clock = self.clock(submitted_on, status, today)
            for target in clock.nearing:
                due = clock.review_due if target is Target.REVIEW else clock.close_due
                texts = {
                    language: translate(
                        language,
                        f"reports.clock_reminder_{target.value}",
                        ref=ref,
                        due=due.isoformat(),
                        days=clock.age.days,
                        workdays=self.targets.review_workdays,
                        months=self.targets.close_months,
                    )
                    + self.estimate_note(language, clock)
                    for language in LANGUAGES
                }
                result = await self.delivery.create_campaign(
                    f"case-clock:{ref}:{target.value}",
                    "notice",
                    {"text": texts},
                    reviewers,
                    now=now,
                )
                created += result.created
        return created
