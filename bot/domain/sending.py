"""The port through which the delivery worker reaches Telegram: what it asks, what comes back.

The worker (bot/services/delivery_worker.py) decides; a `Sender` carries out one request and
says how it went in the domain's terms. The Telegram layer's sender (bot/tg/sender.py) renders
a notice with its buttons, calls the Bot API and classifies its errors; tests use a recording
fake that answers whatever a scenario needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypeVar

from bot.domain.delivery import Campaign, Failure

M = TypeVar("M")


class NoticeError(ValueError):
    """A campaign's notice cannot be rendered (e.g. a button names an unknown action)."""


@dataclass(frozen=True)
class SendResult:
    """What one request came to: delivered (with the message id), or how it failed."""

    message_id: int | None = None
    failure: Failure | None = None
    detail: str = ""  # "<error type>: <Telegram's description>", stored with the outbox row
    error: str = ""  # the error type alone, for the log
    retry_after: float = 0.0  # seconds, for Failure.FLOOD

    @property
    def ok(self) -> bool:
        """Telegram accepted the request."""
        return self.failure is None


class Sender(Protocol[M]):
    """Sends campaign notices and edits progress messages; never raises for a failed request."""

    def prepare(self, campaign: Campaign, language: str | None) -> M:
        """The notice as `language` reads it (None: the default); NoticeError if it cannot be."""
        ...

    async def send(self, chat_id: int, message: M) -> SendResult:
        """Send a prepared notice to one chat."""
        ...

    async def edit(
        self, chat_id: int, message_id: int, text: str, button: tuple[str, str] | None = None
    ) -> SendResult:
        """Replace the text of a message the bot sent (a campaign's progress message).

        `button`: (label, named action, e.g. `campaign_report:12`) shown under the text.
        """
        ...
