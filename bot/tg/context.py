"""A CallbackContext with typed access to the services and the caller."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

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
    def user_data(self) -> dict[Any, Any]:
        """The caller's conversation state: every handler's update comes from a user."""
        data = self.optional_user_data
        if data is None:
            raise RuntimeError("this update has no user, so no user data")
        return data

    @user_data.setter
    def user_data(self, _: object) -> None:
        raise AttributeError("user_data cannot be replaced; change its contents instead")

    @property
    def optional_user_data(self) -> dict[Any, Any] | None:
        """The user's state, or None for an update without a user (a job, a channel post)."""
        return super().user_data

    @property
    def services(self) -> Services:
        """The bot's services."""
        services: Services = self.application.bot_data[SERVICES_KEY]
        return services

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


BotApplication = Application[ExtBot[None], BotContext, dict, dict, dict, JobQueue[BotContext]]
