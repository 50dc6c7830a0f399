"""Moodle Aiken text (https://docs.moodle.org/en/Aiken_format), with 解析/出处 lines as extension.

A question is its text, options "A. …" or "A) …", and "ANSWER: B"; after the ANSWER line,
"解析：…" / "EXPLANATION: …" and "出处：…" / "SOURCE: …" lines may follow. "ANSWER: A, C" (more
than one letter) makes a multiple-choice question.
"""

from __future__ import annotations

import re
import unicodedata

from bot.content.importers.base import (
    Defaults,
    Draft,
    Item,
    Rejected,
    answer_letters,
    meta_line,
    shorten,
)
from bot.content.quizzes import QuestionType

_OPTION_RE = re.compile(r"^([A-ZＡ-Ｚ])\s*[.)．）、]\s*(.+)$")
_ANSWER_RE = re.compile(r"^(?:ANSWER|答案)\s*[:：]\s*(.*)$", re.IGNORECASE)

Line = tuple[int, str]


def looks_like_aiken(text: str) -> bool:
    """Whether text has Aiken's "ANSWER:" lines."""
    return any(_ANSWER_RE.match(line.strip()) for line in text.split("\n"))


def parse_aiken(text: str, defaults: Defaults) -> list[Item]:
    """Questions from Aiken text."""
    return [
        _question(f"question {n} (line {block[0][0]})", block, defaults)
        for n, block in enumerate(_blocks(text), start=1)
    ]


def _blocks(text: str) -> list[list[Line]]:
    """Lines grouped by question: a blank line, or a new text after the ANSWER, starts one."""
    blocks: list[list[Line]] = []
    current: list[Line] = []
    answered = False
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if current and (not line or (answered and meta_line(line) is None)):
            blocks.append(current)
            current, answered = [], False
        if line:
            current.append((number, line))
            answered = answered or _ANSWER_RE.match(line) is not None
    if current:
        blocks.append(current)
    return blocks


def _question(location: str, block: list[Line], defaults: Defaults) -> Item:
    stem = [block[0][1]]
    options: list[str] = []
    answer: str | None = None
    meta: dict[str, list[str]] = {"explanation": [], "source": []}
    reasons: list[str] = []
    for number, line in block[1:]:
        found = meta_line(line)
        if found is not None:
            meta[found[0]].append(found[1])
        elif match := _ANSWER_RE.match(line):
            answer = match.group(1)
        elif match := _OPTION_RE.match(line):
            letter, expected = (
                unicodedata.normalize("NFKC", match.group(1)),
                chr(ord("A") + len(options)),
            )
            if letter != expected:
                reasons.append(f"line {number}: option {letter} where {expected} was expected")
            options.append(match.group(2).strip())
        elif not options:
            stem.append(line)
        else:
            reasons.append(
                f"line {number}: expected an option 'X. …' or 'ANSWER: …', got '{shorten(line)}'"
            )

    letters = answer_letters(answer) if answer else None
    if not options:
        reasons.append("no options (lines like 'A. …')")
    if answer is None:
        reasons.append("no 'ANSWER: …' line")
    elif letters is None:
        reasons.append(f"ANSWER '{answer}' is not option letters")
    explanation = "\n".join(t for t in meta["explanation"] if t) or defaults.explanation
    if not explanation:
        reasons.append(
            "no explanation: add a line '解析：…' after ANSWER, or give one for the whole file "
            "(--explanation)"
        )
    source = "\n".join(t for t in meta["source"] if t) or defaults.source
    if not source:
        reasons.append(
            "no source: add a line '出处：…' after ANSWER, or give one for the whole file "
            "(--source)"
        )
    if reasons or letters is None:
        return Rejected(location, "; ".join(reasons))
    return Draft(
        location=location,
        type=QuestionType.MULTIPLE if len(letters) > 1 else QuestionType.SINGLE,
        stem="\n".join(stem),
        options=tuple(options),
        answer=letters,
        explanation=explanation,
        source=source,
    )
