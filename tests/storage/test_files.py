"""Files on disk: private modes, and database files that are not SQLite or are damaged."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.sandbox import Sandbox
from bot.storage.backup import online_backup
from bot.storage.database import Database, DatabaseError
from tests.harness import TOKEN

ROOT = Path(__file__).resolve().parents[2]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The common 022, under which files are world-readable unless the bot says otherwise."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


async def _fill(db: Database, rows: int = 1) -> None:
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO admin_audit (at, actor_id, action, detail) VALUES ('t', ?, 'x', ?)",
            [(i, "x" * 500) for i in range(rows)],
        )


@pytest.mark.usefixtures("usual_umask")
async def test_database_wal_shm_and_backups_are_private(tmp_path: Path) -> None:
    db = Database(tmp_path / "data" / "db" / "bot.db")
    await db.open()
    try:
        await _fill(db)
        assert mode(tmp_path / "data") == 0o700
        assert mode(tmp_path / "data" / "db") == 0o700
        for name in ("bot.db", "bot.db-wal", "bot.db-shm"):
            assert mode(tmp_path / "data" / "db" / name) == 0o600, name
        result = await online_backup(db.path, tmp_path / "backups" / "daily" / "copy.db")
    finally:
        await db.close()
    assert result.ok
    assert mode(tmp_path / "backups") == 0o700
    assert mode(tmp_path / "backups" / "daily") == 0o700
    assert mode(result.path) == 0o600
    assert not list((tmp_path / "backups" / "daily").glob(".*"))


@pytest.mark.usefixtures("usual_umask")
def test_cli_backup_and_export_files_are_private(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"storage:\n  path: {tmp_path / 'bot.db'}\n", encoding="utf-8")

    async def make() -> None:
        db = Database(tmp_path / "bot.db")
        await db.open()
        await db.close()

    asyncio.run(make())
    assert main(["backup", f"{tmp_path / 'copies'}/", "--config", str(config)]) == 0
    [copy] = (tmp_path / "copies").glob("bot-*.db")
    assert mode(copy) == 0o600
    assert mode(tmp_path / "copies") == 0o700
    for name in ("members.csv", "members.xlsx"):
        out = tmp_path / "exports" / name
        assert main(["export", "members", "--out", str(out), "--config", str(config)]) == 0
        assert mode(out) == 0o600, name
    assert mode(tmp_path / "exports") == 0o700
    # The process umask is back to what it was once the command is done.
    assert os.umask(0o022) == 0o022


async def test_a_database_others_can_read_is_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "bot.db"
    db = Database(path)
    await db.open()
    await db.close()
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="bot.storage.database"):
        await db.open()
    await db.close()
    [warning] = [r.getMessage() for r in caplog.records if "other users" in r.getMessage()]
    assert str(path) in warning
    assert "chmod 600" in warning
    caplog.clear()
    path.chmod(0o600)
    await db.open()
    await db.close()
    assert not [r for r in caplog.records if "other users" in r.getMessage()]


def _write_csv_instead(path: Path) -> None:
    path.write_bytes(b"name,department\n" + "张三,办公室\n".encode() * 200)


async def _not_sqlite(path: Path) -> None:
    _write_csv_instead(path)


async def _damaged(path: Path) -> None:
    """A real bot database with pages in the middle overwritten (a bad disk, a bad copy)."""
    db = Database(path)
    await db.open()
    await _fill(db, rows=400)
    await db.checkpoint()
    await db.close()
    _overwrite_pages(path)


def _overwrite_pages(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    size = path.stat().st_size
    assert size > 20 * page_size
    with path.open("r+b") as f:
        for page in range(4, size // page_size - 1, 3):
            f.seek(page * page_size + 16)
            f.write(os.urandom(page_size // 2))


def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "BOT_CONFIG")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


@pytest.mark.parametrize("spoil", [_not_sqlite, _damaged], ids=["not-sqlite", "damaged"])
async def test_run_export_and_backup_stop_on_a_bad_database_with_one_line(
    spoil: object, sandbox: Sandbox, tmp_path: Path
) -> None:
    db_path = tmp_path / "bot.db"
    await spoil(db_path)  # type: ignore[operator]
    db_path.chmod(0o600)  # (a readable file would add its own warning line)
    before = db_path.read_bytes()
    config = tmp_path / "config.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "telegram": {
                    "token": TOKEN,
                    "api_base_url": sandbox.base_url,
                    "file_base_url": sandbox.base_file_url,
                },
                "storage": {"path": str(db_path)},
            }
        ),
        encoding="utf-8",
    )
    commands = {
        "run": ("run", "--config", str(config)),
        "export": ("export", "quiz", "--out", str(tmp_path / "q.csv"), "--config", str(config)),
        "backup": ("backup", str(tmp_path / "copy.db"), "--config", str(config)),
    }
    for name, args in commands.items():
        # `run` reaches the sandbox (getMe) before it opens the database.
        result = await asyncio.to_thread(_run_cli, *args)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2, (name, result.stderr)
        assert len(lines) == 1, (name, result.stderr)
        assert lines[0].startswith(f"error: {db_path}: "), (name, lines)
        assert "not a SQLite database" in lines[0] or "damaged" in lines[0], (name, lines)
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "q.csv").exists()
    assert db_path.read_bytes() == before  # refused, never "repaired" or migrated


async def test_opening_a_non_sqlite_file_is_a_database_error(tmp_path: Path) -> None:
    await _not_sqlite(tmp_path / "bot.db")
    db = Database(tmp_path / "bot.db")
    with pytest.raises(DatabaseError, match="not a SQLite database"):
        await db.open()
    assert not db.is_open
