"""A deadline day typed by an admin: `2026-12-20`, `2026/12/20`, `2026年12月20日`, `12月20日`.

Pure: the caller passes today's local date. Full-width digits and punctuation (what a Chinese
input method types) are read like their ASCII forms. A day without a year is the next such day
from today (typed in December, `1月5日` is next January's).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

MAX_DEADLINE_DAYS = 90  # the latest deadline, in days from today (the buttons offer 3 to 30)

_NUMERIC = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_CHINESE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号]?")


class DeadlineProblem(StrEnum):
    """Why a typed deadline was not accepted."""

    FORMAT = "format"  # not a date in a form we read, or no such day (2月30日)
    RANGE = "range"  # a real day, but not between tomorrow and MAX_DEADLINE_DAYS from today


@dataclass(frozen=True)
class DeadlineRange:
    """The days a deadline may fall on, both included."""

    first: date
    last: date


def deadline_range(today: date) -> DeadlineRange:
    """Tomorrow to `MAX_DEADLINE_DAYS` days from today."""
    return DeadlineRange(today + timedelta(days=1), today + timedelta(days=MAX_DEADLINE_DAYS))


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_deadline(text: str, today: date) -> date | DeadlineProblem:
    """The day `text` names, if it is a valid deadline at `today`; else what is wrong."""
    normal = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    found: date | None
    if match := _NUMERIC.fullmatch(normal):
        found = _day(int(match[1]), int(match[2]), int(match[3]))
    elif match := _CHINESE.fullmatch(normal):
        month, day = int(match[2]), int(match[3])
        if match[1]:
            found = _day(int(match[1]), month, day)
        else:
            found = _day(today.year, month, day)
            if found is not None and found <= today:
                found = _day(today.year + 1, month, day)
    else:
        return DeadlineProblem.FORMAT
    if found is None:
        return DeadlineProblem.FORMAT
    allowed = deadline_range(today)
    if not allowed.first <= found <= allowed.last:
        return DeadlineProblem.RANGE
    return found
