"""Broadcast campaigns as plain values: the notice, outbox states, failure decisions, the report."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.domain.members import MemberStatus
from bot.domain.pacing import backoff


class OutboxStatus(StrEnum):
    """Where one member's copy of a campaign is."""

    PENDING = "pending"  # not sent yet (maybe waiting for a retry)
    SENDING = "sending"  # handed to Telegram; no answer recorded yet
    SENT = "sent"
    FAILED = "failed"  # Telegram refused it, or retries ran out
    BLOCKED = "blocked"  # 403: the member blocked the bot
    UNKNOWN = "unknown"  # may or may not have arrived (crash or lost answer); never resent
    SKIPPED = "skipped"  # the member left before their turn


FINAL_STATUSES = frozenset(
    {
        OutboxStatus.SENT,
        OutboxStatus.FAILED,
        OutboxStatus.BLOCKED,
        OutboxStatus.UNKNOWN,
        OutboxStatus.SKIPPED,
    }
)


class Failure(StrEnum):
    """How a send failed, as far as the delivery decision goes."""

    FLOOD = "flood"  # 429 retry_after: wait, then try again
    TRANSIENT = "transient"  # 5xx, gateway timeout, connection never made: nothing was sent
    BLOCKED = "blocked"  # 403
    REJECTED = "rejected"  # 400 and other definite refusals
    AMBIGUOUS = "ambiguous"  # the request may have reached Telegram (read timeout, crash)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a send is retried."""

    max_attempts: int = 5  # transient failures
    max_flood_attempts: int = 20  # 429s are Telegram asking us to wait, not a broken send
    base_delay: float = 1.0
    max_delay: float = 60.0


@dataclass(frozen=True)
class Decision:
    """What to do with an outbox row after a failed attempt."""

    status: OutboxStatus
    retry_in: float | None = None  # seconds, when status is PENDING


def decide(
    failure: Failure,
    attempts: int,
    policy: RetryPolicy,
    *,
    retry_after: float = 0.0,
    jitter: float = 0.0,
) -> Decision:
    """The next status of a row whose `attempts`-th attempt failed like this."""
    if failure is Failure.BLOCKED:
        return Decision(OutboxStatus.BLOCKED)
    if failure is Failure.REJECTED:
        return Decision(OutboxStatus.FAILED)
    if failure is Failure.AMBIGUOUS:
        # Telegram has no idempotency key: resending could deliver the message twice.
        return Decision(OutboxStatus.UNKNOWN)
    if failure is Failure.FLOOD:
        if attempts >= policy.max_flood_attempts:
            return Decision(OutboxStatus.FAILED)
        return Decision(OutboxStatus.PENDING, retry_in=max(retry_after, 0.0))
    if attempts >= policy.max_attempts:
        return Decision(OutboxStatus.FAILED)
    delay = backoff(attempts, base=policy.base_delay, cap=policy.max_delay, jitter=jitter)
    return Decision(OutboxStatus.PENDING, retry_in=delay)


@dataclass(frozen=True)
class NoticeButton:
    """A button under a notice: a label per language and either callback data or an action."""

    label: Mapping[str, str]
    data: str | None = None  # callback data, already encoded
    action: str | None = None  # a named action the Telegram layer turns into callback data


