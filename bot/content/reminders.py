"""Holiday schedule and reminder texts: loading with line numbers, validation, rendering."""

from __future__ import annotations

import html
import re
import string
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from bot.content.problems import ContentError, Problem
from bot.domain.holidays import (
    HOLIDAY_NAMES,
    HolidayBreak,
    OfficialSchedule,
    PlannedSend,
    ScheduleWarning,
    festival_dates,
)

MAX_TEXT = 3500
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_BREAK_DAYS = 31
PLACEHOLDERS = ("holiday", "start", "end", "org")
MAKEUP_KEY = "makeup_workdays"
_ID_RE = re.compile(r"^[a-z0-9-]+$")
_FILE_KEYS = {"holiday", "variants"}
_VARIANT_KEYS = {"id", "title", "text"}
_BREAK_KEYS = {"start", "end"}
_NAMES = "、".join(HOLIDAY_NAMES)
_USE = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
_INVALID = object()


@dataclass(frozen=True)
class ReminderVariant:
    """One reminder text for a holiday."""

    id: str
    holiday: str
    title: str
    text: str


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _value(node: yaml.Node) -> Any:
    """The Python value of a node, or _INVALID (e.g. 2026-02-30)."""
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, TypeError):
        return _INVALID
    finally:
        loader.dispose()


def _compose(path: Path) -> tuple[yaml.Node | None, str, list[Problem]]:
    where = str(path)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, "", [Problem(where, 1, "-", f"cannot read: {exc}")]
    try:
        return yaml.compose(source), source, []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(exc, "problem", None) or exc
        return None, source, [Problem(where, line, "-", f"not valid YAML: {problem}")]


def _as_date(node: yaml.Node) -> date | None:
    value = _value(node)
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return None


# --- content/holidays.yaml -------------------------------------------------------------------


def _check_break(
    where: str, year: int, name: str, node: yaml.Node
) -> tuple[tuple[date, date] | None, list[Problem]]:
    item = f"{year} {name}"
    if not isinstance(node, yaml.MappingNode):
        return None, [Problem(where, _line(node), item, "expected {start: YYYY-MM-DD, end: ...}")]
    problems: list[Problem] = []
    found: dict[str, date] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key not in _BREAK_KEYS:
            problems.append(
                Problem(where, _line(key_node), item, f"unknown key {key!r} (start, end)")
            )
            continue
        day = _as_date(value_node)
        if day is None:
            problems.append(
                Problem(
                    where,
                    _line(value_node),
                    item,
                    f"{key} must be a date YYYY-MM-DD, got {value_node.value!r}",
                )
            )
            continue
        found[key] = day
    for key in sorted(_BREAK_KEYS - set(found)):
        if not any(str(k.value) == key for k, _ in node.value):
            problems.append(Problem(where, _line(node), item, f"{key} is missing"))
    if problems:
        return None, problems

    start, end = found["start"], found["end"]
    line = _line(node)
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
        return [], [Problem(where, _line(node), item, "expected a list of dates YYYY-MM-DD")]
    problems: list[Problem] = []
    days: list[tuple[date, int]] = []
    for day_node in node.value:
        line = _line(day_node)
        day = _as_date(day_node)
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
        return {}, (), [Problem(where, _line(node), str(year), message)]
    problems: list[Problem] = []
    breaks: dict[str, tuple[date, date]] = {}
    makeup: list[tuple[date, int]] = []
    seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        key, line = str(key_node.value), _line(key_node)
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
                    f"unknown key {key!r} (a holiday: {_NAMES}; or {MAKEUP_KEY})",
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
    root, _, problems = _compose(path)
    where = str(path)
    breaks: dict[int, dict[str, tuple[date, date]]] = {}
    makeup: dict[int, tuple[date, ...]] = {}
    if root is not None and not isinstance(root, yaml.MappingNode):
        problems.append(Problem(where, _line(root), "-", "expected years mapped to holidays"))
    elif root is not None:
        seen: dict[int, int] = {}
        for key_node, value_node in root.value:
            year, line = _value(key_node), _line(key_node)
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


# --- content/reminders/*.yaml ----------------------------------------------------------------


