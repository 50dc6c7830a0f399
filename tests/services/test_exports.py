"""Exports: the files open (csv module, openpyxl) and hold exactly the database's rows."""

from __future__ import annotations

import asyncio
import csv
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.cli import main
from bot.config import Config, parse_config
from bot.services.exports import export_table
from bot.storage.database import Database
from tests.harness import DEPARTMENTS
from tests.tg.digest_support import OFFICE_LEFT, seed_activity, seed_members


def _config(tmp_path: Path) -> Config:
    return parse_config(
        {
            "storage": {"path": str(tmp_path / "bot.db")},
            "organization": {"departments": DEPARTMENTS},
            "roles": {"admins": [1001], "leaders": [2001]},
        },
        require_token=False,
    )


@pytest.fixture
async def seeded(tmp_path: Path) -> AsyncIterator[tuple[Config, Database]]:
    """A database with members, two weeks of quizzes and reports (with attachments, messages)."""
    config = _config(tmp_path)
    db = Database(config.storage_path)
    await db.open()
    await seed_members(db)
    await seed_activity(db)
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO report_attachments (report_id, position, kind, file_id) "
            "VALUES (1, 0, 'photo', 'f1'), (1, 1, 'document', 'f2')"
        )
        await tx.execute(
            "INSERT INTO report_messages (report_id, seq, direction, body, sent_on) VALUES "
            "(1, 1, 'reporter', '补充', '2026-09-09'), (1, 2, 'reviewer', '已收到', '2026-09-10'), "
            "(3, 1, 'reviewer', '核查中', '2026-09-01')"
        )
        await tx.execute(
            "INSERT INTO member_roles (user_id, role, granted_at) VALUES (1002, 'reviewer', 't')"
        )
    try:
        yield config, db
    finally:
        await db.close()


def _read(path: Path) -> list[list[Any]]:
    if path.suffix == ".xlsx":
        book = load_workbook(path, read_only=True)
        rows = [list(r) for r in book.active.iter_rows(values_only=True)]
        book.close()
        return rows
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def _text(rows: list[list[Any]]) -> list[list[str]]:
    """Cells as text (csv has only text; openpyxl gives numbers back as numbers)."""
    return [["" if c is None else str(c) for c in row] for row in rows]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
async def test_quiz_export_has_every_finished_session(
    seeded: tuple[Config, Database], tmp_path: Path, fmt: str
) -> None:
    config, db = seeded
    out = tmp_path / f"quiz.{fmt}"
    progress: list[tuple[int, int]] = []
    written = await export_table(config, db, "quiz", fmt, out, lambda d, t: progress.append((d, t)))
    expected = await db.fetchall(
        "SELECT s.id, s.user_id, s.correct, json_array_length(s.items), s.kind, m.department_id "
        "FROM quiz_sessions s JOIN members m USING (user_id) WHERE s.status = 'finished' "
        "ORDER BY s.finished_at, s.id"
    )
    rows = _text(_read(out))
    header = "会话编号 成员ID 姓名 部门 类型 题库 开始时间 完成时间 答对 题数 得分"
    assert rows[0] == header.split()
    assert written == len(expected) == len(rows) - 1 == 14  # 15 seeded, one abandoned
    assert progress[0] == (0, 14)
    assert progress[-1] == (14, 14)
    names = {"office": "办公室", "command": "应急指挥科", "safety": "安全生产监督管理科"}
    kinds = {"quiz": "自测", "review": "错题复习", "daily": "每日一题", "assigned": "专项测试"}
    for row, db_row in zip(rows[1:], expected, strict=True):
        session, user, correct, total, kind, department = db_row
        assert row[0:2] == [str(session), str(user)]
        assert row[2] == f"成员{user}" or user == OFFICE_LEFT
        assert row[3] == names[department]
        assert row[4] == kinds[kind]
        assert row[5] == "digest-bank"  # no bank file of that id here: the id stays
        assert row[8:11] == [str(correct), str(total), str(round(100 * correct / total))]
    # Times are local (Asia/Shanghai): 2003 finished at the last second of 2026-09-13.
    last_second = next(r for r in rows if r[1] == "2003")
    assert last_second[7] == "2026-09-13 23:59:59"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
