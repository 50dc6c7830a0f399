"""The database: pragmas, transactions, and migrations by PRAGMA user_version."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.storage.database import Database, DatabaseError, WriteConflict
from bot.storage.migrations import MIGRATIONS


async def test_fresh_database_is_migrated_with_pragmas(tmp_path: Path) -> None:
    db = Database(tmp_path / "sub" / "dir" / "bot.db")
    await db.open()
    try:
        assert await db.schema_version() == len(MIGRATIONS)
        assert (await db.fetchone("PRAGMA journal_mode"))[0] == "wal"
        assert (await db.fetchone("PRAGMA foreign_keys"))[0] == 1
        assert (await db.fetchone("PRAGMA busy_timeout"))[0] == 5000
        tables = {r[0] for r in await db.fetchall("SELECT name FROM sqlite_master")}
        assert {"members", "member_roles", "invites", "admin_audit"} <= tables
    finally:
        await db.close()


async def test_reopening_is_idempotent_and_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    db = Database(path)
    await db.open()
    await db.execute(
        "INSERT INTO members (user_id, first_name, joined_at, updated_at) VALUES (1, 'a', 'x', 'x')"
    )
    await db.close()
    again = Database(path)
    await again.open()
    try:
        assert await again.schema_version() == len(MIGRATIONS)
        assert (await again.fetchone("SELECT COUNT(*) FROM members"))[0] == 1
    finally:
        await again.close()


async def test_newer_database_refuses_to_start_and_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE future (x)")
        conn.execute(f"PRAGMA user_version={len(MIGRATIONS) + 1}")
    db = Database(path)
    with pytest.raises(DatabaseError, match=r"schema version \d+ is newer than this bot supports"):
        await db.open()
    assert not db.is_open
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) + 1
        assert conn.execute("SELECT name FROM sqlite_master WHERE name='future'").fetchone()


async def test_failed_migration_rolls_back_whole_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = [*MIGRATIONS, "CREATE TABLE half (x); INSERT INTO nowhere VALUES (1);"]
    monkeypatch.setattr("bot.storage.database.MIGRATIONS", broken)
    db = Database(tmp_path / "bot.db")
    with pytest.raises(sqlite3.OperationalError):
        await db.open()
    with sqlite3.connect(tmp_path / "bot.db") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert conn.execute("SELECT name FROM sqlite_master WHERE name='half'").fetchone() is None


async def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    db = Database(tmp_path / "bot.db")
    await db.open()
    try:

        async def insert_then_fail() -> None:
            async with db.transaction() as tx:
                await tx.execute(
                    "INSERT INTO members (user_id, first_name, joined_at, updated_at) "
                    "VALUES (1, 'a', 'x', 'x')"
                )
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            await insert_then_fail()
        assert (await db.fetchone("SELECT COUNT(*) FROM members"))[0] == 0
        # The driver's exception does not leave storage: it is a WriteConflict above it.
        with pytest.raises(WriteConflict, match="FOREIGN KEY"):
            await db.execute(
                "INSERT INTO member_roles (user_id, role, granted_at) VALUES (99, 'admin', 'x')"
            )
    finally:
        await db.close()


async def test_unopenable_path_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(DatabaseError, match="cannot open database"):
        await Database(blocker / "bot.db").open()
