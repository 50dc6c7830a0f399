"""Quiz use cases: start sessions, grade answers, keep the mistake book, report progress."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.config import Config
from bot.content.quizzes import Library, load_checked
from bot.domain.assignments import Assignment
from bot.domain.mistakes import MistakeSchedule, ReviewCard
from bot.domain.questions import Bank, Question
from bot.domain.quiz import (
    MIXED,
    BookCounts,
    Session,
    SessionItem,
    SessionKind,
    draw,
    grade,
    make_items,
    pick_daily,
)
from bot.storage.database import Database
from bot.storage.quizzes import QuizRepository

REVIEW_BATCH = 10


class NothingToAsk(Exception):
    """No question is available for the requested session (e.g. nothing due for review)."""


@dataclass(frozen=True)
class AnswerOutcome:
    """What happened when a member answered the current question."""

    question: Question
    item: SessionItem
    shown: frozenset[int]
    correct: bool
    session: Session  # after the answer
    was_in_book: bool  # the question was in the member's mistake book before this answer
    card: ReviewCard | None  # its place in the mistake book now (None: not, or no longer, in it)


@dataclass(frozen=True)
class MemberProgress:
    """What /me shows."""

    sessions: int
    average_score: float | None
    answered: int
    right: int
    weakest_tags: list[tuple[str, int, int]]  # (tag, answered, right), weakest first
    review_due: int
    review_total: int
    review_next: datetime | None


class QuizService:
    """Question banks plus the quiz, review, daily and assigned-test rules over storage."""

    def __init__(
        self, config: Config, db: Database, library: Library, rng: random.Random | None = None
    ) -> None:
        self.config = config
        self.db = db
        self.library = library
        self.questions = library.questions
        self.rng = rng or random.Random()
        self._repo = QuizRepository(db)
        self.schedule = MistakeSchedule()

    @classmethod
    def load(cls, config: Config, db: Database) -> QuizService:
        """Load and check the banks; ContentError stops start-up with every problem."""
        return cls(config, db, load_checked(config.quiz.content_dir))

    def replace(self, library: Library) -> None:
        """Make freshly checked banks live (ContentService.reload checks them with the rest)."""
        self.library, self.questions = library, library.questions

    @property
    def banks(self) -> list[Bank]:
        """Every live bank, in file order."""
        return self.library.banks

    def bank_title(self, bank_id: str | None) -> str | None:
        """A bank's title (None for the mixed bank or an unknown id)."""
        bank = self.library.bank(bank_id) if bank_id else None
        return bank.title if bank else None

    def _pool(self, bank_id: str | None) -> Sequence[Question]:
        if bank_id in (None, MIXED):
            return list(self.questions.values())
        bank = self.library.bank(bank_id)
        if bank is None:
            raise NothingToAsk(bank_id)
        return bank.questions

    async def active(self, user_id: int, *, daily: bool = False) -> Session | None:
        """The member's active session, moved past questions removed from the banks."""
        session = await self._repo.active(user_id, daily=daily)
        while session is not None and session.active and session.current is not None:
            if session.current.question_id in self.questions:
                return session
            # The question left the banks (content reload): skip it without a grade.
            async with self.db.transaction() as tx:
                await self._repo.advance(tx, session, False, session.started_at)
            session = await self._repo.get(session.id)
        return session if session is not None and session.active else None

    async def active_daily(self, user_id: int) -> Session | None:
        """The member's open daily question, if any."""
        return await self._repo.active(user_id, daily=True)

    async def session_for_button(
        self, user_id: int, session_id: int, position: int, message_id: int | None
    ) -> Session | None:
        """The session a quiz button belongs to, if it is this member's, still running, on
        that question, shown in that message, and the question is still in the banks."""
        session = await self._repo.get(session_id)
        if (
            session is None
            or session.user_id != user_id
            or not session.active
            or session.position != position
            or session.message_id != message_id
            or session.current is None
            or session.current.question_id not in self.questions
        ):
            return None
        return session

    async def attach_message(self, session: Session, message_id: int) -> None:
        """Remember the message that shows the session (its buttons are valid there only)."""
        if session.message_id != message_id:
            await self._repo.set_message(session.id, message_id)

    async def abandon(self, user_id: int) -> None:
        """Close the member's unfinished round without a result."""
        async with self.db.transaction() as tx:
            await self._repo.abandon_active(tx, user_id, daily=False)

    async def book_counts(self, user_id: int, now: datetime) -> BookCounts:
        """The member's mistake book: due now, in the book, the next due time."""
        return await self._repo.review_counts(user_id, now)

    async def start(
        self,
        user_id: int,
        kind: SessionKind,
        now: datetime,
        *,
        bank_id: str | None = None,
        assignment: Assignment | None = None,
    ) -> Session:
        """Start a session, closing the member's previous one of the same sort."""
        if kind is SessionKind.REVIEW:
            ids = await self._repo.due_review(user_id, now, REVIEW_BATCH)
            questions = [self.questions[q] for q in ids if q in self.questions]
        elif kind is SessionKind.DAILY:
            due = [q for q in await self._repo.due_review(user_id, now, 5) if q in self.questions]
            seen = await self._repo.seen_questions(user_id)
            chosen = pick_daily(due, seen, sorted(self.questions), self.rng)
            questions = [self.questions[chosen]] if chosen else []
        elif kind is SessionKind.ASSIGNED:
            assert assignment is not None
            bank_id = assignment.bank_id
            questions = draw(self._pool(bank_id), assignment.question_count, self.rng)
        else:
            questions = draw(self._pool(bank_id), self.config.quiz.questions_per_session, self.rng)
        if not questions:
            raise NothingToAsk(kind.value)
        items = make_items(questions, self.rng)
        daily = kind is SessionKind.DAILY
        async with self.db.transaction() as tx:
            await self._repo.abandon_active(tx, user_id, daily=daily)
            session_id = await self._repo.create_session(
                tx,
                user_id=user_id,
                kind=kind,
                bank_id=bank_id,
                items=items,
                now=now,
                assignment_id=assignment.id if assignment else None,
            )
        session = await self._repo.get(session_id)
        assert session is not None
        return session

    async def toggle(self, session: Session, shown: int) -> Session | None:
        """Toggle one option of a multiple-choice question; None if the session moved on."""
        updated = session.toggled(shown)
        if not await self._repo.set_selection(session.id, session.position, updated.selection):
            return None
        return updated

    async def answer(
        self, session: Session, shown: frozenset[int], now: datetime
    ) -> AnswerOutcome | None:
        """Grade the current question and move on; None if it was already answered."""
        item = session.current
        if item is None or item.question_id not in self.questions:
            return None
        question = self.questions[item.question_id]
        correct = grade(question, item, shown)
        graded = await self._repo.grade(
            session,
            question_id=question.id,
            bank_id=question.bank_id,
            correct=correct,
            now=now,
            schedule=lambda card: self.schedule.after_answer(card, correct, now),
        )
        if graded is None:
            return None
        current, card = graded
        finished = session.position + 1 >= session.total
        after = replace(
            session,
            position=session.position + 1,
            selection=frozenset(),
            correct=session.correct + correct,
            status="finished" if finished else "active",
            finished_at=now if finished else None,
        )
        return AnswerOutcome(question, item, shown, correct, after, current is not None, card)

    async def missed(self, session: Session) -> list[Question]:
        """The questions a session got wrong, in order."""
        return [
            self.questions[qid]
            for qid, right in await self._repo.session_answers(session.id)
            if not right and qid in self.questions
        ]

    async def progress(self, user_id: int, now: datetime) -> MemberProgress:
        """The member's record for /me."""
        record = await self._repo.member_stats(user_id)
        by_tag: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for qid, answered, right in await self._repo.answers_by_question(user_id):
            question = self.questions.get(qid)
            if question is None:
                continue
            bank = self.library.bank(question.bank_id)
            tags = question.tags or (bank.tags if bank else ()) or (bank.title if bank else "",)
            for tag in dict.fromkeys(tags):
                by_tag[tag][0] += answered
                by_tag[tag][1] += right
        weakest = sorted(
            ((tag, n, r) for tag, (n, r) in by_tag.items() if n >= 3 and r < n),
            key=lambda x: (x[2] / x[1], -x[1]),
        )[:3]
        book = await self._repo.review_counts(user_id, now)
        return MemberProgress(
            sessions=record.sessions,
            average_score=record.average,
            answered=record.answered,
            right=record.right,
            weakest_tags=weakest,
            review_due=book.due,
            review_total=book.total,
            review_next=book.next_due,
        )