async def test_report_export_has_counts_and_no_text_or_identity(
    seeded: tuple[Config, Database], tmp_path: Path, fmt: str
) -> None:
    config, db = seeded
    out = tmp_path / f"reports.{fmt}"
    assert await export_table(config, db, "reports", fmt, out) == 8
    rows = _text(_read(out))
    assert rows[0] == [
        "编号",
        "类别",
        "反映对象（单位/部门）",
        "状态",
        "收到日期",
        "办结日期",
        "附件数",
        "反映人留言数",
        "回复数",
    ]
    by_ref = {r[0]: r for r in rows[1:]}
    assert set(by_ref) == {f"R{i}" for i in range(1, 9)}
    assert by_ref["R1"] == ["R1", "形式主义", "某科室", "新收到", "2026-09-08", "", "2", "1", "1"]
    assert by_ref["R2"][3:6] == ["已办结", "2026-09-01", "2026-09-10"]
    assert by_ref["R3"][6:] == ["0", "0", "1"]
    flat = " ".join(" ".join(r) for r in rows)
    for secret in ("……", "hash", "补充", "已收到"):  # body, receipt hash, message texts
        assert secret not in flat


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
async def test_member_export_matches_the_members_table(
    seeded: tuple[Config, Database], tmp_path: Path, fmt: str
) -> None:
    config, db = seeded
    out = tmp_path / f"members.{fmt}"
    assert await export_table(config, db, "members", fmt, out) == 15
    rows = _text(_read(out))
    db_rows = await db.fetchall("SELECT user_id, status, department_id FROM members")
    exported = {int(r[0]): r for r in rows[1:]}
    assert set(exported) == {r["user_id"] for r in db_rows}
    assert exported[1001][4:7] == ["办公室", "正常", "管理员"]  # admin from the config
    assert exported[1002][6] == "纪检监察组"  # granted in the bot
    assert exported[2001][6] == "领导"
    assert exported[2005][5] == "已停用"
    assert exported[OFFICE_LEFT][5:7] == ["已退出", ""]
    assert exported[1003][6] == "干部"  # no privileged role: a cadre, said so
    assert exported[1003][7] == "2026-08-01 10:00:00"


def test_cli_export_writes_the_file_and_says_how_many_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file = tmp_path / "config.yaml"
    config_file.write_text(f"storage:\n  path: {tmp_path / 'bot.db'}\n", encoding="utf-8")

    async def make() -> None:
        db = Database(tmp_path / "bot.db")
        await db.open()
        await seed_members(db)
        await db.close()

    asyncio.run(make())
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    out = tmp_path / "exports" / "members.xlsx"
    assert main(["export", "members", "--out", str(out), "--config", str(config_file)]) == 0
    captured = capsys.readouterr()
    assert f"{out}: 15 rows (members, xlsx)" in captured.out
    assert captured.err == ""  # no progress bar when stderr is not a terminal
    assert len(_read(out)) == 16
    csv_out = tmp_path / "members.csv"
    args = ["export", "members", "--format", "csv", "--out", str(csv_out)]
    assert main([*args, "--config", str(config_file)]) == 0
    assert len(_read(csv_out)) == 16


def test_cli_export_without_a_database_fails_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_file = tmp_path / "config.yaml"
    config_file.write_text(f"storage:\n  path: {tmp_path / 'none.db'}\n", encoding="utf-8")
    args = ["export", "quiz", "--out", str(tmp_path / "q.csv"), "--config", str(config_file)]
    assert main(args) == 2
    assert "no database here (storage.path)" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()
    assert not (tmp_path / "q.csv").exists()


def test_progress_bar_draws_on_a_terminal() -> None:
    import io

    from bot.progress import ProgressBar

    stream = io.StringIO()
    bar = ProgressBar("quiz", stream)
    bar(0, 4)
    bar(4, 4)
    assert stream.getvalue().endswith("\rquiz [" + "#" * 30 + "] 100%  4/4\n")


