"""Content as one unit: question banks, reminder texts and the holiday schedule, all or nothing.

Start-up loads it through each service; /reload goes through here so that a broken file in any
part leaves every part as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.config import Config
from bot.content.problems import ContentError, Problem
from bot.content.quizzes import Library, load_checked
from bot.domain.holidays import PlanChanges, plan_changes
from bot.services.quiz import QuizService
from bot.services.reminders import ReminderContent, ReminderService


@dataclass(frozen=True)
class ContentReloaded:
    """What went live on a reload, and how the reminder plan changed."""

    banks: int
    questions: int
    reminder_texts: int
    official_years: tuple[int, ...]
    changes: PlanChanges


def load_content(config: Config) -> tuple[Library, ReminderContent]:
    """Read and check every content file; ContentError lists every problem in every part."""
    problems: list[Problem] = []
    library: Library | None = None
    reminders: ReminderContent | None = None
    try:
        library = load_checked(config.quiz.content_dir)
    except ContentError as exc:
        problems.extend(exc.problems)
    try:
        reminders = ReminderContent.load(config)
    except ContentError as exc:
        problems.extend(exc.problems)
    if problems or library is None or reminders is None:
        raise ContentError(problems)
    return library, reminders


class ContentService:
    """Reload the content folder and swap it in only when every file passes the check."""

    def __init__(self, config: Config, quiz: QuizService, reminders: ReminderService) -> None:
        self.config = config
        self.quiz = quiz
        self.reminders = reminders

    def reload(self, now: datetime) -> ContentReloaded:
        """Check everything, then make it live; on ContentError nothing changes."""
        library, content = load_content(self.config)
        before = self.reminders.current(now)
        self.quiz.replace(library)
        self.reminders.replace(content)
        after = self.reminders.current(now)
        return ContentReloaded(
            banks=len(library.banks),
            questions=len(library.questions),
            reminder_texts=sum(len(v) for v in content.variants.values()),
            official_years=tuple(sorted(content.schedule.breaks)),
            changes=plan_changes(before, after),
        )
