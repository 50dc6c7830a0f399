"""Turn question banks that organisations already have into YAML banks (`content import`).

Reads .xlsx and .csv sheets (题型, 题干, 选项A–F, 答案, 解析, 出处), Moodle Aiken (.txt, .aiken)
and Moodle GIFT (.gift, or .txt with GIFT answer blocks). Every row or question that cannot be
converted is reported in `ImportResult.rejected`; the YAML always passes `parse_bank`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.content.importers.aiken import looks_like_aiken, parse_aiken
from bot.content.importers.base import (
    Defaults,
    Draft,
    ImportFailed,
    Item,
    Rejected,
    UnsupportedFormat,
    read_text,
)
from bot.content.importers.gift import looks_like_gift, parse_gift
from bot.content.importers.tables import read_csv, read_xlsx
from bot.content.quizzes import QuestionType, parse_bank

__all__ = ["ImportFailed", "ImportResult", "Rejected", "UnsupportedFormat", "import_file"]

SUFFIXES = (".xlsx", ".csv", ".txt", ".aiken", ".gift")
# Question ids must be 2–64 characters of a-z, 0-9 and '-'; keep room for "-0001".
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,55}$")


@dataclass(frozen=True)
class ImportResult:
    """A converted bank and whatever could not be converted."""

    bank_yaml: str
    imported: int
    rejected: list[Rejected]


def import_file(
    path: Path,
    *,
    bank_id: str | None = None,
    title: str | None = None,
    id_prefix: str | None = None,
    default_explanation: str | None = None,
    default_source: str | None = None,
) -> ImportResult:
    """Convert a question file into the YAML of one bank; raise if it cannot be read at all."""
    read = _reader(path)
    bank_id = bank_id or _default_id(path)
    prefix = id_prefix or bank_id
    for name, value in (("bank id", bank_id), ("id prefix", prefix)):
        if not _ID_RE.match(value):
            raise ImportFailed(f"{name} {value!r} must be 2–56 characters of a-z, 0-9 and '-'")
    if len(bank_id) > 40:
        # Bank ids travel in button data; the bank validator allows 40 characters.
        raise ImportFailed(f"bank id {bank_id!r} must be at most 40 characters")
    title = (title or path.stem).strip()
    if not title:
        raise ImportFailed("the bank title is empty")
    if not path.is_file():
        raise ImportFailed(f"{path}: no such file")
    defaults = Defaults((default_explanation or "").strip(), (default_source or "").strip())
    return _convert(path, read(path, defaults), bank_id, title, prefix)


def _reader(path: Path) -> Callable[[Path, Defaults], list[Item]]:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return read_xlsx
    if suffix == ".csv":
        return read_csv
    if suffix == ".gift":
        return lambda p, d: parse_gift(read_text(p), d)
    if suffix == ".aiken":
        return lambda p, d: parse_aiken(read_text(p), d)
    if suffix == ".txt":
        return _read_txt
    hint = " (save .xls workbooks as .xlsx)" if suffix == ".xls" else ""
    raise UnsupportedFormat(
        f"{path.name}: unsupported file type {suffix or '(none)'!r}; "
        f"use {', '.join(SUFFIXES)}{hint}"
    )


def _read_txt(path: Path, defaults: Defaults) -> list[Item]:
    """Aiken or GIFT, told apart by Aiken's "ANSWER:" lines and GIFT's {…} answer blocks."""
    text = read_text(path)
    if not looks_like_aiken(text) and looks_like_gift(text):
        return parse_gift(text, defaults)
    return parse_aiken(text, defaults)


def _default_id(path: Path) -> str:
    """A bank id from the file name; names that are not plain ASCII get a stable hash."""
    stem = path.stem
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower())[:40].strip("-")
    if stem.isascii() and len(slug) >= 2:
        return slug
    digest = hashlib.sha1(stem.encode("utf-8"), usedforsecurity=False).hexdigest()
    return f"imported-{digest[:8]}"


def _convert(
    path: Path, items: Sequence[Item], bank_id: str, title: str, prefix: str
) -> ImportResult:
    """The bank's YAML; questions the bank rules refuse move to the rejected, with the reason."""
    items = list(items)
    while True:
        positions = [i for i, item in enumerate(items) if isinstance(item, Draft)]
        drafts = [item for item in items if isinstance(item, Draft)]
        rejected = [item for item in items if isinstance(item, Rejected)]
        if not drafts:
            found = f"all {len(rejected)} rejected" if rejected else "no questions found"
            raise ImportFailed(f"{path}: nothing to import ({found})", rejected)
        ids = _question_ids(prefix, len(drafts))
        text = _bank_yaml(bank_id, title, drafts, ids)
        _, problems = parse_bank(text, "<import>")
        if not problems:
            return ImportResult(text, len(drafts), rejected)
        reasons: dict[str, list[str]] = {}
        for problem in problems:
            if problem.item not in ids:
                raise ImportFailed(f"{path}: {problem.message}")
            reasons.setdefault(problem.item, []).append(problem.message)
        for position, draft, qid in zip(positions, drafts, ids, strict=True):
            if qid in reasons:
                items[position] = Rejected(draft.location, "; ".join(reasons[qid]))


def _question_ids(prefix: str, count: int) -> list[str]:
    width = max(3, len(str(count)))
    return [f"{prefix}-{n:0{width}d}" for n in range(1, count + 1)]


def _bank_yaml(bank_id: str, title: str, drafts: list[Draft], ids: list[str]) -> str:
    questions = []
    for qid, draft in zip(ids, drafts, strict=True):
        question: dict[str, Any] = {"id": qid, "type": draft.type.value, "stem": draft.stem}
        if draft.type is not QuestionType.JUDGE:
            question["options"] = list(draft.options)
        answer: Any = draft.answer
        if isinstance(answer, tuple):
            single = draft.type is QuestionType.SINGLE and len(answer) == 1
            answer = answer[0] if single else list(answer)
        question["answer"] = answer
        question |= {
            "explanation": draft.explanation,
            "source": draft.source,
            "difficulty": draft.difficulty,
        }
        if draft.tags:
            question["tags"] = list(draft.tags)
        questions.append(question)
    bank = {"id": bank_id, "title": title, "description": "", "tags": [], "questions": questions}
    return yaml.safe_dump(bank, allow_unicode=True, sort_keys=False, width=1000)
