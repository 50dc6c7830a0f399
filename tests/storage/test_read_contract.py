"""The reads contract: a read never sees another task's uncommitted rows (Database docstring)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage.database import Database

MEMBER = (
    "INSERT INTO members (user_id, first_name, joined_at, updated_at) VALUES (?, 'a', 'x', 'x')"
)
COUNT = "SELECT COUNT(*) FROM members WHERE user_id = ?"


async def count(db: Database, user_id: int) -> int:
    """How many member rows with this id a read sees now."""
    row = await db.fetchone(COUNT, (user_id,))
    assert row is not None
    return int(row[0])


class Abort(Exception):
    """Rolls the writer's transaction back."""


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "bot.db")
    await database.open()
    yield database
    await database.close()


async def test_a_read_during_another_tasks_transaction_does_not_see_its_rows(
    db: Database,
) -> None:
    inserted = asyncio.Event()
    counts: list[int] = []

    async def reader() -> None:
        await inserted.wait()
        counts.append(await count(db, 1))

    async def writer(read: asyncio.Task[None]) -> None:
        async with db.transaction() as tx:
            await tx.insert(MEMBER, (1,))
            inserted.set()
            # Give the read every chance to run while this transaction is open.
            await asyncio.wait({read}, timeout=0.2)
            raise Abort

    read = asyncio.create_task(reader())
    with pytest.raises(Abort):
        await writer(read)
    await read
    # The row was never committed: no read may ever have seen it.
    assert counts == [0]
    assert await count(db, 1) == 0


async def test_a_read_waits_for_a_committed_transaction_and_then_sees_it(db: Database) -> None:
    inserted = asyncio.Event()
    counts: list[int] = []

    async def reader() -> None:
        await inserted.wait()
        counts.extend(int(r[0]) for r in await db.fetchall(COUNT, (2,)))

    read = asyncio.create_task(reader())
    async with db.transaction() as tx:
        await tx.insert(MEMBER, (2,))
        inserted.set()
        await asyncio.wait({read}, timeout=0.2)
        assert counts == []  # still waiting for the lock
    await read
    assert counts == [1]


async def test_the_task_inside_a_transaction_reads_its_own_rows(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.insert(MEMBER, (3,))
        # The holder of the lock reads without waiting for itself (in this task: no
        # wait_for, which would run the read in a task of its own).
        async with asyncio.timeout(5):
            assert await count(db, 3) == 1


async def test_a_stream_holds_the_lock_until_its_last_batch(db: Database) -> None:
    async with db.transaction() as tx:
        for user in range(10, 15):
            await tx.insert(MEMBER, (user,))
    seen: list[int] = []
    written = asyncio.Event()

    async def writer() -> None:
        await db.execute(MEMBER, (99,))
        written.set()

    stream = db.stream("SELECT user_id FROM members ORDER BY user_id", 2)
    async for rows in stream:
        if not seen:
            task = asyncio.create_task(writer())
            await asyncio.wait({task}, timeout=0.1)
            assert not written.is_set()  # the write waits for the stream
        seen.extend(int(r[0]) for r in rows)
    await task
    assert seen == [10, 11, 12, 13, 14]
    assert written.is_set()


async def test_run_transaction_commits_in_one_call_and_rolls_back_on_error(
    db: Database,
) -> None:
    from bot.storage.database import SyncTransaction

    def work(tx: SyncTransaction) -> int:
        return tx.insert(MEMBER, (4,))

    assert await db.run_transaction(work) > 0

    def failing(tx: SyncTransaction) -> None:
        tx.insert(MEMBER, (5,))
        raise Abort

    with pytest.raises(Abort):
        await db.run_transaction(failing)
    assert await count(db, 4) == 1
    assert await count(db, 5) == 0
    assert not db.conn.in_transaction
