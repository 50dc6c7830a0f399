"""The daily question (每日一题): one notice a day; the question is picked when it is opened."""

from __future__ import annotations

from datetime import datetime

from bot.config import Config
from bot.i18n import LANGUAGES, translate
from bot.services.delivery import DeliveryService


class DailyQuestionService:
    """Sends the daily notice through the delivery engine to members who have not muted it."""

    def __init__(self, config: Config, delivery: DeliveryService) -> None:
        self.config = config
        self.delivery = delivery

    async def send_daily_notice(self, now: datetime) -> bool:
        """Today's 每日一题 notice to opted-in active members, once a day; True if created now."""
        today = now.astimezone(self.config.timezone).date()
        members = await self.delivery.membership.daily_question_ids()
        if not members:
            return False
        texts = {
            language: translate(language, "daily.notice", date=today.isoformat())
            for language in LANGUAGES
        }
        labels = {language: translate(language, "daily.start") for language in LANGUAGES}
        created = await self.delivery.create_campaign(
            f"daily:{today.isoformat()}",
            "daily",
            {
                "text": texts,
                "buttons": [[{"text": labels, "action": f"daily:{today:%Y%m%d}"}]],
            },
            members,
            now=now,
        )
        return created.created
