"""content/reminders/*.yaml: the reminder texts for each holiday, checked with line numbers."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.content.problems import ContentError, Problem
from bot.content.reminders.nodes import INVALID, compose_file, node_line, node_value
from bot.content.reminders.schedule import HOLIDAY_LIST
from bot.domain.holidays import HOLIDAY_NAMES

MAX_TEXT = 3500
PLACEHOLDERS = ("holiday", "start", "end", "org")
_ID_RE = re.compile(r"^[a-z0-9-]+$")
_FILE_KEYS = {"holiday", "variants"}
_VARIANT_KEYS = {"id", "title", "text"}
_USE = ", ".join("{" + name + "}" for name in PLACEHOLDERS)


@dataclass(frozen=True)
class ReminderVariant:
    """One reminder text for a holiday."""

    id: str
    holiday: str
    title: str
    text: str


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
    return node_line(node)


def _check_text(
    where: str,
    label: str,
    key: str,
    node: yaml.Node,
    lines: list[str],
    limit: int | None,
) -> tuple[str | None, list[Problem]]:
    value = node_value(node) if isinstance(node, yaml.ScalarNode) else INVALID
    if not isinstance(value, str) or not value.strip():
        return None, [Problem(where, node_line(node), label, f"{key} is empty")]
    problems = [
        Problem(where, _text_line(node, lines, index, value.splitlines()[index]), label, message)
        for index, message in _placeholder_problems(value)
    ]
    text = value.strip()
    if limit is not None and len(text) > limit:
        problems.append(
            Problem(
                where, node_line(node), label, f"{key} is {len(text)} characters (at most {limit})"
            )
        )
    return (None, problems) if problems else (text, [])


def _parse_reminder_file(
    path: Path, ids: dict[str, str]
) -> tuple[str | None, list[ReminderVariant], list[Problem]]:
    """One file's holiday and variants; `ids` maps every id seen so far to `file:line`."""
    root, source, problems = compose_file(path)
    where = str(path)
    if problems:
        return None, [], problems
    if not isinstance(root, yaml.MappingNode):
        line = node_line(root) if root is not None else 1
        return None, [], [Problem(where, line, "-", "expected a mapping with holiday, variants")]
    lines = source.splitlines()
    nodes: dict[str, yaml.Node] = {}
    for key_node, value_node in root.value:
        key = str(key_node.value)
        if key not in _FILE_KEYS:
            problems.append(Problem(where, node_line(key_node), "-", f"unknown key {key!r}"))
        elif key in nodes:
            problems.append(Problem(where, node_line(key_node), "-", f"{key} is listed twice"))
        else:
            nodes[key] = value_node

    holiday: str | None = None
    if "holiday" not in nodes:
        problems.append(Problem(where, 1, "-", "holiday is missing"))
    else:
        value = node_value(nodes["holiday"])
        if value in HOLIDAY_NAMES:
            holiday = value
        else:
            problems.append(
                Problem(
                    where,
                    node_line(nodes["holiday"]),
                    str(value),
                    f"unknown holiday {value!r} (one of {HOLIDAY_LIST})",
                )
            )

    variants: list[ReminderVariant] = []
    raw_variants = nodes.get("variants")
    if not isinstance(raw_variants, yaml.SequenceNode) or not raw_variants.value:
        line = node_line(raw_variants) if raw_variants is not None else 1
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
    line = node_line(node)
    if not isinstance(node, yaml.MappingNode):
        return None, [Problem(where, line, "?", "a variant must be a mapping with id, title, text")]
    fields: dict[str, yaml.Node] = {}
    keys: list[tuple[str, int]] = []
    for key_node, value_node in node.value:
        keys.append((str(key_node.value), node_line(key_node)))
        fields.setdefault(str(key_node.value), value_node)
    raw_id = node_value(fields["id"]) if "id" in fields else None
    label = raw_id if isinstance(raw_id, str) and raw_id else "?"
    problems: list[Problem] = []
    for index, (key, key_line) in enumerate(keys):
        if key not in _VARIANT_KEYS:
            problems.append(
                Problem(where, key_line, label, f"unknown key {key!r} (id, title, text)")
            )
        elif any(key == earlier for earlier, _ in keys[:index]):
            problems.append(Problem(where, key_line, label, f"{key} is listed twice"))
    id_line = node_line(fields["id"]) if "id" in fields else line
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
