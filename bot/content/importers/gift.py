"""Moodle GIFT text (https://docs.moodle.org/en/GIFT_format): multiple choice and true/false.

Read the way Moodle's own importer (question/format/gift/format.php) reads it: questions are
separated by blank lines, "//" lines are comments, an answer block with a "=" answer is
single-choice, one without is multiple-answer with the positive "~%w%" weights right.
The explanation is the general feedback ("####…"), else the right answers' feedback; the
source is a "// 出处：…" or "// source: …" comment in the question's lines.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.content.importers.base import (
    Defaults,
    Draft,
    Item,
    Rejected,
    meta_line,
    shorten,
    strip_own_letter,
)
from bot.content.quizzes import QuestionType

# Escaped control characters become private-use placeholders while the text is split up.
_ESCAPES = {"\\": "\ue000", ":": "\ue001", "#": "\ue002", "=": "\ue003"}
_ESCAPES |= {"{": "\ue004", "}": "\ue005", "~": "\ue006", "n": "\ue007"}
_ESCAPE_RE = re.compile(r"\\([\\:#={}~n])")
_RESTORE = str.maketrans({v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()})
_BLOCK_RE = re.compile(r"(?<!\\)\{[^{}]*(?<!\\)\}")
_FORMAT_RE = re.compile(r"^\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_WEIGHT_RE = re.compile(r"^%(-?\d+(?:\.\d*)?)%")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}

Line = tuple[int, str]


@dataclass(frozen=True)
class _Answer:
    text: str
    weight: float
    marked_right: bool  # written with "=", not "~"
    feedback: str


def looks_like_gift(text: str) -> bool:
    """Whether text has GIFT answer blocks ({…})."""
    return _BLOCK_RE.search(text) is not None


def parse_gift(text: str, defaults: Defaults) -> list[Item]:
    """Questions from GIFT text."""
    items: list[Item] = []
    for block in _blocks(text):
        comments = [line.strip()[2:] for _, line in block if line.strip().startswith("//")]
        body = [(n, line) for n, line in block if not line.strip().startswith("//")]
        if body and body[0][1].strip().startswith("$CATEGORY:"):
            body = body[1:]
        if not body:
            continue
        question = "\n".join(line for _, line in body).strip()
        location = f"question {len(items) + 1} (line {body[0][0]})"
        items.append(_question(location, question, comments, defaults))
    return items


def _blocks(text: str) -> list[list[Line]]:
    blocks: list[list[Line]] = [[]]
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            blocks[-1].append((number, line))
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _question(location: str, text: str, comments: list[str], defaults: Defaults) -> Item:
    text = _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(1)], text)
    if text.startswith("::") and (end := text.find("::", 2)) >= 0:
        text = text[end + 2 :].strip()  # the title names the question in Moodle only
    start, finish = text.find("{"), text.find("}")
    if start < 0 and finish < 0:
        return Rejected(location, "no answer block {…}: text without answers is not a question")
    if start < 0 or finish < start or "{" in text[start + 1 : finish]:
        return Rejected(location, "unbalanced { and } (write a literal brace as \\{ or \\})")
    if "{" in text[finish:]:
        return Rejected(location, "two answer blocks: separate questions with a blank line")
    if text[finish + 1 :].strip():
        return Rejected(
            location, "missing-word question (text after the answer block) is not supported"
        )
    fmt = _format(text)
    block, general = text[start + 1 : finish], ""
    if "####" in block:
        block, general = block.rsplit("####", 1)
    read = _answers(block.strip(), fmt)
    if isinstance(read, str):
        return Rejected(location, read)
    qtype, options, answer, feedback = read

    meta: dict[str, list[str]] = {"explanation": [], "source": []}
    for comment in comments:
        if (found := meta_line(comment)) is not None and found[1]:
            meta[found[0]].append(found[1])
    explanation = (
        _plain(general, fmt) or feedback or "\n".join(meta["explanation"]) or defaults.explanation
    )
    source = "\n".join(meta["source"]) or defaults.source
    reasons = []
    if not explanation:
        reasons.append(
            "no explanation: add general feedback '####…' or feedback on the right answer, "
            "or give one for the whole file (--explanation)"
        )
    if not source:
        reasons.append(
            "no source: add a comment line '// 出处：…' above the question, or give one for "
            "the whole file (--source)"
        )
    if reasons:
        return Rejected(location, "; ".join(reasons))
    stem = _plain(text[:start], fmt)
    return Draft(location, qtype, stem, options, answer, explanation, source)


def _answers(
    block: str, fmt: str
) -> tuple[QuestionType, tuple[str, ...], tuple[str, ...] | bool, str] | str:
    """Type, options, answer and the right answers' feedback; or why the block is refused."""
    if not block:
        return "essay question ({}) is not supported"
    if block.startswith("#"):
        return "numerical question ({#…}) is not supported"
    if "~" not in block and "=" in block and "->" in block:
        return "matching question (… -> …) is not supported"
    if "~" not in block:
        answer, wrong_feedback, right_feedback = [*block.split("#", 2), "", ""][:3]
        value = _TRUE_FALSE.get(answer.strip().upper())
        if value is None:
            return "short-answer question ({=…} without '~' wrong answers) is not supported"
        # A lone "#…" is the feedback shown to those who answered wrong; it explains too.
        feedback = _plain(right_feedback, fmt) or _plain(wrong_feedback, fmt)
        return QuestionType.JUDGE, (), value, feedback

    head, *raw_answers = block.replace("=", "~=").split("~")
    if head.strip():
        return f"text '{shorten(_plain(head, fmt))}' before the first answer"
    answers = [_answer(raw, fmt) for raw in raw_answers]
    if any(not a.text for a in answers):
        return "an answer is empty"
    marked = [i for i, a in enumerate(answers) if a.marked_right]
    if marked:
        # Moodle makes this a one-choice question: any "=" answer gets full marks.
        if len(marked) > 1:
            return (
                "more than one '=' answer: Moodle accepts any one of them, which a bank question "
                "cannot express (use ~%50% weights for a question with several right answers)"
            )
        if any(a.weight > 0 for a in answers if not a.marked_right):
            return "partial credit (~%…% on a wrong answer) is not supported"
        right = marked
    else:
        right = [i for i, a in enumerate(answers) if a.weight > 0]
        if not right:
            return "no right answer (mark it with '=' or a positive ~%…% weight)"
    qtype = QuestionType.MULTIPLE if len(right) > 1 else QuestionType.SINGLE
    options = tuple(strip_own_letter(a.text, i) for i, a in enumerate(answers))
    letters = tuple(chr(ord("A") + i) for i in right)
    feedback = "\n".join(dict.fromkeys(answers[i].feedback for i in right if answers[i].feedback))
    return qtype, options, letters, feedback


def _answer(raw: str, fmt: str) -> _Answer:
    raw = raw.strip()
    marked_right = raw.startswith("=")
    raw = raw.removeprefix("=").lstrip()
    weight = 100.0 if marked_right else 0.0
    if match := _WEIGHT_RE.match(raw):
        weight, raw = float(match.group(1)), raw[match.end() :]
    text, _, feedback = raw.partition("#")
    return _Answer(_plain(text, fmt), weight, marked_right, _plain(feedback, fmt))


def _format(text: str) -> str:
    match = _FORMAT_RE.match(text.strip())
    return match.group(1).lower() if match else "moodle"


def _plain(text: str, fmt: str) -> str:
    """Text with its [format] prefix removed, HTML made plain, and escapes restored."""
    text = text.strip()
    if match := _FORMAT_RE.match(text):
        fmt, text = match.group(1).lower(), text[match.end() :]
    if fmt == "html":
        text = re.sub(r"<br\s*/?>|</p>", "\n", text, flags=re.IGNORECASE)
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return text.translate(_RESTORE).strip()
