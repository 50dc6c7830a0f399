"""Send pacing for broadcasts: the bot's overall rate, each chat's rate, flood pauses, back-off.

Pure arithmetic over monotonic seconds passed in by the caller; no clock, no asyncio.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Telegram (and the sandbox) count sends in sliding one-second windows at the server. Spacing
# sends a little wider than 1/rate keeps any 1 s window at or under the limit even when
# requests reach the server a few milliseconds apart from when they left.
DEFAULT_MARGIN = 0.04
# A send that goes out up to this late does not push the whole schedule back (keeps the
# achieved rate at the target despite timer lateness); later than this, the schedule restarts.
DEFAULT_SLACK = 0.005


@dataclass
class Pacer:
    """When the next send may go: overall spacing, per-chat spacing and a global pause.

    A generic-cell-rate schedule (no bursts): each send books the next free time overall and
    for its chat. Callers ask `delay(now, chat)`, sleep, then `take(now, chat)` and send.
    """

    overall_per_second: float
    per_chat_per_second: float
    margin: float = DEFAULT_MARGIN
    slack: float = DEFAULT_SLACK
    _next_any: float = field(default=float("-inf"), init=False)
    _next_chat: dict[int, float] = field(default_factory=dict, init=False)
    _paused_until: float = field(default=float("-inf"), init=False)

    def __post_init__(self) -> None:
        if self.overall_per_second <= 0 or self.per_chat_per_second <= 0:
            raise ValueError("rates must be positive")
        if not 0 <= self.slack < self.margin < 1:
            raise ValueError("expected 0 <= slack < margin < 1")

    @property
    def interval(self) -> float:
        """Seconds between two sends of the whole bot."""
        return (1 + self.margin) / self.overall_per_second

    @property
    def chat_interval(self) -> float:
        """Seconds between two sends to one chat."""
        return (1 + self.margin) / self.per_chat_per_second

    def delay(self, now: float, chat_id: int | None = None) -> float:
        """Seconds until a send (to `chat_id`, if given) may go; 0 means now."""
        ready = max(self._next_any, self._paused_until)
        if chat_id is not None:
            ready = max(ready, self._next_chat.get(chat_id, float("-inf")))
        return max(0.0, ready - now)

    def paused(self, now: float) -> float:
        """Seconds left of a flood-control pause (0 if none)."""
        return max(0.0, self._paused_until - now)

    def take(self, now: float, chat_id: int | None = None) -> None:
        """Book a send going out at `now`; only valid when `delay(now, chat_id)` is 0."""
        if self.delay(now, chat_id) > 0:
            raise ValueError("send taken before its time")
        self._next_any = max(self._next_any, now - self.slack) + self.interval
        if chat_id is not None:
            previous = self._next_chat.get(chat_id, float("-inf"))
            self._next_chat[chat_id] = max(previous, now - self.slack) + self.chat_interval
        self._forget(now)

    def note(self, now: float, chat_id: int | None = None) -> None:
        """Count a send that went out without asking (a reply to a member) in the schedule.

        It takes one slot of the bot's budget; its chat must then wait a full interval from now
        (a per-chat window of one holds the latest send, however many came before it).
        """
        self._next_any = max(self._next_any, now - self.slack) + self.interval
        if chat_id is not None:
            previous = self._next_chat.get(chat_id, float("-inf"))
            self._next_chat[chat_id] = max(previous, now + self.chat_interval)

    def pause(self, now: float, seconds: float) -> None:
        """Telegram answered 429 with retry_after: nobody sends for that long (it is global)."""
        self._paused_until = max(self._paused_until, now + max(0.0, seconds))

    def _forget(self, now: float) -> None:
        """Drop chats whose spacing has passed (keeps memory flat over big campaigns)."""
        if len(self._next_chat) > 1024:
            self._next_chat = {c: t for c, t in self._next_chat.items() if t > now}


def backoff(attempt: int, *, base: float, cap: float, jitter: float) -> float:
    """Seconds before retry number `attempt` (1, 2, …): doubling from `base`, at most `cap`.

    `jitter` is a random number in [0, 1) chosen by the caller; half the delay is fixed and half
    jittered, so retries of many members spread out instead of arriving together.
    """
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    if not 0 <= jitter < 1:
        raise ValueError("jitter must be in [0, 1)")
    ceiling = min(cap, base * 2 ** (attempt - 1))
    return float(ceiling / 2 + ceiling / 2 * jitter)