def _placeholder_problems(text: str) -> list[tuple[int, str]]:
    """(line index in text, message) for every bad placeholder or stray brace."""
    formatter = string.Formatter()
    found: list[tuple[int, str]] = []
    # Parsed line by line so that each problem gets its own line; a placeholder never spans lines.
    for index, line in enumerate(text.splitlines()):
        try:
            fields = list(formatter.parse(line))
        except ValueError:
            found.append((index, "a stray { or } (write {{ or }} for a literal brace)"))
            continue
        for _, name, spec, conversion in fields:
            if name is None:
                continue
            shown = "{" + name + (f"!{conversion}" if conversion else "")
            shown += (f":{spec}" if spec else "") + "}"
            if name not in PLACEHOLDERS:
                found.append((index, f"unknown placeholder {shown} (use {_USE})"))
            elif spec or conversion:
                found.append((index, f"placeholder {shown} takes no format (write {{{name}}})"))
    return found


def _text_line(node: yaml.Node, lines: list[str], index: int, text_line: str) -> int:
    """The file line of line `index` of a scalar's text."""
    if getattr(node, "style", None) == "|":
        return node.start_mark.line + 2 + index
    needle = text_line.strip()
    for number in range(node.start_mark.line, min(node.end_mark.line + 1, len(lines))):
        if needle and needle in lines[number]:
            return number + 1
    return _line(node)


def _check_text(
    where: str,
    label: str,
    key: str,
    node: yaml.Node,
    lines: list[str],
    limit: int | None,
) -> tuple[str | None, list[Problem]]:
    value = _value(node) if isinstance(node, yaml.ScalarNode) else _INVALID
    if not isinstance(value, str) or not value.strip():
        return None, [Problem(where, _line(node), label, f"{key} is empty")]
    problems = [
        Problem(where, _text_line(node, lines, index, value.splitlines()[index]), label, message)
        for index, message in _placeholder_problems(value)
    ]
    text = value.strip()
    if limit is not None and len(text) > limit:
        problems.append(
            Problem(where, _line(node), label, f"{key} is {len(text)} characters (at most {limit})")
        )
    return (None, problems) if problems else (text, [])


def _parse_reminder_file(
    path: Path, ids: dict[str, str]
) -> tuple[str | None, list[ReminderVariant], list[Problem]]:
    """One file's holiday and variants; `ids` maps every id seen so far to `file:line`."""
    root, source, problems = _compose(path)
    where = str(path)
    if problems:
        return None, [], problems
    if not isinstance(root, yaml.MappingNode):
        line = _line(root) if root is not None else 1
        return None, [], [Problem(where, line, "-", "expected a mapping with holiday, variants")]
    lines = source.splitlines()
    nodes: dict[str, yaml.Node] = {}
    for key_node, value_node in root.value:
        key = str(key_node.value)
        if key not in _FILE_KEYS:
            problems.append(Problem(where, _line(key_node), "-", f"unknown key {key!r}"))
        elif key in nodes:
            problems.append(Problem(where, _line(key_node), "-", f"{key} is listed twice"))
        else:
            nodes[key] = value_node

    holiday: str | None = None
    if "holiday" not in nodes:
        problems.append(Problem(where, 1, "-", "holiday is missing"))
    else:
        value = _value(nodes["holiday"])
        if value in HOLIDAY_NAMES:
            holiday = value
        else:
            problems.append(
                Problem(
                    where,
                    _line(nodes["holiday"]),
                    str(value),
                    f"unknown holiday {value!r} (one of {_NAMES})",
                )
            )

    variants: list[ReminderVariant] = []
    raw_variants = nodes.get("variants")
    if not isinstance(raw_variants, yaml.SequenceNode) or not raw_variants.value:
        line = _line(raw_variants) if raw_variants is not None else 1
        problems.append(Problem(where, line, "-", "variants must be a non-empty list"))
        return holiday, [], problems
    for node in raw_variants.value:
        variant, found = _check_variant(where, node, lines, holiday or "", ids)
        problems.extend(found)
        if variant is not None:
            variants.append(variant)
    return holiday, variants, problems


