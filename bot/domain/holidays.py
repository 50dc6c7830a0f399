"""Chinese holiday breaks and the plan of pre-holiday integrity reminders (节前廉洁提醒).

A break comes from the State Council schedule (content/holidays.yaml) when the year is there;
otherwise it is estimated from the `holidays` package and marked as an estimate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

HOLIDAY_NAMES = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
# An estimated break never grows past this many days (the longest real break is 9 days).
MAX_ESTIMATED_DAYS = 12
# Admins are warned again this many days before the first send that rests on an estimate.
ESTIMATE_NOTICE_DAYS = 7


@dataclass(frozen=True)
class HolidayBreak:
    """Days off for one holiday, first and last day included.

    official: from the State Council schedule; otherwise an estimate (see `estimated_breaks`).
    """

    name: str
    start: date
    end: date
    official: bool


@dataclass(frozen=True)
class OfficialSchedule:
    """The published breaks (year → holiday → (start, end)) and make-up workdays, by year."""

    breaks: dict[int, dict[str, tuple[date, date]]]
    makeup_workdays: dict[int, tuple[date, ...]]


@dataclass(frozen=True)
class PlannedSend:
    """One reminder send: which holiday-year, how many days ahead, when, and with which text."""

    holiday: str
    year: int
    lead_days: int
    send_at: datetime
    brk: HolidayBreak
    variant_id: str
    campaign_key: str


@cache
def _festival_items(year: int) -> tuple[tuple[str, date], ...]:
    found: dict[str, date] = {}
    calendar = holidays.China(years=year, language="zh_CN")
    for day in sorted(calendar):
        # Two holidays on one day come joined ("中秋节; 国庆节"); get_list splits them. Observed
        # days carry a suffix ("春节（补假）"), so exact names keep only the festival days, and
        # the earliest 春节 is the lunar new year (农历除夕 has its own name).
        for name in calendar.get_list(day):
            if name in HOLIDAY_NAMES and name not in found:
                found[name] = day
    return tuple((name, found[name]) for name in HOLIDAY_NAMES if name in found)


def festival_dates(year: int) -> dict[str, date]:
    """Each holiday's festival day in a year (清明, 端午, 中秋 only from 2008 on)."""
    return dict(_festival_items(year))


def _festival_of(label: str) -> str | None:
    """The holiday a `holidays` entry belongs to: 春节（补假） → 春节, 农历除夕 → 春节."""
    if label == "农历除夕":
        return "春节"
    base = label.split("（", 1)[0]
    return base if base in HOLIDAY_NAMES else None


@cache
def _estimated_items(year: int) -> tuple[tuple[str, date, date], ...]:
    calendar = holidays.China(years=year, language="zh_CN")
    days: dict[str, list[date]] = {}
    for day in sorted(calendar):
        for label in calendar.get_list(day):
            name = _festival_of(label)
            if name is not None:
                days.setdefault(name, []).append(day)
    items = []
    for name in HOLIDAY_NAMES:
        if name not in days:
            continue
        start, end = min(days[name]), max(days[name])
        # The package lists days off on weekdays only; a break runs on through the days that
        # are not working days next to it (weekends, and in years the package knows officially,
        # shifted days off; its make-up workdays stop the run).
        while (end - start).days + 1 < MAX_ESTIMATED_DAYS and not calendar.is_working_day(
            end + timedelta(days=1)
        ):
            end += timedelta(days=1)
        while (end - start).days + 1 < MAX_ESTIMATED_DAYS and not calendar.is_working_day(
            start - timedelta(days=1)
        ):
            start -= timedelta(days=1)
        items.append((name, start, end))
    return tuple(items)


def estimated_breaks(year: int) -> dict[str, tuple[date, date]]:
    """Each holiday's break as estimated from the `holidays` package.

    The statutory days and substitute days (补假) the package gives for the holiday (农历除夕
    belongs to 春节), joined with the adjacent days off (weekends) into one break.
    """
    return {name: (start, end) for name, start, end in _estimated_items(year)}


def holiday_breaks(year: int, schedule: OfficialSchedule) -> list[HolidayBreak]:
    """The breaks of a holiday-year: official ranges if published, else estimated ones."""
    official = schedule.breaks.get(year, {})
    result: list[HolidayBreak] = []
    estimates = estimated_breaks(year) if len(official) < len(HOLIDAY_NAMES) else {}
    for name in HOLIDAY_NAMES:
        if name in official:
            start, end = official[name]
            result.append(HolidayBreak(name, start, end, official=True))
        elif name in estimates:
            start, end = estimates[name]
            result.append(HolidayBreak(name, start, end, official=False))
    result.sort(key=lambda b: (b.start, HOLIDAY_NAMES.index(b.name)))
    return result


