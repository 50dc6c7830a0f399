"""The services the bot runs with, built once at start-up and shared by handlers and jobs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.config import Config
from bot.services.assignments import AssignmentService
from bot.services.case_clocks import CaseClockService
from bot.services.content import ContentService, load_content
from bot.services.daily import DailyQuestionService
from bot.services.delivery import DeliveryService
from bot.services.digest import DigestService
from bot.services.health import HealthService
from bot.services.items import ItemAnalysisService
from bot.services.membership import MembershipService
from bot.services.quiz import QuizService
from bot.services.reminders import ReminderService
from bot.services.reports import ReportService
from bot.storage.database import Database


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


@dataclass
class Services:
    """Everything a handler or job needs, explicitly."""

    config: Config
    db: Database
    membership: MembershipService
    quiz: QuizService
    assigned_tests: AssignmentService
    daily: DailyQuestionService
    delivery: DeliveryService
    reminders: ReminderService
    reports: ReportService
    digest: DigestService
    content: ContentService
    health: HealthService
    items: ItemAnalysisService
    case_clocks: CaseClockService
    clock: Callable[[], datetime] = field(default=utc_now)
    bot_username: str = ""

    @classmethod
    def create(cls, config: Config, db: Database) -> Services:
        """Build every service over one open database; broken content stops it (every problem)."""
        library, reminder_content = load_content(config)
        membership = MembershipService(config, db)
        quiz = QuizService(config, db, library)
        delivery = DeliveryService(config, db, membership)
        reminders = ReminderService(config, reminder_content, delivery)
        case_clocks = CaseClockService(config, db, lambda: reminders.schedule, delivery, membership)
        return cls(
            config=config,
            db=db,
            membership=membership,
            quiz=quiz,
            assigned_tests=AssignmentService(config, db, quiz, delivery),
            daily=DailyQuestionService(config, delivery),
            delivery=delivery,
            reminders=reminders,
            reports=ReportService(config, db),
            digest=DigestService(config, db, quiz, reminders, membership, case_clocks),
            content=ContentService(config, quiz, reminders),
            health=HealthService(config, db),
            items=ItemAnalysisService(config, db, quiz, delivery),
            case_clocks=case_clocks,
        )

    def now(self) -> datetime:
        """The current time (tests replace the clock to pass `now`)."""
        return self.clock()

    @property
    def storage_open(self) -> bool:
        """Whether the database is open (it closes last, after the final tick)."""
        return self.db.is_open

    @property
    def storage_in_memory(self) -> bool:
        """A database in memory (tests): nothing to back up."""
        return str(self.db.path) == ":memory:"