def _check_variant(
    where: str, node: yaml.Node, lines: list[str], holiday: str, ids: dict[str, str]
) -> tuple[ReminderVariant | None, list[Problem]]:
    line = _line(node)
    if not isinstance(node, yaml.MappingNode):
        return None, [Problem(where, line, "?", "a variant must be a mapping with id, title, text")]
    fields: dict[str, yaml.Node] = {}
    keys: list[tuple[str, int]] = []
    for key_node, value_node in node.value:
        keys.append((str(key_node.value), _line(key_node)))
        fields.setdefault(str(key_node.value), value_node)
    raw_id = _value(fields["id"]) if "id" in fields else None
    label = raw_id if isinstance(raw_id, str) and raw_id else "?"
    problems: list[Problem] = []
    for index, (key, key_line) in enumerate(keys):
        if key not in _VARIANT_KEYS:
            problems.append(
                Problem(where, key_line, label, f"unknown key {key!r} (id, title, text)")
            )
        elif any(key == earlier for earlier, _ in keys[:index]):
            problems.append(Problem(where, key_line, label, f"{key} is listed twice"))
    id_line = _line(fields["id"]) if "id" in fields else line
    if not isinstance(raw_id, str) or not _ID_RE.match(raw_id):
        problems.append(Problem(where, id_line, label, "id must be a-z, 0-9 and '-'"))
    elif raw_id in ids:
        problems.append(Problem(where, id_line, label, f"duplicate id (also at {ids[raw_id]})"))
    else:
        ids[raw_id] = f"{where}:{id_line}"
    texts: dict[str, str] = {}
    for key, limit in (("title", None), ("text", MAX_TEXT)):
        if key not in fields:
            problems.append(Problem(where, line, label, f"{key} is missing"))
            continue
        text, found = _check_text(where, label, key, fields[key], lines, limit)
        problems.extend(found)
        if text is not None:
            texts[key] = text
    if problems or not holiday:
        return None, problems
    return ReminderVariant(str(raw_id), holiday, texts["title"], texts["text"]), []


def load_reminders(directory: Path) -> dict[str, list[ReminderVariant]]:
    """Load every reminder file; raise ContentError listing every problem."""
    problems: list[Problem] = []
    result: dict[str, list[ReminderVariant]] = {}
    ids: dict[str, str] = {}
    files = sorted(p for p in directory.glob("*.yaml") if p.is_file())
    if not files:
        problems.append(Problem(str(directory), 0, "-", "no reminder files (*.yaml) found"))
    for path in files:
        holiday, variants, found = _parse_reminder_file(path, ids)
        problems.extend(found)
        if holiday is not None:
            result.setdefault(holiday, []).extend(variants)
    for name in HOLIDAY_NAMES:
        if name not in result:
            problems.append(Problem(str(directory), 0, name, "no reminder file for this holiday"))
    if problems:
        raise ContentError(problems)
    return {name: result[name] for name in HOLIDAY_NAMES}


# --- rendering -------------------------------------------------------------------------------


def _date_zh(day: date, with_year: bool) -> str:
    text = f"{day.month}月{day.day}日"
    return f"{day.year}年{text}" if with_year else text


# An estimated break's dates are worded as an estimate: a range `{start}至{end}` becomes
# "预计…至…，具体以国务院办公厅通知为准"; a lone {start} or {end} becomes "预计…", and the
# text then ends with ESTIMATE_NOTE.
ESTIMATE_AUTHORITY = "具体以国务院办公厅通知为准"
ESTIMATE_NOTE = f"（文中放假日期为预计，{ESTIMATE_AUTHORITY}。）"
_RANGE_SEPARATORS = ("至", "到", "—", "–", "-", "~", "～")


def _fill(template: str, values: dict[str, str], estimate: bool) -> tuple[str, bool]:
    """The template with its placeholders filled, HTML-escaped; and whether a lone date was used.

    `values` are already escaped. Literal text is escaped here, so `{{` stays a brace.
    """
    parts = list(string.Formatter().parse(template))
    out: list[str] = []
    lone = False
    index = 0
    while index < len(parts):
        literal, name, _, _ = parts[index]
        out.append(html.escape(literal, quote=False))
        following = parts[index + 1] if index + 1 < len(parts) else None
        if (
            name == "start"
            and following is not None
            and following[1] == "end"
            and following[0].strip() in _RANGE_SEPARATORS
        ):
            # A one-day break reads as its day, not "6月9日至6月9日".
            separator = html.escape(following[0], quote=False)
            dates = (
                values["start"]
                if values["start"] == values["end"]
                else f"{values['start']}{separator}{values['end']}"
            )
            out.append(f"预计{dates}，{ESTIMATE_AUTHORITY}" if estimate else dates)
            index += 2
            continue
        if name is not None:
            if estimate and name in ("start", "end"):
                out.append(f"预计{values[name]}")
                lone = True
            else:
                out.append(values[name])
        index += 1
    return "".join(out), lone