def _campaign_breaks(year: int, schedule: OfficialSchedule) -> list[HolidayBreak]:
    """Breaks of a year with overlapping ones merged (e.g. a joint 中秋/国庆 break) into one."""
    groups: list[list[HolidayBreak]] = []
    for brk in holiday_breaks(year, schedule):
        if groups and brk.start <= max(b.end for b in groups[-1]):
            groups[-1].append(brk)
        else:
            groups.append([brk])
    merged: list[HolidayBreak] = []
    for group in groups:
        if len(group) == 1:
            merged.append(group[0])
            continue
        festivals = festival_dates(year)
        # A joint break is named after the festival that comes first in it: 2023's 9-29–10-06
        # is 中秋节 (9-29), 2025's 10-01–10-08 is 国庆节 (中秋 fell on 10-06).
        lead = min(group, key=lambda b: (festivals.get(b.name, b.start), b.start))
        merged.append(
            HolidayBreak(
                lead.name,
                min(b.start for b in group),
                max(b.end for b in group),
                official=all(b.official for b in group),
            )
        )
    return merged


def campaign_key(year: int, holiday: str, lead_days: int) -> str:
    """The stable key of one reminder campaign, e.g. `reminder:2026:春节:3`."""
    return f"reminder:{year}:{holiday}:{lead_days}"


def plan_reminders(
    year: int,
    schedule: OfficialSchedule,
    lead_days: Sequence[int],
    send_time: time,
    tz: ZoneInfo,
    variants: Mapping[str, Sequence[str]],
) -> list[PlannedSend]:
    """Every reminder send for the breaks of a holiday-year (元旦's fall in the December before)."""
    leads = sorted(set(lead_days), reverse=True)
    if any(lead < 0 for lead in leads):
        raise ValueError(f"lead days must not be negative: {list(lead_days)}")
    plans: list[PlannedSend] = []
    taken: set[datetime] = set()
    for brk in _campaign_breaks(year, schedule):
        choices = variants.get(brk.name)
        if not choices:
            raise ValueError(f"no reminder variants for {brk.name}")
        variant_id = choices[year % len(choices)]
        for lead in leads:
            send_at = datetime.combine(brk.start - timedelta(days=lead), send_time, tzinfo=tz)
            if send_at in taken:
                continue
            taken.add(send_at)
            plans.append(
                PlannedSend(
                    holiday=brk.name,
                    year=year,
                    lead_days=lead,
                    send_at=send_at,
                    brk=brk,
                    variant_id=variant_id,
                    campaign_key=campaign_key(year, brk.name, lead),
                )
            )
    plans.sort(key=lambda p: (p.send_at, HOLIDAY_NAMES.index(p.holiday)))
    return plans


def _require_aware(*moments: datetime) -> None:
    if any(m.tzinfo is None or m.utcoffset() is None for m in moments):
        raise ValueError("now and since must be timezone-aware")


def upcoming_sends(
    now: datetime,
    schedule: OfficialSchedule,
    lead_days: Sequence[int],
    send_time: time,
    tz: ZoneInfo,
    variants: Mapping[str, Sequence[str]],
    horizon_days: int = 400,
) -> list[PlannedSend]:
    """Sends at or after `now` and within `horizon_days`, across year boundaries."""
    _require_aware(now)
    until = now + timedelta(days=horizon_days)
    first, last = now.astimezone(tz).year, until.astimezone(tz).year + 1
    return [
        plan
        for year in range(first, last + 1)
        for plan in plan_reminders(year, schedule, lead_days, send_time, tz, variants)
        if now <= plan.send_at <= until
    ]


def due_sends(
    now: datetime,
    since: datetime,
    schedule: OfficialSchedule,
    lead_days: Sequence[int],
    send_time: time,
    tz: ZoneInfo,
    variants: Mapping[str, Sequence[str]],
) -> list[PlannedSend]:
    """Sends with `since <= send_at <= now` whose break has not ended yet (start-up catch-up)."""
    _require_aware(now, since)
    today = now.astimezone(tz).date()
    first, last = since.astimezone(tz).year, now.astimezone(tz).year + 1
    return [
        plan
        for year in range(first, last + 1)
        for plan in plan_reminders(year, schedule, lead_days, send_time, tz, variants)
        if since <= plan.send_at <= now and plan.brk.end >= today
    ]


