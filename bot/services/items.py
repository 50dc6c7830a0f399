"""Question quality for admins: item analysis over the live banks, /items, the weekly notice.

The statistics are defined in bot/domain/items.py. Admins hear of newly flagged questions once a
week (at the digest's weekday and time), through the delivery engine, and only when there are
any; /items lists every flagged question; `python -m bot export items` writes every question.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from typing import Any

from bot.config import Config
from bot.domain.delivery import Audience
from bot.domain.items import (
    HIGH_FACILITY,
    LOW_DISCRIMINATION,
    LOW_FACILITY,
    MIN_ATTEMPTS,
    Flag,
    ItemStats,
    ItemTotals,
    analyse,
    newly_flagged,
    worst_first,
)
from bot.domain.questions import Question
from bot.i18n import LANGUAGES, Translate, translator
from bot.services.delivery import DeliveryService
from bot.services.quiz import QuizService
from bot.storage.database import Database
from bot.storage.items import ItemRepository

STEM_CHARS = 40  # stems are quoted this short in messages
EXPORT_STEM_CHARS = 80
LISTED = 15  # flagged questions /items lists (the export has all)
NOTICE_LISTED = 10
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class ItemLine:
    """One live question with its bank title and statistics."""

    question: Question
    bank_title: str
    stats: ItemStats


@dataclass(frozen=True)
class ItemReport:
    """Every live question's statistics, in bank order."""

    lines: tuple[ItemLine, ...]

    @property
    def judged(self) -> int:
        """Questions with enough first attempts to be flagged."""
        return sum(line.stats.judged for line in self.lines)

    def flagged(self) -> list[ItemLine]:
        """Flagged questions, worst first."""
        by_id = {line.question.id: line for line in self.lines}
        return [by_id[s.question_id] for s in worst_first(line.stats for line in self.lines)]


class ItemAnalysisService:
    """Item analysis over storage and the live banks, and the admins' weekly notice."""

    def __init__(
        self, config: Config, db: Database, quiz: QuizService, delivery: DeliveryService
    ) -> None:
        self.config = config
        self.quiz = quiz
        self.delivery = delivery
        self._repo = ItemRepository(db)

    async def report(self, before: datetime | None = None) -> ItemReport:
        """Statistics of every live question over first attempts before `before` (default: all)."""
        totals = {t.question_id: t for t in await self._repo.first_attempt_totals(before)}
        lines = []
        for bank in self.quiz.banks:
            for question in bank.questions:
                stats = analyse(totals.get(question.id) or ItemTotals(question.id, 0, 0))
                lines.append(ItemLine(question, bank.title, stats))
        return ItemReport(tuple(lines))

    async def send_weekly_notice(self, now: datetime) -> bool:
        """Tell admins of questions flagged in the seven days before `now`; True if sent now.

        Nothing is sent in a week without newly flagged questions, and a day's notice is
        created once, however often the job runs.
        """
        current = await self.report()
        earlier = await self.report(now - WEEK)
        fresh_ids = {
            s.question_id
            for s in newly_flagged(
                (line.stats for line in current.lines), (line.stats for line in earlier.lines)
            )
        }
        fresh = [line for line in current.flagged() if line.question.id in fresh_ids]
        if not fresh:
            return False
        admins = await self.delivery.audience(Audience("role", "admin"))
        if not admins:
            return False
        today = now.astimezone(self.config.timezone).date()
        texts = {
            language: render_weekly_notice(translator(language), fresh, len(current.flagged()))
            for language in LANGUAGES
        }
        payload: dict[str, Any] = {"text": texts}
        created = await self.delivery.create_campaign(
            f"items:{today.isoformat()}", "items", payload, admins, now=now
        )
        return created.created


# --- text ---------------------------------------------------------------------------------------


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def flag_reasons(t: Translate, stats: ItemStats) -> str:
    """Why a question is flagged, in words (empty if it is not)."""
    values = {
        Flag.LOW_DISCRIMINATION: {"threshold": f"{LOW_DISCRIMINATION:.2f}"},
        Flag.TOO_EASY: {"threshold": f"{HIGH_FACILITY:.0%}"},
        Flag.TOO_HARD: {"threshold": f"{LOW_FACILITY:.0%}"},
    }
    return t("items.separator").join(t(f"items.flag.{f.value}", **values[f]) for f in stats.flags)


def _discrimination(stats: ItemStats) -> str:
    return "—" if stats.discrimination is None else f"{stats.discrimination:.2f}"


def _line(t: Translate, number: int, line: ItemLine) -> str:
    stats = line.stats
    return t(
        "items.line",
        number=number,
        id=escape(line.question.id),
        bank=escape(line.bank_title),
        stem=escape(_short(line.question.stem, STEM_CHARS)),
        attempts=stats.attempts,
        facility=round(100 * (stats.facility or 0)),
        discrimination=_discrimination(stats),
        reasons=flag_reasons(t, stats),
    )


def render_items(t: Translate, report: ItemReport) -> str:
    """/items: every flagged question (the worst `LISTED`), or why there is none."""
    flagged = report.flagged()
    lines = [t("items.title"), t("items.basis", min=MIN_ATTEMPTS, judged=report.judged)]
    if not flagged:
        lines.append(t("items.none"))
    else:
        lines.append(t("items.flagged", count=len(flagged)))
        lines += [_line(t, n, line) for n, line in enumerate(flagged[:LISTED], start=1)]
        if len(flagged) > LISTED:
            lines.append(t("items.more", count=len(flagged) - LISTED))
    lines.append(t("items.export"))
    return "\n".join(lines)


def render_weekly_notice(t: Translate, fresh: list[ItemLine], total: int) -> str:
    """The weekly notice: questions flagged this week (the worst `NOTICE_LISTED`)."""
    lines = [t("items.weekly_title"), t("items.weekly", count=len(fresh), min=MIN_ATTEMPTS)]
    lines += [_line(t, n, line) for n, line in enumerate(fresh[:NOTICE_LISTED], start=1)]
    if len(fresh) > NOTICE_LISTED:
        lines.append(t("items.more", count=len(fresh) - NOTICE_LISTED))
    lines.append(t("items.weekly_total", total=total))
    return "\n".join(lines)


def export_row(t: Translate, line: ItemLine) -> list[Any]:
    """One row of `export items`: the question and its statistics, never a member."""
    stats = line.stats
    if stats.flags:
        reason = flag_reasons(t, stats)
    elif not stats.judged:
        reason = t("items.too_few", min=MIN_ATTEMPTS)
    else:
        reason = ""
    return [
        line.question.id,
        line.bank_title,
        _short(line.question.stem, EXPORT_STEM_CHARS),
        stats.attempts,
        "" if stats.facility is None else round(stats.facility, 3),
        "" if stats.discrimination is None else round(stats.discrimination, 3),
        reason,
    ]
