"""content/holidays.yaml: the official break schedule, checked with line numbers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from bot.content.problems import ContentError, Problem
from bot.content.reminders.nodes import compose_file, node_date, node_line, node_value
from bot.domain.holidays import HOLIDAY_NAMES, OfficialSchedule, festival_dates

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_BREAK_DAYS = 31
MAKEUP_KEY = "makeup_workdays"
_BREAK_KEYS = {"start", "end"}
HOLIDAY_LIST = "、".join(HOLIDAY_NAMES)


def _check_break(
    where: str, year: int, name: str, node: yaml.Node
) -> tuple[tuple[date, date] | None, list[Problem]]:
    item = f"{year} {name}"
    if not isinstance(node, yaml.MappingNode):
        return None, [
            Problem(where, node_line(node), item, "expected {start: YYYY-MM-DD, end: ...}")
        ]
    problems: list[Problem] = []
    found: dict[str, date] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key not in _BREAK_KEYS:
            problems.append(
                Problem(where, node_line(key_node), item, f"unknown key {key!r} (start, end)")
            )
            continue
        day = node_date(value_node)
        if day is None:
            problems.append(
                Problem(
                    where,
                    node_line(value_node),
                    item,
                    f"{key} must be a date YYYY-MM-DD, got {value_node.value!r}",
                )
            )
            continue
        found[key] = day
    for key in sorted(_BREAK_KEYS - set(found)):
        if not any(str(k.value) == key for k, _ in node.value):
            problems.append(Problem(where, node_line(node), item, f"{key} is missing"))
    if problems:
        return None, problems

    start, end = found["start"], found["end"]
    line = node_line(node)
    # The notice for year Y can start 元旦 on Dec 30 or 31 of Y-1 (2019, 2023 did).
    earliest = date(year - 1, 12, 25) if name == "元旦" else date(year, 1, 1)
    if start > end:
        problems.append(Problem(where, line, item, f"start {start} is after end {end}"))
    elif (end - start).days + 1 > MAX_BREAK_DAYS:
        problems.append(
            Problem(
                where,
                line,
                item,
                f"break {start}–{end} is {(end - start).days + 1} days (at most {MAX_BREAK_DAYS})",
            )
        )
    if not earliest <= start <= date(year, 12, 31):
        problems.append(Problem(where, line, item, f"start {start} is not in {year}"))
    if end > date(year + 1, 1, 10):
        problems.append(Problem(where, line, item, f"end {end} is too late for {year}"))
    festival = festival_dates(year).get(name)
    if not problems and festival is not None and not start <= festival <= end:
        problems.append(
            Problem(
                where,
                line,
                item,
                f"break {start}–{end} does not include the festival day {festival}",
            )
        )
    return (None, problems) if problems else ((start, end), [])


def _check_makeup(
    where: str, year: int, node: yaml.Node
) -> tuple[list[tuple[date, int]], list[Problem]]:
    item = f"{year} {MAKEUP_KEY}"
    if not isinstance(node, yaml.SequenceNode):
        return [], [Problem(where, node_line(node), item, "expected a list of dates YYYY-MM-DD")]
    problems: list[Problem] = []
    days: list[tuple[date, int]] = []
    for day_node in node.value:
        line = node_line(day_node)
        day = node_date(day_node)
        if day is None:
            problems.append(
                Problem(where, line, item, f"not a date YYYY-MM-DD: {day_node.value!r}")
            )
        elif not (day.year == year or (day.year == year - 1 and day.month == 12)):
            problems.append(Problem(where, line, item, f"{day} is not in {year}"))
        elif day.weekday() < 5:
            problems.append(
                Problem(
                    where,
                    line,
                    item,
                    f"{day} is a {day:%A}; a make-up workday (调休上班) is a Saturday or Sunday",
                )
            )
        elif any(day == d for d, _ in days):
            problems.append(Problem(where, line, item, f"{day} is listed twice"))
        else:
            days.append((day, line))
    return days, problems


def _check_year(
    where: str, year: int, year_line: int, node: yaml.Node
) -> tuple[dict[str, tuple[date, date]], tuple[date, ...], list[Problem]]:
    if not isinstance(node, yaml.MappingNode):
        message = "expected holiday names mapped to {start, end}, and makeup_workdays"
        return {}, (), [Problem(where, node_line(node), str(year), message)]
    problems: list[Problem] = []
    breaks: dict[str, tuple[date, date]] = {}
    makeup: list[tuple[date, int]] = []
    seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        key, line = str(key_node.value), node_line(key_node)
        if key in seen:
            problems.append(
                Problem(where, line, f"{year} {key}", f"listed twice (also at line {seen[key]})")
            )
            continue
        seen[key] = line
        if key == MAKEUP_KEY:
            makeup, found = _check_makeup(where, year, value_node)
        elif key in HOLIDAY_NAMES:
            span, found = _check_break(where, year, key, value_node)
            if span is not None:
                breaks[key] = span
        else:
            found = [
                Problem(
                    where,
                    line,
                    f"{year} {key}",
                    f"unknown key {key!r} (a holiday: {HOLIDAY_LIST}; or {MAKEUP_KEY})",
                )
            ]
        problems.extend(found)
    for name in festival_dates(year):
        if name not in seen:
            problems.append(
                Problem(
                    where,
                    year_line,
                    f"{year} {name}",
                    "no break listed; list every holiday of the year "
                    "(holidays that share a break get the same range)",
                )
            )
    for day, line in makeup:
        inside = [n for n, (s, e) in breaks.items() if s <= day <= e]
        if inside:
            problems.append(
                Problem(
                    where,
                    line,
                    f"{year} {MAKEUP_KEY}",
                    f"{day} is inside the {inside[0]} break",
                )
            )
    return breaks, tuple(sorted(d for d, _ in makeup)), problems


def load_schedule(path: Path) -> OfficialSchedule:
    """Load the official break schedule (content/holidays.yaml); raise ContentError if wrong."""
    root, _, problems = compose_file(path)
    where = str(path)
    breaks: dict[int, dict[str, tuple[date, date]]] = {}
    makeup: dict[int, tuple[date, ...]] = {}
    if root is not None and not isinstance(root, yaml.MappingNode):
        problems.append(Problem(where, node_line(root), "-", "expected years mapped to holidays"))
    elif root is not None:
        seen: dict[int, int] = {}
        for key_node, value_node in root.value:
            year, line = node_value(key_node), node_line(key_node)
            if (
                not isinstance(year, int)
                or isinstance(year, bool)
                or not MIN_YEAR <= year <= MAX_YEAR
            ):
                problems.append(
                    Problem(
                        where,
                        line,
                        str(key_node.value),
                        f"a year must be a number from {MIN_YEAR} to {MAX_YEAR}",
                    )
                )
                continue
            if year in seen:
                problems.append(
                    Problem(where, line, str(year), f"listed twice (also at line {seen[year]})")
                )
                continue
            seen[year] = line
            year_breaks, year_makeup, found = _check_year(where, year, line, value_node)
            problems.extend(found)
            breaks[year] = year_breaks
            makeup[year] = year_makeup
    if problems:
        raise ContentError(problems)
    return OfficialSchedule(breaks=breaks, makeup_workdays=makeup)