def render_reminder(variant: ReminderVariant, brk: HolidayBreak, org: str) -> str:
    """The reminder message in Telegram HTML: bold title, blank line, text with placeholders.

    For an estimated break (no official schedule yet) every date is worded as an estimate.
    """
    crosses = brk.start.year != brk.end.year
    values = {
        "holiday": html.escape(brk.name, quote=False),
        "start": _date_zh(brk.start, crosses),
        "end": _date_zh(brk.end, crosses),
        "org": html.escape(org, quote=False),
    }
    estimate = not brk.official
    title, lone_in_title = _fill(variant.title, values, estimate)
    text, lone_in_text = _fill(variant.text, values, estimate)
    if lone_in_title or lone_in_text:
        text = f"{text}\n{ESTIMATE_NOTE}"
    return f"<b>{title}</b>\n\n{text}"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_plan(
    plans: Sequence[PlannedSend],
    year: int,
    schedule: OfficialSchedule,
    holidays_file: str = "content/holidays.yaml",
) -> str:
    """The plain-text plan that `reminders plan --year Y` prints, one aligned line per send.

    Every row says whether its break is official (国务院通知) or an estimate (预计).
    """
    header = ("日期", "时间", "节日", "放假时间", "依据", "提前", "文案")
    rows = [
        (
            p.send_at.date().isoformat(),
            p.send_at.strftime("%H:%M"),
            p.holiday + ("" if p.brk.official else "*"),
            f"{p.brk.start.isoformat()}–{p.brk.end.isoformat()}",
            "国务院通知/official" if p.brk.official else "预计/estimate",
            f"提前{p.lead_days}天",
            p.variant_id,
        )
        for p in plans
    ]
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        f"{year}年节前廉洁提醒计划，共{len(rows)}次发送 / Reminder plan {year}: {len(rows)} sends"
    ]
    for row in [header, *rows]:
        lines.append("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
    if not rows:
        lines.append("（无发送 / no sends）")
    how = (
        "按 holidays 包的法定假日和补假连同相邻周末推算，"
        f"提醒正文写作“预计……，{ESTIMATE_AUTHORITY}”"
    )
    how_en = (
        "estimated from the statutory and substitute days in the holidays package joined with "
        "the adjacent weekends; reminder texts word them as expected dates"
    )
    if year not in schedule.breaks:
        lines.append(
            f"注意：{year}年的国务院放假安排尚未载入 {holidays_file}，"
            f"以上放假时间（标 * 和“预计”）{how}。通知公布后请补录，再发送 /reload。"
        )
        lines.append(
            f"Note: the State Council schedule for {year} is not in {holidays_file}; "
            f"the breaks above (marked * and estimate) are {how_en}. "
            "Add it once published, then send /reload."
        )
    elif any(not p.brk.official for p in plans):
        lines.append(f"注意：标 * 的节日不在 {holidays_file} 中，放假时间{how}。")
        lines.append(
            f"Note: holidays marked * are not in {holidays_file}; their breaks are {how_en}."
        )
    return "\n".join(lines)


def warning_lines(warning: ScheduleWarning, holidays_file: str) -> list[str]:
    """One line per missing year, as `content check` prints it and start-up logs it."""
    lines = []
    for gap in warning.gaps:
        what = (
            f"no State Council holiday schedule for {gap.year}"
            if gap.absent
            else f"no official break for {', '.join(gap.missing)} in {gap.year}"
        )
        lines.append(
            f"{holidays_file}: {gap.year}: warning: {what}; reminders are timed from estimated "
            "dates until the notice is added here (then /reload)"
        )
    return lines


def variant_ids(variants: dict[str, list[ReminderVariant]]) -> dict[str, list[str]]:
    """The variant ids per holiday, as plan_reminders takes them."""
    return {holiday: [v.id for v in items] for holiday, items in variants.items()}
