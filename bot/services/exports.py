"""`python -m bot export quiz|reports|members|items`: CSV or XLSX for offline filing.

One language per file, the configured one: headers, session kinds, statuses, report
categories and roles (a member without a role is a cadre, 干部); banks by their titles, times
in the configured zone. Large
tables stream: rows are read in batches and XLSX is written in openpyxl's write-only mode.
Names and units come from members and reporters, so no cell may run as a formula: CSV text
cells that start with = + - @, a tab or CR get a leading ' (as the reviewers' in-bot CSV), and
XLSX text cells are written as strings, never formulas. Files are created 0600.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.config import Config
from bot.domain.members import Role
from bot.domain.quiz import score_percent
from bot.domain.reports import Category, csv_cell
from bot.i18n import Translate, translator
from bot.services.delivery import DeliveryService
from bot.services.items import ItemAnalysisService, export_row
from bot.services.quiz import QuizService
from bot.storage.database import Database
from bot.storage.exports import QUERIES, count_rows, stream_rows
from bot.storage.files import make_private_dir, new_private_file

KINDS = (*QUERIES, "items")
FORMATS = ("csv", "xlsx")
_HEADER_KEYS = {
    "quiz": "export.quiz_columns",
    "reports": "export.report_columns",
    "members": "export.member_columns",
    "items": "export.items_columns",
}

Progress = Callable[[int, int], None]  # (rows written, total rows)
Row = Mapping[str, Any]


def format_for(out: Path, requested: str | None) -> str:
    """The requested format, else the one the file name suggests (.xlsx), else csv."""
    if requested:
        return requested
    return "xlsx" if out.suffix.lower() == ".xlsx" else "csv"


class _Sink:
    """Rows into a file written beside `out` and moved into place when complete."""

    def __init__(self, out: Path, fmt: str, sheet: str, header: Sequence[str]) -> None:
        self.out = out
        self.partial = out.with_name(f".{out.name}.part")
        make_private_dir(out.parent)
        # Opening an existing file for writing keeps its mode: create it 0600 first.
        new_private_file(self.partial)
        self.fmt = fmt
        if fmt == "csv":
            # utf-8 with a BOM: Excel then opens the Chinese text correctly.
            self._file = self.partial.open("w", encoding="utf-8-sig", newline="")
            self._csv = csv.writer(self._file)
            self._csv.writerow(header)
        else:
            from openpyxl import Workbook

            self._book = Workbook(write_only=True)
            self._sheet = self._book.create_sheet(sheet)
            self._sheet.append(list(header))

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        """Append rows (text cells made safe for spreadsheets)."""
        if self.fmt == "csv":
            self._csv.writerows([csv_cell(v) if isinstance(v, str) else v for v in r] for r in rows)
        else:
            for row in rows:
                self._sheet.append([self._xlsx_cell(v) for v in row])

    def _xlsx_cell(self, value: Any) -> Any:
        """Text as an explicit string cell: openpyxl would store "=…" as a formula."""
        if not isinstance(value, str):
            return value
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self._sheet, value=value)
        cell.data_type = "s"
        return cell

    def close(self) -> None:
        """Finish the file and give it its final name."""
        if self.fmt == "csv":
            self._file.close()
        else:
            self._book.save(self.partial)
        os.replace(self.partial, self.out)

    def discard(self) -> None:
        """Drop the unfinished file."""
        if self.fmt == "csv":
            self._file.close()
        self.partial.unlink(missing_ok=True)


class _Rows:
    """Database rows → the cells an export writes."""

    def __init__(
        self, config: Config, t: Translate, banks: Mapping[str, str] | None = None
    ) -> None:
        self.config = config
        self.t = t
        self.departments = {d.id: d.name for d in config.departments}
        self.banks = banks or {}  # bank id → title (a bank removed since keeps its id)
        self.categories = {c.value for c in Category}

    def when(self, stored: str | None) -> str:
        if not stored:
            return ""
        local = datetime.fromisoformat(stored).astimezone(self.config.timezone)
        return local.strftime("%Y-%m-%d %H:%M:%S")

    def department(self, department_id: str | None) -> str:
        if department_id is None:
            return ""
        return self.departments.get(department_id, department_id)

    def quiz(self, r: Row) -> list[Any]:
        total = int(r["total"] or 0)
        return [
            r["id"],
            r["user_id"],
            r["first_name"] or "",
            self.department(r["department_id"]),
            self.t(f"export.kind.{r['kind']}"),
            self.banks.get(r["bank_id"], r["bank_id"]) if r["bank_id"] else "",
            self.when(r["started_at"]),
            self.when(r["finished_at"]),
            r["correct"],
            total,
            score_percent(r["correct"], total),
        ]

    def reports(self, r: Row) -> list[Any]:
        return [
            r["ref"],
            self.t(f"reports.category.{r['category']}")
            if r["category"] in self.categories
            else r["category"],
            r["unit"],
            self.t(f"export.report_status.{r['status']}"),
            r["submitted_on"],
            r["closed_on"] or "",
            r["attachments"],
            r["from_reporter"],
            r["replies"],
        ]

    def members(self, r: Row) -> list[Any]:
        roles = set(self.config.config_roles(r["user_id"])) if r["status"] != "left" else set()
        roles |= {Role(x) for x in (r["roles"] or "").split()}
        return [
            r["user_id"],
            r["first_name"],
            r["username"] or "",
            r["department_id"] or "",
            self.department(r["department_id"]),
            self.t(f"export.status.{r['status']}"),
            self._roles(roles, left=r["status"] == "left"),
            self.when(r["joined_at"]),
            self.t("export.yes") if r["daily_question"] else self.t("export.no"),
        ]

    def _roles(self, roles: set[Role], *, left: bool) -> str:
        if left:
            return ""
        if not roles:
            return self.t("role.cadre")
        return self.t("common.list_separator").join(
            self.t(f"role.{role.value}") for role in Role if role in roles
        )


async def export_table(
    config: Config,
    db: Database,
    kind: str,
    fmt: str,
    out: Path,
    progress: Progress | None = None,
) -> int:
    """Write one export file; return how many rows it holds (header not counted)."""
    if kind not in KINDS or fmt not in FORMATS:
        raise ValueError(f"unknown export {kind!r} as {fmt!r}")
    t = translator(config.language)
    if kind == "items":
        return await _export_items(config, db, fmt, out, t, progress)
    banks = {}
    if kind == "quiz":
        banks = {b.id: b.title for b in QuizService.load(config, db).banks}
    convert = getattr(_Rows(config, t, banks), kind)
    query = QUERIES[kind]
    total = await count_rows(db, query)
    sink = _Sink(out, fmt, kind, t(_HEADER_KEYS[kind]).split(","))
    written = 0
    try:
        if progress:
            progress(0, total)
        async for batch in stream_rows(db, query):
            sink.write([convert(r) for r in batch])
            written += len(batch)
            if progress:
                progress(written, max(total, written))
        sink.close()
    except BaseException:
        sink.discard()
        raise
    return written


async def _export_items(
    config: Config, db: Database, fmt: str, out: Path, t: Translate, progress: Progress | None
) -> int:
    """Every live question with its item analysis (computed, not a table: no streaming)."""
    quiz = QuizService.load(config, db)
    report = await ItemAnalysisService(config, db, quiz, DeliveryService(config, db)).report()
    sink = _Sink(out, fmt, "items", t(_HEADER_KEYS["items"]).split(","))
    try:
        sink.write([export_row(t, line) for line in report.lines])
        sink.close()
    except BaseException:
        sink.discard()
        raise
    if progress:
        progress(len(report.lines), len(report.lines))
    return len(report.lines)
