"""The digest's 负担 line: how many messages the bot sent each member, and what they cost.

Against 指尖上的形式主义 (formalism at the fingertips): the program should know how much of
its members' time it takes. Counted honestly from what the bot stores: every campaign the
delivery engine created in the period (broadcasts, holiday reminders, daily-question and
assigned-test notices, reviewers' and admins' notices) and how many of its messages were sent
(or possibly sent), divided by the members on the roll. Replies to a member's own commands
are not stored and not counted. The minutes are an estimate with a stated assumption:
`NOTICE_MINUTES` to read a notice, `QUIZ_MINUTES` for a notice that asks for a quiz.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

NOTICE_MINUTES = 0.5
QUIZ_MINUTES = 2.0
QUIZ_KINDS = frozenset({"daily", "assignment"})  # campaign kinds that ask for a quiz


@dataclass(frozen=True)
class Burden:
    """Messages and estimated minutes per member in one period (None: nobody on the roll)."""

    messages: int
    minutes: float
    members: int

    @property
    def messages_per_member(self) -> float | None:
        """Average messages per member, one decimal."""
        return None if self.members <= 0 else round(self.messages / self.members, 1)

    @property
    def minutes_per_member(self) -> float | None:
        """Average estimated minutes per member, one decimal."""
        return None if self.members <= 0 else round(self.minutes / self.members, 1)


def burden(sends: Iterable[tuple[str, int]], members: int) -> Burden:
    """Sum (campaign kind, messages delivered) over a period for `members` members."""
    messages, minutes = 0, 0.0
    for kind, delivered in sends:
        messages += delivered
        minutes += delivered * (QUIZ_MINUTES if kind in QUIZ_KINDS else NOTICE_MINUTES)
    return Burden(messages, minutes, members)
