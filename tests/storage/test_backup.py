"""Online backups: taken while another task keeps writing, verified, rotated; the CLI."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.config import parse_config
from bot.services.backup import backup_name, backup_target, daily_backup, to_prune
from bot.storage.backup import integrity_check, online_backup
from bot.storage.database import Database

NOW = datetime(2026, 9, 20, 2, 0, tzinfo=UTC)


def _rows(path: Path) -> set[int]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT id FROM admin_audit")}


async def test_backup_while_a_task_keeps_writing_holds_every_earlier_commit(
    tmp_path: Path,
) -> None:
    db = Database(tmp_path / "bot.db")
    await db.open()
    try:
        # Enough data that the copy takes a while, so the writer runs during it.
        async with db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO admin_audit (at, actor_id, action, detail) VALUES (?, 1, 'seed', ?)",
                [(f"2026-09-01T00:00:{i % 60:02d}+00:00", "x" * 500) for i in range(20000)],
            )
        stop = asyncio.Event()
        writes = 0

        async def writer() -> None:
            nonlocal writes
            while not stop.is_set():
                await db.execute(
                    "INSERT INTO admin_audit (at, actor_id, action) VALUES (?, 2, 'during')",
                    (NOW.isoformat(),),
                )
                writes += 1
                await asyncio.sleep(0)

        task = asyncio.create_task(writer())
        await asyncio.sleep(0.05)
        committed = _rows(db.path)  # everything committed before the backup starts
        result = await online_backup(db.path, tmp_path / "copies" / "copy.db")
        stop.set()
        await task
        final = _rows(db.path)
    finally:
        await db.close()
    assert result.ok, result.integrity
    assert result.path == tmp_path / "copies" / "copy.db"
    assert result.size == result.path.stat().st_size
    copied = _rows(result.path)
    assert committed <= copied <= final
    assert writes > 0
    assert len(final) > len(committed)  # the writer kept going while the copy was taken
    assert await integrity_check(result.path) == "ok"
    with sqlite3.connect(result.path) as conn:
        # A standalone file: not in WAL mode, no -wal file needed to read it.
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert not list((tmp_path / "copies").glob(".*part"))


async def test_a_missing_database_is_refused_in_one_line(tmp_path: Path) -> None:
    from bot.storage.database import DatabaseError

    with pytest.raises(DatabaseError, match="no database file"):
        await online_backup(tmp_path / "absent.db", tmp_path / "copy.db")


def test_targets_and_names() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    # Named in the configured zone, with its offset: 02:00 UTC is 10:00 on the office clock.
    assert backup_name(NOW, shanghai) == "bot-20260920-100000+0800.db"
    assert backup_name(NOW) == "bot-20260920-020000+0000.db"
    assert backup_target("backups/", NOW, shanghai) == Path("backups") / backup_name(NOW, shanghai)
    assert backup_target("backups/x.db", NOW) == Path("backups/x.db")
    names = ["bot-20260918-020000.db", "notes.txt", "bot-20260920-020000.db"]
    names += ["bot-20260919-020000.db", "bot-latest.db"]
    assert to_prune(names, 2) == ["bot-20260918-020000.db"]
    assert to_prune(names, 5) == []
    # Old UTC names and new local names are ordered by the moment they name:
    # 2026-09-21 01:00 +0800 is 2026-09-20 17:00 UTC, before 2026-09-20 20:00 UTC.
    mixed = ["bot-20260920-200000.db", "bot-20260921-010000+0800.db", "bot-20260919-020000.db"]
    assert to_prune(mixed, 1) == ["bot-20260919-020000.db", "bot-20260921-010000+0800.db"]


async def test_daily_backup_keeps_the_newest(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    config = parse_config(
        {"storage": {"path": str(tmp_path / "bot.db")}, "backup": {"dir": str(folder), "keep": 2}},
        require_token=False,
    )
    db = Database(config.storage_path)
    await db.open()
    await db.close()
    folder.mkdir()
    for days in (3, 2, 1):  # named the old way, in UTC without an offset
        (folder / f"bot-{NOW - timedelta(days=days):%Y%m%d-%H%M%S}.db").write_bytes(b"old")
    (folder / "keep-me.txt").write_text("not a backup")
    result, removed = await daily_backup(config, NOW)
    assert result.ok
    assert sorted(p.name for p in folder.iterdir()) == [
        "bot-20260919-020000.db",
        "bot-20260920-100000+0800.db",  # the configured zone (Asia/Shanghai by default)
        "keep-me.txt",
    ]
    assert len(removed) == 2


def _config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(f"storage:\n  path: {tmp_path / 'bot.db'}\n", encoding="utf-8")
    return path


def test_cli_backup_into_a_folder_prints_the_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config_file(tmp_path)

    async def make() -> None:
        db = Database(tmp_path / "bot.db")
        await db.open()
        await db.execute("INSERT INTO admin_audit (at, actor_id, action) VALUES ('t', 1, 'x')")
        await db.close()

    asyncio.run(make())
    assert main(["backup", f"{tmp_path / 'out'}/", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "integrity_check: ok" in out
    [copy] = (tmp_path / "out").glob("bot-*.db")
    assert str(copy) in out
    assert _rows(copy) == {1}
    assert main(["backup", str(tmp_path / "named.db"), "--config", str(config)]) == 0
    assert _rows(tmp_path / "named.db") == {1}


def test_cli_backup_without_a_database_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["backup", str(tmp_path / "x.db"), "--config", str(_config_file(tmp_path))]) == 2
    assert "no database file" in capsys.readouterr().err
