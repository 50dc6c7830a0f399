"""Assigned tests (专项测试): create, notify through the delivery engine, remind, complete."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.config import Config
from bot.domain.assignments import Assignment, AssignmentResult
from bot.i18n import LANGUAGES, translate
from bot.services.delivery import DeliveryService
from bot.services.quiz import QuizService
from bot.storage.assignments import AssignmentRepository
from bot.storage.database import Database


@dataclass(frozen=True)
class CreatedAssignment:
    """A new assignment and how many members it went to."""

    assignment: Assignment
    members: int


class AssignmentService:
    """Assignments over storage, with notices and reminders sent as delivery campaigns."""

    def __init__(
        self, config: Config, db: Database, quiz: QuizService, delivery: DeliveryService
    ) -> None:
        self.config = config
        self.quiz = quiz
        self.delivery = delivery
        self._repo = AssignmentRepository(db)

    async def get(self, assignment_id: int) -> Assignment | None:
        """One assignment."""
        return await self._repo.get(assignment_id)

    async def result(self, assignment_id: int, user_id: int) -> AssignmentResult | None:
        """A member's first result for an assignment, if they completed it."""
        return await self._repo.result(assignment_id, user_id)

    def deadline_for(self, now: datetime, days: int) -> datetime:
        """The end (23:59 local) of the day `days` days after `now`."""
        return self.deadline_on(now.astimezone(self.config.timezone).date() + timedelta(days=days))

    def deadline_on(self, day: date) -> datetime:
        """The end (23:59 local) of a local day."""
        return datetime.combine(day, time(23, 59), self.config.timezone)

    def today(self, now: datetime) -> date:
        """The local date at `now`."""
        return now.astimezone(self.config.timezone).date()

    async def audience_size(self, departments: Sequence[str] | None) -> int:
        """How many active members an assignment to `departments` would go to now."""
        return len(await self._repo.members_in(departments))

    def preview_text(self, bank_id: str, day: date, language: str) -> str:
        """The notice exactly as members would read it, for the admin's preview."""
        title = self.quiz.bank_title(bank_id) or bank_id
        return translate(
            language,
            "assign.notice",
            title=title,
            count=self.question_count(bank_id),
            deadline=self.deadline_on(day).strftime("%Y-%m-%d %H:%M"),
        )

    def question_count(self, bank_id: str) -> int:
        """How many questions an assigned test of the bank has."""
        bank = self.quiz.library.bank(bank_id)
        if bank is None:
            raise ValueError(f"unknown bank {bank_id!r}")
        return min(len(bank.questions), self.config.quiz.questions_per_session)

    def deadline_text(self, assignment: Assignment, language: str) -> str:
        """The deadline as members read it (local time)."""
        local = assignment.deadline.astimezone(self.config.timezone)
        return local.strftime("%Y-%m-%d %H:%M")

    def _payload(self, assignment: Assignment, key: str) -> dict[str, Any]:
        title = self.quiz.bank_title(assignment.bank_id) or assignment.bank_id
        texts, labels = {}, {}
        for language in LANGUAGES:
            texts[language] = translate(
                language,
                key,
                title=title,
                count=assignment.question_count,
                deadline=self.deadline_text(assignment, language),
            )
            labels[language] = translate(language, "assign.start")
        return {
            "text": texts,
            # The Telegram layer turns an action into button data (see bot/tg/actions.py).
            "buttons": [[{"text": labels, "action": f"assignment:{assignment.id}"}]],
        }

    async def create(
        self,
        *,
        bank_id: str,
        departments: Sequence[str] | None,
        deadline_day: date,
        created_by: int,
        now: datetime,
    ) -> CreatedAssignment | None:
        """Create the assignment (due 23:59 on `deadline_day`) and send its notice.

        None, and nothing stored, if no member is in the audience.
        """
        count = self.question_count(bank_id)
        if not await self._repo.members_in(departments):
            return None
        assignment_id = await self._repo.create(
            bank_id=bank_id,
            departments=departments,
            question_count=count,
            deadline=self.deadline_on(deadline_day),
            created_by=created_by,
            now=now,
        )
        assignment = await self._repo.get(assignment_id)
        assert assignment is not None
        members = await self._repo.audience(assignment)
        if not members:
            return None
        await self.delivery.create_campaign(
            f"assignment:{assignment.id}:notice",
            "assignment",
            self._payload(assignment, "assign.notice"),
            members,
            created_by,
            now=now,
        )
        return CreatedAssignment(assignment, len(members))

    async def send_due_reminders(self, now: datetime) -> int:
        """Remind members who have not finished, once, within the day before each deadline.

        Returns how many reminder campaigns were created now (a repeated run creates none).
        """
        sent = 0
        for assignment in await self._repo.open_before(now + timedelta(days=1), now):
            pending = await self._repo.not_done(assignment)
            if pending:
                created = await self.delivery.create_campaign(
                    f"assignment:{assignment.id}:reminder",
                    "assignment",
                    self._payload(assignment, "assign.reminder"),
                    pending,
                    now=now,
                )
                sent += created.created
        return sent
