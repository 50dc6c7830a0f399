"""The move from Leitner boxes to FSRS cards keeps every mistake-book item and its due date."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.mistakes import MistakeSchedule
from bot.storage.database import Database
from bot.storage.migrations import MIGRATIONS
from bot.storage.quizzes import QuizRepository

LEITNER_SCHEMA = 5  # the last schema version with review_items.box
ANSWERED = datetime(2026, 9, 1, 1, 0, tzinfo=UTC)
BOX_DAYS = {1: 1, 2: 2, 3: 4, 4: 7, 5: 15}


def _old_database(path: Path) -> None:
    """A database as the Leitner release left it: two members with items in every box."""
    with sqlite3.connect(path) as conn:
        for version in range(LEITNER_SCHEMA):
            conn.executescript(MIGRATIONS[version])
        conn.execute(f"PRAGMA user_version={LEITNER_SCHEMA}")
        for user in (1, 2):
            conn.execute(
                "INSERT INTO members (user_id, first_name, joined_at, updated_at) "
                "VALUES (?, 'x', ?, ?)",
                (user, ANSWERED.isoformat(), ANSWERED.isoformat()),
            )
        rows = [
            (
                user,
                f"q-{box}",
                box,
                (ANSWERED + timedelta(days=days)).isoformat(timespec="seconds"),
                ANSWERED.isoformat(timespec="seconds"),
            )
            for user in (1, 2)
            for box, days in BOX_DAYS.items()
        ]
        conn.executemany(
            "INSERT INTO review_items (user_id, question_id, box, due_at, last_seen) "
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )


@pytest.fixture
async def migrated(tmp_path: Path) -> AsyncIterator[Database]:
    path = tmp_path / "bot.db"
    _old_database(path)
    db = Database(path)
    await db.open()
    yield db
    await db.close()


async def test_every_item_stays_due_when_it_was(migrated: Database) -> None:
    assert await migrated.schema_version() == len(MIGRATIONS)
    rows = await migrated.fetchall(
        "SELECT user_id, question_id, stability, due_at, last_review FROM review_items "
        "ORDER BY user_id, question_id"
    )
    expected = [
        (user, f"q-{box}", float(days), ANSWERED + timedelta(days=days), ANSWERED)
        for user in (1, 2)
        for box, days in BOX_DAYS.items()
    ]
    got = [
        (
            r["user_id"],
            r["question_id"],
            r["stability"],
            datetime.fromisoformat(r["due_at"]),
            datetime.fromisoformat(r["last_review"]),
        )
        for r in rows
    ]
    assert got == expected
    # The due-date index survives the rebuild of the table.
    index = await migrated.fetchone("SELECT sql FROM sqlite_master WHERE name = 'review_items_due'")
    assert "(user_id, due_at)" in index["sql"]


async def test_migrated_cards_have_the_difficulty_fsrs_gives_a_first_miss(
    migrated: Database,
) -> None:
    first_miss = MistakeSchedule().after_answer(None, False, ANSWERED)
    assert first_miss is not None
    rows = await migrated.fetchall("SELECT difficulty FROM review_items")
    assert len(rows) == 2 * len(BOX_DAYS)
    assert all(r[0] == pytest.approx(first_miss.difficulty) for r in rows)


async def test_migrated_cards_go_on_from_their_box(migrated: Database) -> None:
    """/review after the upgrade: the due items come up, and FSRS takes them from there."""
    repo = QuizRepository(migrated)
    schedule = MistakeSchedule()
    assert await repo.due_review(1, ANSWERED + timedelta(days=3), 10) == ["q-1", "q-2"]
    assert await repo.review_counts(1, ANSWERED + timedelta(days=3)) == (
        2,
        5,
        ANSWERED + timedelta(days=4),
    )
    after: dict[str, int | None] = {}
    async with migrated.transaction() as tx:
        for box, days in BOX_DAYS.items():
            card = await repo.review_item(tx, 1, f"q-{box}")
            assert card is not None
            right = schedule.after_answer(card, True, ANSWERED + timedelta(days=days))
            after[f"q-{box}"] = right.interval_days if right else None
            await repo.put_review_item(tx, 1, f"q-{box}", right)
    # Each right answer on the due day lengthens the interval; box 5 (15 days) was the last box
    # and leaves the book, as a right answer there did before.
    assert after == {"q-1": 3, "q-2": 6, "q-3": 12, "q-4": 20, "q-5": None}
    assert (await repo.review_counts(1, ANSWERED))[1] == 4


async def test_answers_get_one_index_for_first_attempts_in_place_of_another(
    migrated: Database,
) -> None:
    indexes = {
        r["name"]
        for r in await migrated.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'answers' "
            "AND sql IS NOT NULL"
        )
    }
    assert indexes == {"answers_member_question", "answers_time_question"}
    plan = await migrated.fetchall(
        "EXPLAIN QUERY PLAN SELECT question_id, COUNT(*), SUM(correct) FROM answers "
        "WHERE user_id = ? GROUP BY question_id",
        (1,),
    )
    assert any("COVERING INDEX answers_member_question" in r["detail"] for r in plan)
