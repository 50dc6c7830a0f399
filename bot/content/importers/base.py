"""What every reader produces (question drafts and rejected rows) and the text rules they share."""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

from bot.content.quizzes import LETTERS, QuestionType


@dataclass(frozen=True)
class Rejected:
    """A row or question that could not be converted, and why."""

    location: str
    reason: str


class UnsupportedFormat(Exception):
    """The file's type is not one the importer reads."""


class ImportFailed(Exception):
    """The file cannot be read as a question bank, or nothing in it could be imported."""

    def __init__(self, message: str, rejected: Sequence[Rejected] = ()) -> None:
        super().__init__(message)
        self.rejected = list(rejected)


@dataclass(frozen=True)
class Defaults:
    """Explanation and source for questions whose file gives none (chosen by whoever imports)."""

    explanation: str = ""
    source: str = ""


@dataclass(frozen=True)
class Draft:
    """A question read from a file, before it gets an id and meets the bank rules."""

    location: str
    type: QuestionType
    stem: str
    options: tuple[str, ...]
    answer: tuple[str, ...] | bool  # option letters; true/false for a judge question
    explanation: str
    source: str
    difficulty: int = 2
    tags: tuple[str, ...] = ()


Item: TypeAlias = Draft | Rejected

_OWN_LETTER_RE = re.compile(r"^\s*[(（]?([A-FＡ-Ｆ])\s*[)）.．、:：]\s*")
_ANSWER_SEPARATORS_RE = re.compile(r"[\s,、;/|]+")
_META_RE = re.compile(
    r"^(解析|答案解析|explanation|出处|来源|source)\s*[:：]\s*(.*)$", re.IGNORECASE
)
_META_KEYS = {"解析": "explanation", "答案解析": "explanation", "出处": "source", "来源": "source"}
_JUDGE_WORDS = {
    **dict.fromkeys(("正确", "对", "√", "✓", "✔", "t", "true", "是"), True),
    **dict.fromkeys(("错误", "错", "×", "✗", "✘", "f", "false", "否"), False),
}
JUDGE_WORDS_HINT = "正确/错误, 对/错, √/×, T/F, true/false, 是/否"


def normalized(text: str) -> str:
    """A key for comparing what people type: half-width, no spaces, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def read_text(path: Path) -> str:
    """A text file's content: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" export.
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        # Chinese Excel and Notepad save "ANSI" text as GBK, which GB18030 contains.
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")
        except UnicodeDecodeError:
            continue
    raise ImportFailed(f"{path}: not UTF-8 or GB18030 text; save it as UTF-8")


def strip_own_letter(text: str, index: int) -> str:
    """An option without a leading "A." / "A、" / "(A)" left in it, if that is its own letter."""
    match = _OWN_LETTER_RE.match(text)
    if match is None or index >= len(LETTERS):
        return text
    rest = text[match.end() :]
    same = unicodedata.normalize("NFKC", match.group(1)) == LETTERS[index]
    return rest if same and rest.strip() else text


def answer_letters(text: str) -> tuple[str, ...] | None:
    """Option letters from "B", "ABD", "A,B,D", "A、B、D" or "a b"; None if it is not letters."""
    letters = _ANSWER_SEPARATORS_RE.sub("", unicodedata.normalize("NFKC", text).upper())
    if not letters or not (letters.isascii() and letters.isalpha()):
        return None
    return tuple(sorted(set(letters)))


def judge_value(text: str) -> bool | None:
    """True or false from 正确/错误, 对/错, √/×, T/F, true/false, 是/否; None otherwise."""
    return _JUDGE_WORDS.get(normalized(text))


def meta_line(line: str) -> tuple[str, str] | None:
    """("explanation" | "source", text) from a line like "解析：…" or "SOURCE: …"."""
    match = _META_RE.match(line.strip())
    if match is None:
        return None
    key = match.group(1)
    return _META_KEYS.get(key, key.lower()), match.group(2).strip()


def shorten(text: str, limit: int = 40) -> str:
    """Text cut to fit in a one-line message."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
