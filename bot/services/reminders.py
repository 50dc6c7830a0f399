"""Holiday integrity reminders (节前廉洁提醒): the plan, and one campaign per planned send.

Used from the scheduled job, from the start-up catch-up and from `reminders plan`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.config import Config
from bot.content.reminders import (
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
    due_sends,
    plan_reminders,
    upcoming_sends,
)
from bot.i18n import LANGUAGES, translate
from bot.services.delivery import CampaignCreated, DeliveryService

log = logging.getLogger(__name__)

REMINDER_KIND = "reminder"
HORIZON_DAYS = 400


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

    @classmethod
    def load(cls, config: Config, delivery: DeliveryService) -> ReminderService:
        """Load and validate the content (a broken file stops start-up)."""
        return cls(config, ReminderContent.load(config), delivery)

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
        """The reminder in each language (the text is Chinese; English readers get a lead-in)."""
        body = render_reminder(self.content.variant(send), send.brk, self.config.organization_name)
        texts = {}
        for language in LANGUAGES:
            if language == "zh":
                texts[language] = body
                continue
            intro = translate(
                language,
                "delivery.reminder_intro",
                holiday=send.holiday,
                start=send.brk.start.isoformat(),
                end=send.brk.end.isoformat(),
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
