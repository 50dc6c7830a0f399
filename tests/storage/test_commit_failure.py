"""A COMMIT that fails ends its transaction, so the next one can begin (no wedged connection)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.storage import database
from bot.storage.database import Database


class FailingCommit:
    """The sqlite3 connection, except that the first COMMIT fails as a full disk would."""

    def __init__(self, raw: sqlite3.Connection, failed: list[str]) -> None:
        self._raw = raw
        self._failed = failed

    def execute(self, sql: str, *args: Any) -> Any:
        if sql == "COMMIT" and not self._failed:
            self._failed.append(sql)
            raise sqlite3.OperationalError("database or disk is full")
        return self._raw.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


@pytest.mark.parametrize("way", ["transaction", "run_transaction"])
async def test_a_failed_commit_rolls_back_and_the_next_transaction_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    db = Database(tmp_path / "bot.db")
    await db.open()
    try:
        await db.execute("CREATE TABLE t (x INTEGER)")
        failed: list[str] = []
        on_thread = database._on_thread

        async def failing(conn: Any, work: Callable[[Any], Any]) -> Any:
            return await on_thread(conn, lambda raw: work(FailingCommit(raw, failed)))

        async def insert_one() -> None:
            if way == "transaction":
                async with db.transaction() as tx:
                    await tx.execute("INSERT INTO t VALUES (1)")
            else:
                await db.run_transaction(lambda tx: tx.execute("INSERT INTO t VALUES (1)"))

        monkeypatch.setattr(database, "_on_thread", failing)
        with pytest.raises(sqlite3.OperationalError, match="disk is full"):
            await insert_one()
        assert failed == ["COMMIT"]  # the fault was injected
        assert not db.conn.in_transaction
        async with db.transaction() as tx:  # would fail inside the old transaction
            await tx.execute("INSERT INTO t VALUES (2)")
        monkeypatch.setattr(database, "_on_thread", on_thread)
        rows = await db.fetchall("SELECT x FROM t")
        assert [r[0] for r in rows] == [2]
    finally:
        await db.close()
