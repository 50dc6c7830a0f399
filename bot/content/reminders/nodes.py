"""YAML nodes with their line numbers: the reminder and holiday files report problems by line."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from bot.content.problems import Problem

INVALID = object()


def node_line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def node_value(node: yaml.Node) -> Any:
    """The Python value of a node, or INVALID (e.g. 2026-02-30)."""
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, TypeError):
        return INVALID
    finally:
        loader.dispose()


def compose_file(path: Path) -> tuple[yaml.Node | None, str, list[Problem]]:
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


def node_date(node: yaml.Node) -> date | None:
    value = node_value(node)
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return None
