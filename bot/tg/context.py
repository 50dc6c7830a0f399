"""A CallbackContext with typed access to the services and the caller."""

from __future__ import annotations

from telegram.ext import Application, CallbackContext, ExtBot

from bot.i18n import Translate, translator
from bot.services.membership import Caller
from bot.services.registry import Services

SERVICES_KEY = "services"
WORKER_KEY = "delivery_worker"  # the running DeliveryWorker (bot/services/delivery_worker.py)


class BotContext(CallbackContext[ExtBot[None], dict, dict, dict]):
    """Typed properties instead of dict look-ups."""

    # Set by the access gate (handler group -3) for the update being handled; PTB builds one
    # context per update and reuses it across handler groups.
    caller: Caller | None = None

    @property
    def services(self) -> Services:
        """The bot's services."""
        return self.application.bot_data[SERVICES_KEY]

    @property
    def language(self) -> str:
        """The caller's language: their own choice, else the configured default."""
        member = self.caller.member if self.caller else None
        return (member.language if member and member.language else None) or (
            self.services.config.language
        )

    @property
    def t(self) -> Translate:
        """Translate in the caller's language."""
        return translator(self.language)


BotApplication = Application[ExtBot[None], BotContext, dict, dict, dict, object]
