"""Chinese working days (工作日) and the clocks of anonymous reports counted in them.

The calendar is the one the holiday reminders use (content/holidays.yaml, the State Council's
schedule): a day is a working day if it is Monday to Friday and not in a published break, or
if it is a published make-up workday (调休上班, e.g. Saturday 2026-02-14 before 春节). A year
the schedule does not have is estimated with the `holidays` package (its statutory days off
and, for years it knows, shifted days) and every count that touches it says it is estimated.

Case clocks (a report's age and its targets) count working days after the day a report was
received, so the day of receipt is day 0 — as the 15-working-day deadlines of the 纪检监察机关
处理检举控告工作规则 are counted from the day after receipt. Only dates enter: no times.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cache

import holidays

from bot.domain.holidays import OfficialSchedule

MAX_SPAN_DAYS = 3660  # a clock never walks more than ten years of days


@cache
def _estimated_calendar(year: int) -> holidays.HolidayBase:
    return holidays.China(years=year)


class WorkCalendar:
    """Working days from the official schedule, estimated for the years it lacks."""

    def __init__(self, schedule: OfficialSchedule) -> None:
        self._off: set[date] = set()
        self._makeup: set[date] = set()
        self._official_years: set[int] = set()
        for year, breaks in schedule.breaks.items():
            for start, end in breaks.values():
                day = start
                while day <= end:
                    self._off.add(day)
                    self._official_years.add(day.year)
                    day += timedelta(days=1)
            self._official_years.add(year)
        for days in schedule.makeup_workdays.values():
            self._makeup.update(days)

    def official(self, day: date) -> bool:
        """Whether the published schedule covers the day's year."""
        return day.year in self._official_years

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday outside the breaks, or a make-up workday."""
        if self.official(day):
            if day in self._makeup:
                return True
            return day.weekday() < 5 and day not in self._off
        return bool(_estimated_calendar(day.year).is_working_day(day))


@dataclass(frozen=True)
class WorkdayCount:
    """A number of working days, and whether an estimated year entered the count."""

    days: int
    estimated: bool


def working_days_after(start: date, end: date, calendar_: WorkCalendar) -> WorkdayCount:
    """Working days in (start, end]: 0 on the day itself, 1 on the next working day."""
    count, estimated = 0, False
    day = start + timedelta(days=1)
    last = min(end, start + timedelta(days=MAX_SPAN_DAYS))
    while day <= last:
        estimated = estimated or not calendar_.official(day)
        count += calendar_.is_working_day(day)
        day += timedelta(days=1)
    return WorkdayCount(count, estimated)


def add_working_days(start: date, days: int, calendar_: WorkCalendar) -> tuple[date, bool]:
    """The `days`-th working day after `start` (and whether an estimated year was crossed)."""
    day, left, estimated = start, days, False
    while left > 0 and (day - start).days < MAX_SPAN_DAYS:
        day += timedelta(days=1)
        estimated = estimated or not calendar_.official(day)
        left -= calendar_.is_working_day(day)
    return day, estimated


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (clamped to the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- case clocks --------------------------------------------------------------------------------


class Target(StrEnum):
    """The two clocks a report runs against."""

    REVIEW = "review"  # a first review: the report leaves 新收到 (checking or a final status)
    CLOSE = "close"  # closure: a final status


@dataclass(frozen=True)
class Targets:
    """How long a report may take (config `reports`)."""

    review_workdays: int  # first review within this many working days of receipt
    close_months: int  # closure within this many calendar months of receipt
    remind_workdays: int  # remind reviewers this many working days before a target


@dataclass(frozen=True)
class CaseClock:
    """A report's age in working days and its targets, as of one day."""

    age: WorkdayCount
    review_due: date
    close_due: date
    estimated_year: int | None  # the first estimated year the age or a target date uses
    pending: tuple[Target, ...]  # targets still to meet (review only while 新收到)
    overdue: tuple[Target, ...]  # pending targets whose due day has passed
    nearing: tuple[Target, ...]  # pending targets within `remind_workdays` (or overdue)

    @property
    def estimated(self) -> bool:
        """Whether an estimated year entered the count."""
        return self.estimated_year is not None


def case_clock(
    submitted_on: date,
    today: date,
    *,
    reviewed: bool,
    closed: bool,
    targets: Targets,
    calendar_: WorkCalendar,
) -> CaseClock:
    """The clock of a report received on `submitted_on`, as of `today`."""
    age = working_days_after(submitted_on, today, calendar_)
    review_due, _ = add_working_days(submitted_on, targets.review_workdays, calendar_)
    close_due = add_months(submitted_on, targets.close_months)
    due = {Target.REVIEW: review_due, Target.CLOSE: close_due}
    pending = tuple(
        t
        for t, open_ in ((Target.REVIEW, not reviewed and not closed), (Target.CLOSE, not closed))
        if open_
    )
    overdue = tuple(t for t in pending if today > due[t])
    nearing = tuple(
        t
        for t in pending
        if today >= due[t]
        or working_days_after(today, due[t], calendar_).days <= targets.remind_workdays
    )
    last = max(today, review_due, close_due)
    estimated_year = next(
        (
            year
            for year in range(submitted_on.year, last.year + 1)
            if not calendar_.official(date(year, 1, 1))
        ),
        None,
    )
    return CaseClock(age, review_due, close_due, estimated_year, pending, overdue, nearing)