HOSTILE_NAMES = {
    4001: '=HYPERLINK("http://example.invalid","点我")',
    4002: "+86 138 0000 0000",
    4003: "-2+3",
    4004: "@SUM(A1:A9)",
    4005: "\tcmd",
    4006: "\rcmd",
    4007: "普通名字",
}


def test_cli_export_cells_never_run_as_formulas(tmp_path: Path) -> None:
    """Names come from Telegram profiles: `python -m bot export` must not make them formulas."""
    config_file = tmp_path / "config.yaml"
    config_file.write_text(f"storage:\n  path: {tmp_path / 'bot.db'}\n", encoding="utf-8")

    async def make() -> None:
        db = Database(tmp_path / "bot.db")
        await db.open()
        async with db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO members (user_id, first_name, username, joined_at, updated_at) "
                "VALUES (?, ?, ?, '2026-08-01T00:00:00+00:00', '2026-08-01T00:00:00+00:00')",
                [(uid, name, "=cmd|' /C calc'!A0") for uid, name in HOSTILE_NAMES.items()],
            )
        await db.close()

    asyncio.run(make())
    csv_out, xlsx_out = tmp_path / "members.csv", tmp_path / "members.xlsx"
    for out in (csv_out, xlsx_out):
        assert main(["export", "members", "--out", str(out), "--config", str(config_file)]) == 0

    rows = {int(r[0]): r for r in _read(csv_out)[1:]}
    for uid, name in HOSTILE_NAMES.items():
        expected = name if uid == 4007 else "'" + name
        assert rows[uid][1] == expected
        assert rows[uid][2] == "'=cmd|' /C calc'!A0"
    assert rows[4007][0] == "4007"  # numbers are not touched

    book = load_workbook(xlsx_out)
    sheet = book.active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    by_id = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    for uid, name in HOSTILE_NAMES.items():
        # Kept as typed (XML turns a bare CR into LF), stored as a string.
        assert by_id[uid][1].value == name.replace("\r", "\n")
        assert by_id[uid][1].data_type == "s"
    assert isinstance(by_id[4007][0].value, int)


async def test_exports_for_a_leader_name_banks_and_speak_one_language(
    seeded: tuple[Config, Database], tmp_path: Path
) -> None:
    """Bank titles instead of ids; an English config gets English throughout."""
    from tests.tg.digest_support import BANK

    config, db = seeded
    banks = tmp_path / "banks"
    banks.mkdir()
    (banks / "digest-bank.yaml").write_text(BANK, encoding="utf-8")
    english = parse_config(
        {
            "storage": {"path": str(config.storage_path)},
            "language": "en",
            "organization": {"departments": DEPARTMENTS},
            "roles": {"admins": [1001], "leaders": [2001]},
            "quiz": {"content_dir": str(banks)},
        },
        require_token=False,
    )
    out = tmp_path / "quiz.csv"
    await export_table(english, db, "quiz", "csv", out)
    rows = _text(_read(out))
    assert rows[0][:6] == ["session", "member id", "name", "department", "kind", "bank"]
    assert {r[5] for r in rows[1:]} == {"测试题库"}  # the bank's title (content stays as written)
    assert {r[4] for r in rows[1:]} <= {"quiz", "review", "daily question", "assigned test"}
    out = tmp_path / "reports.csv"
    await export_table(english, db, "reports", "csv", out)
    reports = {r[0]: r for r in _text(_read(out))[1:]}
    assert reports["R1"][1:4] == ["Formalism", "某科室", "new"]
    out = tmp_path / "members.csv"
    await export_table(english, db, "members", "csv", out)
    members = {r[0]: r for r in _text(_read(out))[1:]}
    assert members["1003"][5:7] == ["active", "Staff"]
    assert members["1001"][6] == "Admin"
    text = " ".join(" ".join(r) for r in _text(_read(out)))
    for chinese in ("干部", "正常", "管理员", "是", "否"):
        assert chinese not in text
