"""Spreadsheet banks (.xlsx, .csv): a header row, then one question per row."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from bot.content.importers.base import (
    JUDGE_WORDS_HINT,
    Defaults,
    Draft,
    ImportFailed,
    Item,
    Rejected,
    answer_letters,
    judge_value,
    normalized,
    read_text,
    strip_own_letter,
)
from bot.content.quizzes import LETTERS, QuestionType

REQUIRED = ("题型", "题干", "答案", "解析", "出处")
_HEADERS = {
    **dict.fromkeys(("题型", "类型", "题目类型"), "题型"),
    **dict.fromkeys(("题干", "题目"), "题干"),
    **dict.fromkeys(("答案", "正确答案", "标准答案"), "答案"),
    **dict.fromkeys(("解析", "答案解析"), "解析"),
    **dict.fromkeys(("出处", "来源", "依据"), "出处"),
    "难度": "难度",
    "标签": "标签",
}
_OPTION_HEADER_RE = re.compile(r"^选项([a-z])$")
_TYPES = {
    **dict.fromkeys(("单选", "单选题", "单项选择", "单项选择题", "single"), QuestionType.SINGLE),
    **dict.fromkeys(
        ("多选", "多选题", "多项选择", "多项选择题", "multiple"), QuestionType.MULTIPLE
    ),
    **dict.fromkeys(("判断", "判断题", "judge"), QuestionType.JUDGE),
}
_DIFFICULTIES = {"1": 1, "2": 2, "3": 3, "易": 1, "中": 2, "难": 3}
_TAG_SEPARATORS_RE = re.compile(r"[,，、;；]")
Row = tuple[int, list[str]]


def read_csv(path: Path, defaults: Defaults) -> list[Item]:
    """Questions from a CSV file (UTF-8, UTF-8 with BOM, or GB18030 as Chinese Excel saves it)."""
    text = read_text(path)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportFailed(f"{path}: not a valid CSV file ({exc})") from exc
    # A spreadsheet shows one CSV record per row, so the record number is the row number.
    return parse_rows(path, enumerate(records, start=1), defaults)


def read_xlsx(path: Path, defaults: Defaults) -> list[Item]:
    """Questions from the first sheet of an .xlsx workbook."""
    try:
        workbook = openpyxl.load_workbook(path, data_only=True)
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as exc:
        raise ImportFailed(f"{path}: cannot read as an .xlsx workbook ({exc})") from exc
    try:
        if not workbook.worksheets:
            raise ImportFailed(f"{path}: the workbook has no sheet")
        sheet = workbook.worksheets[0]
        rows = [
            (number, [_cell_text(value) for value in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()
    return parse_rows(path, rows, defaults)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    return str(value).replace("\r\n", "\n")


def parse_rows(path: Path, rows: Iterable[Row], defaults: Defaults) -> list[Item]:
    """Questions from numbered rows; the first non-blank row is the header."""
    columns: dict[str, int] | None = None
    options: dict[str, int] = {}
    items: list[Item] = []
    for number, cells in rows:
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if columns is None:
            columns, options = _header(path, cells, defaults)
            continue
        items.append(_row(number, cells, columns, options, defaults))
    if columns is None:
        raise ImportFailed(f"{path}: the file is empty (expected a header row)")
    return items


def _header(
    path: Path, cells: list[str], defaults: Defaults
) -> tuple[dict[str, int], dict[str, int]]:
    columns: dict[str, int] = {}
    options: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = normalized(cell)
        if name := _HEADERS.get(key):
            columns.setdefault(name, index)
        elif match := _OPTION_HEADER_RE.match(key):
            options.setdefault(match.group(1).upper(), index)
    optional = {"解析"} if defaults.explanation else set()
    optional |= {"出处"} if defaults.source else set()
    missing = [name for name in REQUIRED if name not in columns and name not in optional]
    if missing:
        raise ImportFailed(
            f"{path}: missing column {', '.join(missing)} in the header row (expected "
            f"{', '.join(REQUIRED)} and 选项A…选项F)"
        )
    return columns, options


def _row(
    number: int,
    cells: list[str],
    columns: dict[str, int],
    option_columns: dict[str, int],
    defaults: Defaults,
) -> Item:
    def cell(index: int | None) -> str:
        return cells[index] if index is not None and index < len(cells) else ""

    reasons: list[str] = []
    raw_type = cell(columns.get("题型"))
    qtype = _TYPES.get(normalized(raw_type))
    if qtype is None:
        shown = f"'{raw_type}' is not supported" if raw_type else "is empty"
        reasons.append(f"题型 {shown} (单选, 多选, 判断)")

    letters = [chr(code) for code in range(ord("A"), ord(max(option_columns, default="A")) + 1)]
    texts = [cell(option_columns.get(letter)) for letter in letters]
    while texts and not texts[-1]:
        texts.pop()
    for letter, text in zip(letters, texts, strict=False):
        if not text:
            reasons.append(f"选项{letter} is empty but a later option is not")
    if len(texts) > len(LETTERS):
        reasons.append(f"{len(texts)} options; at most {len(LETTERS)} (选项A…选项F)")
    options = tuple(strip_own_letter(text, i) for i, text in enumerate(texts))

    raw_answer = cell(columns.get("答案"))
    answer: tuple[str, ...] | bool = ()
    if qtype is QuestionType.JUDGE:
        value, judge_reasons = _judge_answer(raw_answer, options)
        reasons += judge_reasons
        answer, options = bool(value), ()
    elif qtype is not None:
        letters_given = answer_letters(raw_answer)
        if letters_given is None:
            shown = f"'{raw_answer}' is not option letters" if raw_answer else "is empty"
            reasons.append(f"答案 {shown} (e.g. B, ABD or A,B,D)")
        else:
            answer = letters_given

    explanation = cell(columns.get("解析")) or defaults.explanation
    if not explanation:
        reasons.append("解析 is empty (every question needs an explanation)")
    source = cell(columns.get("出处")) or defaults.source
    if not source:
        reasons.append("出处 is empty (every question needs a source)")
    raw_difficulty = cell(columns.get("难度"))
    difficulty = _DIFFICULTIES.get(normalized(raw_difficulty) or "2")
    if difficulty is None:
        reasons.append(f"难度 '{raw_difficulty}' must be 1, 2 or 3")
    tags = [t.strip() for t in _TAG_SEPARATORS_RE.split(cell(columns.get("标签")))]

    if reasons or qtype is None or difficulty is None:
        return Rejected(f"row {number}", "; ".join(reasons))
    return Draft(
        location=f"row {number}",
        type=qtype,
        stem=cell(columns.get("题干")),
        options=options,
        answer=answer,
        explanation=explanation,
        source=source,
        difficulty=difficulty,
        tags=tuple(dict.fromkeys(t for t in tags if t)),
    )


def _judge_answer(raw: str, options: tuple[str, ...]) -> tuple[bool | None, list[str]]:
    """A judge answer; templates that fill 选项A/B with 正确/错误 may answer with a letter."""
    words = [judge_value(option) for option in options]
    if any(word is None for word in words):
        return None, ["a 判断 question has no options, but 选项A… are filled in"]
    value = judge_value(raw)
    letters = answer_letters(raw) if value is None else None
    index = LETTERS.find(letters[0]) if letters is not None and len(letters) == 1 else -1
    if 0 <= index < len(words):
        value = words[index]
    if value is None:
        shown = f"'{raw}' is not a judge answer" if raw else "is empty"
        return None, [f"答案 {shown} ({JUDGE_WORDS_HINT})"]
    return value, []