@dataclass(frozen=True)
class Notice:
    """What a campaign sends: HTML text per language, buttons, and whether to ask for 已阅知悉."""

    text: Mapping[str, str]
    buttons: tuple[tuple[NoticeButton, ...], ...] = ()
    ack: bool = False

    def text_for(self, language: str, default: str) -> str:
        """The text in `language`, else in `default`, else in any language given."""
        return self.text.get(language) or self.text.get(default) or next(iter(self.text.values()))

    def to_payload(self) -> dict[str, Any]:
        """The JSON-ready form stored in `campaigns.payload`."""
        payload: dict[str, Any] = {"text": dict(self.text)}
        if self.ack:
            payload["ack"] = True
        if self.buttons:
            payload["buttons"] = [
                [
                    {
                        "text": dict(b.label),
                        **({"data": b.data} if b.data is not None else {}),
                        **({"action": b.action} if b.action is not None else {}),
                    }
                    for b in row
                ]
                for row in self.buttons
            ]
        return payload

    def to_json(self) -> str:
        """Serialised for storage."""
        return json.dumps(self.to_payload(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Notice:
        """Validate a payload dict: {"text": {lang: html}, "ack"?: bool, "buttons"?: [[…]]}."""
        text = payload.get("text")
        if isinstance(text, str):
            text = {"zh": text}
        if not isinstance(text, Mapping) or not text:
            raise ValueError("payload.text: expected {language: text}")
        if not all(
            isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in text.items()
        ):
            raise ValueError("payload.text: every language needs non-empty text")
        unknown = set(payload) - {"text", "ack", "buttons"}
        if unknown:
            raise ValueError(f"payload: unknown keys {sorted(unknown)}")
        rows = []
        for r, row in enumerate(payload.get("buttons") or []):
            if not isinstance(row, list | tuple):
                raise ValueError(f"payload.buttons[{r}]: expected a row (list) of buttons")
            rows.append(tuple(_button(item, f"payload.buttons[{r}]") for item in row))
        return cls(text=dict(text), buttons=tuple(rows), ack=bool(payload.get("ack", False)))

    @classmethod
    def from_json(cls, raw: str) -> Notice:
        """Read a stored payload."""
        return cls.from_payload(json.loads(raw))


def _button(item: Any, where: str) -> NoticeButton:
    if not isinstance(item, Mapping):
        raise ValueError(f"{where}: expected {{text, data | action}}")
    label = item.get("text")
    if isinstance(label, str):
        label = {"zh": label}
    if not isinstance(label, Mapping) or not label:
        raise ValueError(f"{where}.text: expected {{language: label}}")
    data, action = item.get("data"), item.get("action")
    if (data is None) == (action is None):
        raise ValueError(f"{where}: give exactly one of data or action")
    if data is not None and (not isinstance(data, str) or not 1 <= len(data.encode()) <= 64):
        raise ValueError(f"{where}.data: callback data of 1–64 bytes")
    if action is not None and not isinstance(action, str):
        raise ValueError(f"{where}.action: expected text")
    return NoticeButton(label=dict(label), data=data, action=action)


@dataclass(frozen=True)
class Audience:
    """Who an admin broadcast goes to: every active member, one department, or one role."""

    kind: str  # "all" | "department" | "role"
    value: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ("all", "department", "role"):
            raise ValueError(f"unknown audience kind {self.kind!r}")
        if (self.kind == "all") != (not self.value):
            raise ValueError("a department or role audience needs a value; all takes none")


@dataclass(frozen=True)
class OutboxItem:
    """One member's copy of a campaign, with what the sender needs to know about the member."""

    campaign_id: int
    user_id: int
    attempts: int
    language: str | None
    member_status: MemberStatus | None  # None: no member record (never joined, or removed)


@dataclass(frozen=True)
class Campaign:
    """One broadcast: a unique key, what kind it is, what it says, and where to show progress."""

    id: int
    key: str
    kind: str
    notice: Notice
    status: str
    created_by: int | None
    progress_chat: int | None = None
    progress_message: int | None = None


@dataclass(frozen=True)
class CampaignReport:
    """How a campaign stands: one count per outbox status."""

    campaign_id: int
    counts: Mapping[OutboxStatus, int] = field(default_factory=dict)

    def __getitem__(self, status: OutboxStatus) -> int:
        return self.counts.get(status, 0)

    @property
    def total(self) -> int:
        """Every member the campaign is for."""
        return sum(self.counts.values())

    @property
    def sent(self) -> int:
        """Delivered (Telegram answered with a message)."""
        return self[OutboxStatus.SENT]

    @property
    def failed(self) -> int:
        """Refused or out of retries."""
        return self[OutboxStatus.FAILED]

    @property
    def blocked(self) -> int:
        """Members who blocked the bot."""
        return self[OutboxStatus.BLOCKED]

    @property
    def unknown(self) -> int:
        """Sends whose outcome was lost (e.g. a crash mid-send); not resent."""
        return self[OutboxStatus.UNKNOWN]

    @property
    def skipped(self) -> int:
        """Members who left before their turn."""
        return self[OutboxStatus.SKIPPED]

    @property
    def remaining(self) -> int:
        """Not finished yet (waiting, retrying, or in flight)."""
        return self[OutboxStatus.PENDING] + self[OutboxStatus.SENDING]

    @property
    def finished(self) -> bool:
        """Every row has its final outcome."""
        return self.remaining == 0
