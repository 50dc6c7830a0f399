"""The lint's thresholds (fixed for every author) and its word lists (content/lint.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.content.problems import ContentError, Problem

JUDGE_TRUE_RANGE = (0.40, 0.60)
JUDGE_BANK_MIN = 8
LONGEST_KEY_MAX = 0.20
LONGEST_KEY_BANK_MAX = 0.30
LONGEST_KEY_BANK_MIN = 10
CUE_GAP_MAX = 0.03
ONE_WRONG_MAX = 0.40
ALL_RIGHT_MAX = 0.15
DUPLICATE_SIMILARITY = 0.85
TRIVIA_MAX = 0.10

RULES = (
    "judge balance",
    "longest key",
    "absolute cues",
    "multiple key count",
    "near-duplicate stems",
    "superseded versions",
    "trivia stems",
)


@dataclass(frozen=True)
class Superseded:
    """A document version that is no longer the rule, and how to find a mention of it."""

    document: str
    current: str
    patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class LintRules:
    """The word lists and patterns from `content/lint.yaml`."""

    cue_words: tuple[str, ...]
    trivia_ask: tuple[tuple[str, re.Pattern[str]], ...]
    trivia_state: tuple[tuple[str, re.Pattern[str]], ...]
    superseded: tuple[Superseded, ...]
    history_markers: tuple[re.Pattern[str], ...]


def default_rules_path(quiz_dir: Path) -> Path:
    """`lint.yaml` beside the quiz folder, else the one shipped with this code."""
    beside = quiz_dir.parent / "lint.yaml"
    if beside.is_file():
        return beside
    return Path(__file__).resolve().parents[3] / "content" / "lint.yaml"


def load_rules(path: Path) -> LintRules:
    """Read the lint lists; a bad file raises ContentError naming the file and key."""
    where = str(path)

    def fail(key: str, message: str) -> ContentError:
        return ContentError([Problem(where, 1, key, message)])

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise fail("-", f"cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        raise fail("-", f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise fail("-", "expected a mapping with cue_words, trivia, superseded, history_markers")

    def texts(value: Any, key: str) -> list[str]:
        if not isinstance(value, list) or not value:
            raise fail(key, "expected a non-empty list of texts")
        if not all(isinstance(v, str) and v.strip() for v in value):
            raise fail(key, "expected a non-empty list of texts")
        return [v.strip() for v in value]

    def pattern(text: Any, key: str) -> re.Pattern[str]:
        if not isinstance(text, str) or not text:
            raise fail(key, "expected a regular expression")
        try:
            return re.compile(text)
        except re.error as exc:
            raise fail(key, f"not a valid regular expression: {exc}") from None

    def named(value: Any, key: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
        if not isinstance(value, dict) or not value:
            raise fail(key, "expected a mapping of name: pattern")
        return tuple((str(k), pattern(v, f"{key}.{k}")) for k, v in value.items())

    cue_words = tuple(texts(data.get("cue_words"), "cue_words"))
    trivia = data.get("trivia")
    if not isinstance(trivia, dict):
        raise fail("trivia", "expected a mapping with ask and state")
    trivia_ask = named(trivia.get("ask"), "trivia.ask")
    trivia_state = named(trivia.get("state"), "trivia.state")
    raw_superseded = data.get("superseded")
    if not isinstance(raw_superseded, list) or not raw_superseded:
        raise fail("superseded", "expected a non-empty list")
    superseded = []
    for i, entry in enumerate(raw_superseded):
        key = f"superseded[{i}]"
        if not isinstance(entry, dict):
            raise fail(key, "expected a mapping with document, current, patterns")
        for name in ("document", "current"):
            if not isinstance(entry.get(name), str) or not entry[name].strip():
                raise fail(f"{key}.{name}", "expected a text")
        patterns = texts(entry.get("patterns"), f"{key}.patterns")
        superseded.append(
            Superseded(
                entry["document"].strip(),
                entry["current"].strip(),
                tuple(pattern(p, f"{key}.patterns[{j}]") for j, p in enumerate(patterns)),
            )
        )
    markers = texts(data.get("history_markers"), "history_markers")
    return LintRules(
        cue_words=cue_words,
        trivia_ask=trivia_ask,
        trivia_state=trivia_state,
        superseded=tuple(superseded),
        history_markers=tuple(pattern(m, f"history_markers[{i}]") for i, m in enumerate(markers)),
    )
