"""Repositories for quiz sessions, answers, the mistake book and assigned tests."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime

import aiosqlite

from bot.domain.mistakes import ReviewCard
from bot.domain.quiz import BookCounts, QuizRecord, Session, SessionItem, SessionKind
from bot.storage.database import Database, Params, SyncTransaction, Transaction
from bot.storage.members import from_db_time, to_db_time

# Grading's statements, shared by the one-call grading transaction and the single steps.
_ADVANCE = (
    "UPDATE quiz_sessions SET position = position + 1, selection = '', "
    "correct = correct + ?, status = ?, finished_at = ?, "
    # A message id of a member's chat counts the messages in it: kept only while the session
    # is active (to tell its own buttons from stale ones).
    "message_id = CASE WHEN ? THEN NULL ELSE message_id END "
    "WHERE id = ? AND position = ? AND status = 'active'"
)
_RECORD_ANSWER = (
    "INSERT INTO answers (session_id, user_id, question_id, bank_id, correct, answered_at) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_REVIEW_ITEM = (
    "SELECT stability, difficulty, due_at, last_review FROM review_items "
    "WHERE user_id = ? AND question_id = ?"
)
_DELETE_REVIEW_ITEM = "DELETE FROM review_items WHERE user_id = ? AND question_id = ?"
_PUT_REVIEW_ITEM = (
    "INSERT INTO review_items (user_id, question_id, stability, difficulty, due_at, "
    "last_review) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, question_id) DO UPDATE "
    "SET stability = excluded.stability, difficulty = excluded.difficulty, "
    "due_at = excluded.due_at, last_review = excluded.last_review"
)
_COMPLETE_ASSIGNMENT = (
    "INSERT OR IGNORE INTO assignment_results "
    "(assignment_id, user_id, session_id, correct, total, completed_at) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)

# A card before and after an answer (None: not in the mistake book).
Graded = tuple[ReviewCard | None, ReviewCard | None]


def _advance_params(session: Session, correct: bool, now: datetime) -> Params:
    finished = session.position + 1 >= session.total
    return (
        int(correct),
        "finished" if finished else "active",
        to_db_time(now) if finished else None,
        int(finished),
        session.id,
        session.position,
    )


def _card(row: sqlite3.Row | None) -> ReviewCard | None:
    if row is None:
        return None
    return ReviewCard(
        stability=row["stability"],
        difficulty=row["difficulty"],
        due_at=datetime.fromisoformat(row["due_at"]),
        last_review=datetime.fromisoformat(row["last_review"]),
    )


def _card_params(user_id: int, question_id: str, card: ReviewCard) -> Params:
    return (
        user_id,
        question_id,
        card.stability,
        card.difficulty,
        to_db_time(card.due_at),
        to_db_time(card.last_review),
    )


def _encode_items(items: Sequence[SessionItem]) -> str:
    return json.dumps([[i.question_id, list(i.order)] for i in items], separators=(",", ":"))


def _decode_items(text: str) -> tuple[SessionItem, ...]:
    return tuple(SessionItem(qid, tuple(order)) for qid, order in json.loads(text))


def _selection(text: str) -> frozenset[int]:
    return frozenset(int(x) for x in text.split(",") if x)


def _session(row: aiosqlite.Row) -> Session:
    return Session(
        id=row["id"],
        user_id=row["user_id"],
        kind=SessionKind(row["kind"]),
        bank_id=row["bank_id"],
        items=_decode_items(row["items"]),
        position=row["position"],
        selection=_selection(row["selection"]),
        correct=row["correct"],
        message_id=row["message_id"],
        status=row["status"],
        started_at=datetime.fromisoformat(row["started_at"]),
        finished_at=from_db_time(row["finished_at"]),
        assignment_id=row["assignment_id"],
    )


class QuizRepository:
    """Sessions, answers and review items."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create_session(
        self,
        tx: Transaction,
        *,
        user_id: int,
        kind: SessionKind,
        bank_id: str | None,
        items: Sequence[SessionItem],
        now: datetime,
        assignment_id: int | None = None,
    ) -> int:
        """Store a new active session; return its id."""
        return await tx.insert(
            "INSERT INTO quiz_sessions (user_id, kind, bank_id, assignment_id, items, started_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (user_id, kind.value, bank_id, assignment_id, _encode_items(items), to_db_time(now)),
        )

    async def get(self, session_id: int) -> Session | None:
        """One session by id."""
        row = await self.db.fetchone("SELECT * FROM quiz_sessions WHERE id = ?", (session_id,))
        return _session(row) if row else None

    async def active(self, user_id: int, *, daily: bool) -> Session | None:
        """The member's active interactive session (or active daily question)."""
        row = await self.db.fetchone(
            "SELECT * FROM quiz_sessions WHERE user_id = ? AND status = 'active' "
            "AND (kind = 'daily') = ?",
            (user_id, int(daily)),
        )
        return _session(row) if row else None

    async def abandon_active(self, tx: Transaction, user_id: int, *, daily: bool) -> None:
        """Close the member's active session of that sort without a result."""
        await tx.execute(
            "UPDATE quiz_sessions SET status = 'abandoned', message_id = NULL WHERE user_id = ? "
            "AND status = 'active' AND (kind = 'daily') = ?",
            (user_id, int(daily)),
        )

    async def set_message(self, session_id: int, message_id: int) -> None:
        """Remember which message shows the session."""
        await self.db.execute(
            "UPDATE quiz_sessions SET message_id = ? WHERE id = ? AND status = 'active'",
            (message_id, session_id),
        )

    async def set_selection(
        self, session_id: int, position: int, selection: frozenset[int]
    ) -> bool:
        """Store toggled options for the current question; False if the session moved on."""
        changed = await self.db.execute(
            "UPDATE quiz_sessions SET selection = ? WHERE id = ? AND position = ? "
            "AND status = 'active'",
            (",".join(str(i) for i in sorted(selection)), session_id, position),
        )
        return changed > 0

    async def advance(
        self, tx: Transaction, session: Session, correct: bool, now: datetime
    ) -> bool:
        """Move past the current question (only if still there); finish after the last."""
        return await tx.execute(_ADVANCE, _advance_params(session, correct, now)) > 0

    async def grade(
        self,
        session: Session,
        *,
        question_id: str,
        bank_id: str,
        correct: bool,
        now: datetime,
        schedule: Callable[[ReviewCard | None], ReviewCard | None],
    ) -> Graded | None:
        """Grade the session's current question in one transaction, one database call.

        Moves the session on (only if still on that question: a double tap grades once; None
        then), stores the answer, moves the question's card in the mistake book by
        `schedule(card before)` and, on the last question of an assigned test, stores its
        first completion.
        """

        def work(tx: SyncTransaction) -> Graded | None:
            if not tx.execute(_ADVANCE, _advance_params(session, correct, now)):
                return None
            tx.execute(
                _RECORD_ANSWER,
                (session.id, session.user_id, question_id, bank_id, int(correct), to_db_time(now)),
            )
            before = _card(tx.fetchone(_REVIEW_ITEM, (session.user_id, question_id)))
            after = schedule(before)
            if after is not None:
                tx.execute(_PUT_REVIEW_ITEM, _card_params(session.user_id, question_id, after))
            elif before is not None:
                tx.execute(_DELETE_REVIEW_ITEM, (session.user_id, question_id))
            if session.position + 1 >= session.total and session.kind is SessionKind.ASSIGNED:
                score = session.correct + correct
                tx.execute(
                    _COMPLETE_ASSIGNMENT,
                    (
                        session.assignment_id,
                        session.user_id,
                        session.id,
                        score,
                        session.total,
                        to_db_time(now),
                    ),
                )
            return before, after

        return await self.db.run_transaction(work)

    async def review_item(
        self, tx: Transaction, user_id: int, question_id: str
    ) -> ReviewCard | None:
        """A question's card in the mistake book."""
        return _card(await tx.fetchone(_REVIEW_ITEM, (user_id, question_id)))

    async def put_review_item(
        self, tx: Transaction, user_id: int, question_id: str, card: ReviewCard | None
    ) -> None:
        """Store a question's new card in the mistake book, or take it out (None)."""
        if card is None:
            await tx.execute(_DELETE_REVIEW_ITEM, (user_id, question_id))
        else:
            await tx.execute(_PUT_REVIEW_ITEM, _card_params(user_id, question_id, card))

    async def due_review(self, user_id: int, now: datetime, limit: int) -> list[str]:
        """Question ids due for review, most overdue first."""
        rows = await self.db.fetchall(
            "SELECT question_id FROM review_items WHERE user_id = ? AND due_at <= ? "
            "ORDER BY due_at LIMIT ?",
            (user_id, to_db_time(now), limit),
        )
        return [r["question_id"] for r in rows]

    async def review_counts(self, user_id: int, now: datetime) -> BookCounts:
        """The member's mistake book: due now, in the book, next due time."""
        row = await self.db.fetchone(
            "SELECT SUM(due_at <= ?) AS due, COUNT(*) AS total, "
            "MIN(CASE WHEN due_at > ? THEN due_at END) AS next FROM review_items "
            "WHERE user_id = ?",
            (to_db_time(now), to_db_time(now), user_id),
        )
        assert row is not None
        return BookCounts(int(row["due"] or 0), int(row["total"]), from_db_time(row["next"]))

    async def seen_questions(self, user_id: int) -> set[str]:
        """Every question the member has answered at least once."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT question_id FROM answers WHERE user_id = ?", (user_id,)
        )
        return {r["question_id"] for r in rows}

    async def session_answers(self, session_id: int) -> list[tuple[str, bool]]:
        """(question id, correct) for each answer of a session, in order."""
        rows = await self.db.fetchall(
            "SELECT question_id, correct FROM answers WHERE session_id = ? ORDER BY id",
            (session_id,),
        )
        return [(r["question_id"], bool(r["correct"])) for r in rows]

    async def member_stats(self, user_id: int) -> QuizRecord:
        """Finished rounds, their average score, and answer totals."""
        row = await self.db.fetchone(
            """
            SELECT
              (SELECT COUNT(*) FROM quiz_sessions
                WHERE user_id = :u AND status = 'finished' AND kind != 'daily') AS sessions,
              (SELECT AVG(100.0 * correct / json_array_length(items)) FROM quiz_sessions
                WHERE user_id = :u AND status = 'finished' AND kind != 'daily') AS average,
              (SELECT COUNT(*) FROM answers WHERE user_id = :u) AS answered,
              (SELECT COALESCE(SUM(correct), 0) FROM answers WHERE user_id = :u) AS right
            """,
            {"u": user_id},
        )
        assert row is not None
        return QuizRecord(
            sessions=int(row["sessions"]),
            average=row["average"],
            answered=int(row["answered"]),
            right=int(row["right"]),
        )

    async def answers_by_question(self, user_id: int) -> list[tuple[str, int, int]]:
        """(question id, answered, right) for the member."""
        rows = await self.db.fetchall(
            "SELECT question_id, COUNT(*) AS n, SUM(correct) AS right FROM answers "
            "WHERE user_id = ? GROUP BY question_id",
            (user_id,),
        )
        return [(r["question_id"], r["n"], r["right"]) for r in rows]
