"""Periods of the weekly digest, and the rounding every rate uses (see the package doc)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

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
