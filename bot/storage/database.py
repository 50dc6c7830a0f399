"""One aiosqlite connection with WAL, explicit transactions and ordered migrations."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.storage.files import create_private_file, make_private_dir, readable_by_others
from bot.storage.migrations import MIGRATIONS

log = logging.getLogger(__name__)

Params = Sequence[Any] | dict[str, Any]
T = TypeVar("T")


# The write every tick makes, whether or not it has rows of its own (the row: migration 7).
_HEARTBEAT = "UPDATE heartbeat SET value = randomblob(16) WHERE id = 1"


class DatabaseError(Exception):
    """A storage problem worth one clear line to the operator (e.g. schema too new)."""


class WriteConflict(Exception):
    """A write broke a rule of the schema (unique key, foreign key, NOT NULL, CHECK).

    sqlite3.IntegrityError is translated into this where storage runs a statement, so nothing
    above `bot/storage/` needs to know the driver's exceptions.
    """


def _commit(raw: sqlite3.Connection) -> None:
    raw.execute("COMMIT")
    # Read once at once, so the -shm's read mark follows this commit now: otherwise the
    # next update to read (whoever sent it, a reporter too) would write the -shm.
    raw.execute("PRAGMA schema_version").fetchall()


def _commit_or_roll_back(raw: sqlite3.Connection) -> None:
    """COMMIT; if it fails (disk full, an I/O error), end the transaction before re-raising.

    Otherwise the connection would stay inside the failed transaction and every later BEGIN
    would fail ("cannot start a transaction within a transaction") until a restart.
    """
    try:
        _commit(raw)
    except BaseException:
        if raw.in_transaction:
            raw.execute("ROLLBACK")
        raise


def _one(raw: sqlite3.Connection, sql: str, params: Params) -> sqlite3.Row | None:
    """The first row; the cursor is closed at once, so no statement keeps a read open."""
    cursor = raw.execute(sql, params)
    try:
        row: sqlite3.Row | None = cursor.fetchone()
        return row
    finally:
        cursor.close()


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except sqlite3.IntegrityError as exc:
        raise WriteConflict(str(exc)) from exc


class SyncTransaction:
    """The statements of one transaction run in one call on the database thread.

    `Database.run_transaction` hands this to a plain function that aiosqlite runs on its own
    thread: every statement of the transaction then costs one hop between the event loop and
    that thread, not one per statement.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return the number of rows changed."""
        with _translated():
            return self._conn.execute(sql, params).rowcount

    def insert(self, sql: str, params: Params = ()) -> int:
        """Run one INSERT; return the new row id."""
        with _translated():
            return int(self._conn.execute(sql, params).lastrowid or 0)

    def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """Read one row inside the transaction."""
        return _one(self._conn, sql, params)


async def _on_thread(conn: aiosqlite.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """Run `work` on the sqlite3 connection in one call on aiosqlite's thread.

    This is how aiosqlite runs its own methods (one function queued to its thread). Each
    hop wakes that thread and hands the GIL back and forth, which is what a statement costs
    the event loop here; a cursor read (execute, fetch, close) makes three hops, this one.
    """
    raw = conn._conn
    result: T = await conn._execute(work, raw)
    return result


class Transaction:
    """Statements run inside one BEGIN IMMEDIATE … COMMIT."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return the number of rows changed."""
        with _translated():
            return await _on_thread(self._conn, lambda raw: raw.execute(sql, params).rowcount)

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run one INSERT; return the new row id."""
        with _translated():
            return await _on_thread(
                self._conn, lambda raw: int(raw.execute(sql, params).lastrowid or 0)
            )

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement for many rows (far faster than one transaction each)."""
        with _translated():
            await self._conn.executemany(sql, rows)

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """A part of the transaction that an error rolls back alone (then re-raised)."""
        await self._conn.execute("SAVEPOINT part")
        try:
            yield
        except BaseException:
            await self._conn.execute("ROLLBACK TO part")
            await self._conn.execute("RELEASE part")
            raise
        await self._conn.execute("RELEASE part")

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        """Read one row inside the transaction."""
        return await _fetchone(self._conn, sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """Read all rows inside the transaction."""
        return await _fetchall(self._conn, sql, params)


async def _fetchone(conn: aiosqlite.Connection, sql: str, params: Params) -> aiosqlite.Row | None:
    return await _on_thread(conn, lambda raw: _one(raw, sql, params))


async def _fetchall(conn: aiosqlite.Connection, sql: str, params: Params) -> list[aiosqlite.Row]:
    return await _on_thread(conn, lambda raw: raw.execute(sql, params).fetchall())


class Database:
    """The bot's SQLite database: one connection, and one task at a time uses it.

    The reads contract: every read (`fetchone`, `fetchall`, `stream`) takes the same lock as
    the writes (`transaction`, `tick`, `run_transaction`, `checkpoint`), so no read sees
    another task's uncommitted rows, and no statement of another task runs inside a
    transaction. A task that holds the lock (inside its own transaction) reads without
    waiting for itself, and sees its own rows.

    Why not a second, read-only connection: the one connection is already served by one
    thread, so a reader connection would add a thread, not take work off this one; and a
    reader's open snapshot blocks `PRAGMA wal_checkpoint(TRUNCATE)` (it waits busy_timeout,
    then leaves the WAL unemptied), which the write tick and `checkpoint` rely on to leave no
    deleted content behind. Transactions here are short (grading is one call on the database
    thread), so a read waits at most for one of them.
    """

    def __init__(self, path: Path | str, *, busy_timeout_ms: int = 5000) -> None:
        self.path = Path(path)
        self._busy_timeout_ms = busy_timeout_ms
        self._conn: aiosqlite.Connection | None = None
        # Jobs run concurrently with update handlers on the same connection: a transaction
        # must not interleave with another task's statements, reads included.
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task[Any] | None = None

    @property
    def is_open(self) -> bool:
        """Whether the connection is open."""
        return self._conn is not None

    @asynccontextmanager
    async def _exclusive(self) -> AsyncIterator[None]:
        """Hold the connection for the current task (at once if it holds it already)."""
        task = asyncio.current_task()
        if task is not None and self._holder is task:
            yield
            return
        async with self._lock:
            self._holder = task
            try:
                yield
            finally:
                self._holder = None

    @property
    def conn(self) -> aiosqlite.Connection:
        """The open connection."""
        if self._conn is None:
            raise DatabaseError(f"{self.path}: database is not open")
        return self._conn

    async def open(self) -> None:
        """Open the file (creating it 0600 in a 0700 folder), check it, set pragmas, migrate."""
        try:
            if str(self.path) != ":memory:":
                make_private_dir(self.path.parent)
                if not create_private_file(self.path) and readable_by_others(self.path):
                    log.warning(
                        "%s can be read by other users of this machine: chmod 600 it "
                        "(and its -wal and -shm files)",
                        self.path,
                    )
            conn = await aiosqlite.connect(self.path, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise DatabaseError(f"{self.path}: cannot open database: {exc}") from None
        conn.row_factory = aiosqlite.Row
        self._conn = conn
        try:
            try:
                # journal_mode persists in the file; the others are per connection. The first
                # statement reads the header: a file that is not SQLite fails here.
                await conn.execute("PRAGMA journal_mode=WAL")
                await conn.execute(f"PRAGMA busy_timeout={int(self._busy_timeout_ms)}")
                await conn.execute("PRAGMA foreign_keys=ON")
                await conn.execute("PRAGMA synchronous=NORMAL")
                await conn.execute("PRAGMA secure_delete=ON")
                await self._check_intact()
            except sqlite3.DatabaseError as exc:
                raise DatabaseError(self._describe(exc)) from None
            await self._migrate()
        except BaseException:
            await self.close()
            raise

    def _describe(self, exc: sqlite3.DatabaseError) -> str:
        """One line for a file SQLite cannot use."""
        if type(exc) is sqlite3.DatabaseError:  # "file is not a database", "malformed", …
            return f"{self.path}: not a SQLite database, or damaged ({exc})"
        return f"{self.path}: cannot open database: {exc}"

    async def _check_intact(self) -> None:
        """Refuse a damaged file now, not with a traceback at some later query."""
        rows = await self.fetchall("PRAGMA quick_check")
        verdict = str(rows[0][0]) if rows else "no answer"
        if verdict != "ok":
            raise DatabaseError(f"{self.path}: the database is damaged (quick_check: {verdict})")

    async def ping(self) -> None:
        """Read the schema from the file (fresh read transaction); DatabaseError if that fails."""
        try:
            await self.fetchone("SELECT COUNT(*) FROM sqlite_master")
        except sqlite3.Error as exc:
            raise DatabaseError(f"{self.path}: {exc}") from None

    async def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await conn.close()

    async def checkpoint(self) -> None:
        """Copy the WAL into the database file and empty it (after deleting what must be gone).

        Until a checkpoint, the WAL still holds earlier page images with deleted content.
        """
        async with self._exclusive():
            await self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def schema_version(self) -> int:
        """The schema version stored in the file."""
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def _migrate(self) -> None:
        current = await self.schema_version()
        latest = len(MIGRATIONS)
        if current > latest:
            raise DatabaseError(
                f"{self.path}: database schema version {current} is newer than this bot "
                f"supports ({latest}); run a newer release of the bot with this file"
            )
        for version in range(current, latest):
            # PRAGMA user_version takes no bound parameter; the value is our own integer.
            script = f"BEGIN IMMEDIATE;\n{MIGRATIONS[version]}\nPRAGMA user_version={version + 1};"
            async with self._exclusive():
                try:
                    await self.conn.executescript(script)
                    await self.conn.execute("COMMIT")
                except BaseException:
                    if self.conn.in_transaction:
                        await self.conn.execute("ROLLBACK")
                    raise
            log.info("database migrated to schema version %d", version + 1)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """BEGIN IMMEDIATE … COMMIT (ROLLBACK on error), one at a time."""
        async with self._exclusive(), self._locked_transaction() as tx:
            yield tx

    @asynccontextmanager
    async def _locked_transaction(self) -> AsyncIterator[Transaction]:
        conn = self.conn
        await _on_thread(conn, lambda raw: raw.execute("BEGIN IMMEDIATE"))
        try:
            yield Transaction(conn)
        except BaseException:
            await _on_thread(conn, lambda raw: raw.execute("ROLLBACK"))
            raise
        await _on_thread(conn, _commit_or_roll_back)

    async def tick(
        self,
        work: Callable[[Transaction], Awaitable[T]],
        committed: Callable[[T], None] | None = None,
    ) -> T:
        """Run `work` in a write tick that does the same file-level work whatever it writes.

        One transaction rewrites the heartbeat row (a constant-size random value) with the
        work's rows, then a TRUNCATE checkpoint; a second transaction rewrites the heartbeat
        alone, then another checkpoint. So bot.db changes at every tick, the WAL ends empty,
        its header's checkpoint counter and salts advance by the same steps, and the -shm,
        which lists the pages of the last WAL generation, lists only the heartbeat's page,
        whether or not the work wrote anything. If the work fails, its rows are rolled back
        and the rest of the tick still runs. `committed` gets the work's result as soon as it is
        committed, before the rest: a failure after the commit (the second heartbeat) still
        raises, but the caller knows its rows are stored and must not be written again.
        """
        async with self._exclusive():
            try:
                async with self._locked_transaction() as tx:
                    await tx.execute(_HEARTBEAT)
                    result = await work(tx)
                if committed is not None:
                    committed(result)
            finally:
                await self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                async with self._locked_transaction() as tx:
                    await tx.execute(_HEARTBEAT)
                await self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return result

    async def run_transaction(self, work: Callable[[SyncTransaction], T]) -> T:
        """Run `work` in one BEGIN IMMEDIATE … COMMIT as one call on the database thread.

        The same statements as `transaction()` (ROLLBACK if `work` raises; after COMMIT the
        same read, so the -shm's read mark follows the commit), without a hop to the event
        loop between them. `work` must not block on anything but the database.
        """

        def run(raw: sqlite3.Connection) -> T:
            raw.execute("BEGIN IMMEDIATE")
            try:
                result = work(SyncTransaction(raw))
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            _commit_or_roll_back(raw)
            return result

        async with self._exclusive():
            return await _on_thread(self.conn, run)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one write statement in its own transaction; return rows changed."""
        async with self.transaction() as tx:
            return await tx.execute(sql, params)

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        """Read one row (under the lock: see the class docstring)."""
        async with self._exclusive():
            return await _fetchone(self.conn, sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """Read all rows (under the lock: see the class docstring)."""
        async with self._exclusive():
            return await _fetchall(self.conn, sql, params)

    async def stream(self, sql: str, batch: int) -> AsyncIterator[list[aiosqlite.Row]]:
        """Read rows in batches, holding the lock until the last batch (or the consumer
        stops): one consistent read, and no other task's statement between batches."""
        async with self._exclusive(), self.conn.execute(sql) as cursor:
            while rows := await cursor.fetchmany(batch):
                yield list(rows)
