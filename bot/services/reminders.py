"""Holiday integrity reminders (节前廉洁提醒): the plan, and one campaign per planned send.

Used from the scheduled job, from the start-up catch-up, from /plan and /reload, and from
`reminders plan`. Also the weekly warning to admins while the official schedule is missing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape

from bot.config import Config
from bot.content.reminders import (
    MAKEUP_KEY,
    MAX_BREAK_DAYS,
    ReminderVariant,
    load_reminders,
    load_schedule,
    render_reminder,
    variant_ids,
)
from bot.domain.delivery import Audience, Notice
from bot.domain.holidays import (
    OfficialSchedule,
    PlannedSend,
    ScheduleGap,
    ScheduleWarning,
    due_sends,
    plan_reminders,
    schedule_warning,
    upcoming_sends,
    warning_week,
)
from bot.domain.members import Role
from bot.i18n import LANGUAGES, Translate, days_off, translate, translator
from bot.services.delivery import CampaignCreated, DeliveryService

log = logging.getLogger(__name__)

REMINDER_KIND = "reminder"
WARNING_KIND = "admin"
HORIZON_DAYS = 400
PLAN_SHOWN = 8  # sends listed by /plan and the /reload answer


@dataclass(frozen=True)
class PlanEntry:
    """One upcoming send as admins see it, with whether its campaign already went out."""

    send: PlannedSend
    sent: bool


@dataclass(frozen=True)
class ReminderContent:
    """The official break schedule and the reminder texts, loaded and validated."""

    schedule: OfficialSchedule
    variants: dict[str, list[ReminderVariant]]

    @classmethod
    def load(cls, config: Config) -> ReminderContent:
        """Read content/holidays.yaml and content/reminders/; raise ContentError if wrong."""
        return cls(
            schedule=load_schedule(config.reminders.holidays_file),
            variants=load_reminders(config.reminders.content_dir),
        )

    def variant(self, send: PlannedSend) -> ReminderVariant:
        """The text variant a planned send uses."""
        return next(v for v in self.variants[send.holiday] if v.id == send.variant_id)


def plan_year(config: Config, content: ReminderContent, year: int) -> list[PlannedSend]:
    """Every send of a holiday-year, with the config's lead days, send time and time zone."""
    r = config.reminders
    return plan_reminders(
        year,
        content.schedule,
        r.lead_days,
        r.send_time,
        config.timezone,
        variant_ids(content.variants),
    )


class ReminderService:
    """The reminder plan from config and content; campaigns for planned sends, created once."""

    def __init__(self, config: Config, content: ReminderContent, delivery: DeliveryService) -> None:
        self.config = config
        self.content = content
        self.delivery = delivery

    def replace(self, content: ReminderContent) -> None:
        """Make freshly loaded and checked content live (the caller re-plans the jobs)."""
        self.content = content

    @property
    def schedule(self) -> OfficialSchedule:
        """The live official schedule."""
        return self.content.schedule

    def plan(self, year: int) -> list[PlannedSend]:
        """Every send of a holiday-year."""
        return plan_year(self.config, self.content, year)

    def upcoming(self, now: datetime, horizon_days: int = HORIZON_DAYS) -> list[PlannedSend]:
        """Sends from `now` on, within the horizon (these get scheduled jobs)."""
        r = self.config.reminders
        return upcoming_sends(
            now,
            self.content.schedule,
            r.lead_days,
            r.send_time,
            self.config.timezone,
            variant_ids(self.content.variants),
            horizon_days=horizon_days,
        )

    def current(self, now: datetime) -> list[PlannedSend]:
        """Every send of this and next holiday-year whose break has not ended (for re-planning)."""
        today = now.astimezone(self.config.timezone).date()
        return [
            send
            for year in (today.year, today.year + 1)
            for send in self.plan(year)
            if send.brk.end >= today
        ]

    def missed(self, now: datetime) -> list[PlannedSend]:
        """What the start-up catch-up sends: per break, the latest send that came due.

        Only breaks that have not ended count; when several sends of one break came due while
        the bot was down, members get the latest one only (not two reminders at once), and
        since the latest stays the latest, a second start-up picks the same one again.
        """
        r = self.config.reminders
        since = now - timedelta(days=MAX_BREAK_DAYS + max(r.lead_days) + 1)
        sends = due_sends(
            now,
            since,
            self.content.schedule,
            r.lead_days,
            r.send_time,
            self.config.timezone,
            variant_ids(self.content.variants),
        )
        latest: dict[tuple[int, str], PlannedSend] = {}
        for send in sends:
            key = (send.year, send.holiday)
            if key not in latest or send.send_at > latest[key].send_at:
                latest[key] = send
        return sorted(latest.values(), key=lambda s: s.send_at)

    def notice(self, send: PlannedSend) -> Notice:
        """The reminder in each language (the text is Chinese; English readers get a lead-in).

        An estimated break's dates are worded as expected, never as fact, in both.
        """
        body = render_reminder(self.content.variant(send), send.brk, self.config.organization_name)
        intro_key = (
            "delivery.reminder_intro" if send.brk.official else "delivery.reminder_intro_estimate"
        )
        texts = {}
        for language in LANGUAGES:
            if language == "zh":
                texts[language] = body
                continue
            intro = translate(
                language,
                intro_key,
                holiday=translate(language, f"holiday.{send.holiday}"),
                days=days_off(translator(language), send.brk.start, send.brk.end),
            )
            texts[language] = f"{intro}\n\n{body}"
        return Notice(text=texts, ack=True)

    async def send(self, send: PlannedSend, now: datetime) -> CampaignCreated:
        """Create the reminder campaign for every active member (once per planned send)."""
        members = await self.delivery.audience(Audience("all"))
        created = await self.delivery.create_campaign(
            send.campaign_key, REMINDER_KIND, self.notice(send), members, now=now
        )
        if created.created:
            log.info("reminder %s queued for %d members", send.campaign_key, created.recipients)
        return created

    async def catch_up(self, now: datetime) -> list[CampaignCreated]:
        """Send what came due while the bot was down (each planned send at most once)."""
        return [await self.send(send, now) for send in self.missed(now)]

    # --- the plan as admins see it, and the warning while the schedule is missing ----------

    async def plan_entries(self, now: datetime, limit: int = PLAN_SHOWN) -> list[PlanEntry]:
        """The next sends from `now`, each with whether its campaign already went out."""
        sends = self.upcoming(now)[:limit]
        sent = await self.delivery.existing_keys([s.campaign_key for s in sends])
        return [PlanEntry(send, send.campaign_key in sent) for send in sends]

    def schedule_warning(self, today: date) -> ScheduleWarning | None:
        """What is missing from the official schedule that admins must add now, if anything."""
        r = self.config.reminders
        return schedule_warning(today, self.schedule, r.lead_days, r.warn_missing_schedule_from)

    async def warn_admins(self, now: datetime) -> CampaignCreated | None:
        """Tell admins what to add to holidays.yaml; at most one notice per week (its key)."""
        today = now.astimezone(self.config.timezone).date()
        warning = self.schedule_warning(today)
        if warning is None:
            return None
        admins = await self.delivery.audience(Audience("role", Role.ADMIN.value))
        if not admins:
            # No admin has joined yet: keep this week's key for when one has.
            return None
        path = str(self.config.reminders.holidays_file)
        texts = {
            language: render_schedule_warning(translator(language), warning, path)
            for language in LANGUAGES
        }
        created = await self.delivery.create_campaign(
            f"schedule-warning:{warning_week(today)}",
            WARNING_KIND,
            Notice(text=texts),
            admins,
            now=now,
        )
        if created.created:
            log.info("holiday schedule warning queued for %d admin(s)", created.recipients)
        return created