def next_break(today: date, schedule: OfficialSchedule) -> HolidayBreak | None:
    """The next break starting on or after `today` (a joint break named as its campaign is)."""
    candidates = [
        brk
        for year in (today.year, today.year + 1)
        for brk in _campaign_breaks(year, schedule)
        if brk.start >= today
    ]
    return min(candidates, key=lambda b: b.start, default=None)


# --- when the official schedule runs out -------------------------------------------------------


@dataclass(frozen=True)
class ScheduleGap:
    """A holiday-year that the official schedule does not cover (or covers only in part)."""

    year: int
    missing: tuple[str, ...]  # holidays still to come without an official break
    absent: bool  # the year is not in the schedule at all


@dataclass(frozen=True)
class EstimatedSend:
    """The first reminder send from today on whose break is an estimate."""

    day: date
    year: int  # the holiday-year (元旦's sends fall in the December before)
    brk: HolidayBreak
    lead_days: int


@dataclass(frozen=True)
class ScheduleWarning:
    """What an admin must be told: the years to add, and the next send resting on an estimate."""

    gaps: tuple[ScheduleGap, ...]
    next_estimated: EstimatedSend | None


def next_estimated_send(
    today: date, schedule: OfficialSchedule, lead_days: Sequence[int]
) -> EstimatedSend | None:
    """The earliest send on or after `today` (this or next holiday-year) that uses an estimate."""
    found = [
        EstimatedSend(brk.start - timedelta(days=lead), year, brk, lead)
        for year in (today.year, today.year + 1)
        for brk in _campaign_breaks(year, schedule)
        if not brk.official
        for lead in set(lead_days)
        if brk.start - timedelta(days=lead) >= today
    ]
    return min(found, key=lambda s: (s.day, -s.lead_days), default=None)


def _gap(year: int, today: date, schedule: OfficialSchedule) -> ScheduleGap | None:
    official = schedule.breaks.get(year, {})
    estimates = estimated_breaks(year)
    missing = tuple(
        name
        for name in HOLIDAY_NAMES
        if name not in official and name in estimates and estimates[name][1] >= today
    )
    return ScheduleGap(year, missing, absent=year not in schedule.breaks) if missing else None


def schedule_warning(
    today: date,
    schedule: OfficialSchedule,
    lead_days: Sequence[int],
    warn_from: tuple[int, int],
    notice_days: int = ESTIMATE_NOTICE_DAYS,
) -> ScheduleWarning | None:
    """Whether admins must add to the schedule now, and what; None when nothing is missing.

    A warning is due while this year's schedule lacks a holiday still to come, from `warn_from`
    (month, day) on while next year's is missing, and within `notice_days` of the first send
    that would use an estimate.
    """
    years = [today.year]
    if (today.month, today.day) >= warn_from:
        years.append(today.year + 1)
    upcoming = next_estimated_send(today, schedule, lead_days)
    soon = upcoming is not None and (upcoming.day - today).days <= notice_days
    if upcoming is not None and soon:
        years.append(upcoming.year)
    gaps = tuple(gap for year in sorted(set(years)) if (gap := _gap(year, today, schedule)))
    if not gaps:
        return None
    return ScheduleWarning(gaps, upcoming)


def warning_week(today: date) -> str:
    """The ISO week a warning belongs to, e.g. `2026-W49` (one warning per week at most)."""
    iso = today.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


# --- re-planning -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanChanges:
    """How a new plan differs from the old one, by campaign key."""

    moved: tuple[PlannedSend, ...]  # the same send at another time (the new one)
    added: tuple[PlannedSend, ...]
    removed: tuple[PlannedSend, ...]


def plan_changes(before: Sequence[PlannedSend], after: Sequence[PlannedSend]) -> PlanChanges:
    """Sends that moved, appeared or went away between two plans."""
    old = {p.campaign_key: p for p in before}
    new = {p.campaign_key: p for p in after}
    return PlanChanges(
        moved=tuple(p for k, p in new.items() if k in old and old[k].send_at != p.send_at),
        added=tuple(p for k, p in new.items() if k not in old),
        removed=tuple(p for k, p in old.items() if k not in new),
    )