def schedule_example(gaps: Sequence[ScheduleGap]) -> str:
    """The lines to add to holidays.yaml, with MM-DD where the notice's dates go."""
    lines = []
    for gap in gaps:
        lines.append(f"{gap.year}:")
        lines += [
            f"  {name}: {{start: {gap.year}-MM-DD, end: {gap.year}-MM-DD}}" for name in gap.missing
        ]
        if gap.absent:
            lines.append(f"  {MAKEUP_KEY}: [{gap.year}-MM-DD, {gap.year}-MM-DD]")
    return "\n".join(lines)


def render_schedule_warning(t: Translate, warning: ScheduleWarning, path: str) -> str:
    """The admins' notice: what is missing, what it means for reminders, and what to do."""
    separator = t("plan.separator")
    gaps = "\n".join(
        t("plan.gap_absent", year=gap.year)
        if gap.absent
        else t(
            "plan.gap_partial",
            year=gap.year,
            holidays=separator.join(t(f"holiday.{name}") for name in gap.missing),
        )
        for gap in warning.gaps
    )
    upcoming = warning.next_estimated
    next_line = (
        t(
            "plan.warning_next",
            date=upcoming.day.isoformat(),
            holiday=t(f"holiday.{upcoming.brk.name}"),
            lead=upcoming.lead_days,
        )
        if upcoming
        else ""
    )
    return t(
        "plan.warning",
        file=escape(path),
        gaps=gaps,
        next=next_line,
        example=escape(schedule_example(warning.gaps)),
    )


def render_plan(
    t: Translate, entries: Sequence[PlanEntry], warning: ScheduleWarning | None, path: str
) -> str:
    """The next sends for admins: date, time, holiday, lead days, official or estimate."""
    lines = [t("plan.title", count=len(entries))]
    if not entries:
        lines.append(t("plan.empty"))
    for entry in entries:
        send = entry.send
        line = t(
            "plan.item_official" if send.brk.official else "plan.item_estimate",
            date=send.send_at.date().isoformat(),
            time=send.send_at.strftime("%H:%M"),
            holiday=t(f"holiday.{send.holiday}"),
            lead=send.lead_days,
            days=days_off(t, send.brk.start, send.brk.end),
        )
        lines.append(line + (t("plan.sent") if entry.sent else ""))
    if any(not e.send.brk.official for e in entries):
        lines.append(t("plan.estimate_note", file=escape(path)))
    if warning is not None:
        separator = t("plan.separator")
        years = separator.join(str(gap.year) for gap in warning.gaps)
        lines.append(t("plan.missing", years=years, file=escape(path)))
    return "\n".join(lines)
