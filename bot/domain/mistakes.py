"""The mistake book (错题本) as an FSRS schedule: a miss comes back soon, each right answer later.

FSRS (the `fsrs` package, default parameters) models each question a member missed as a card
with a stability (days until recall drops to 90 %) and a difficulty. A wrong answer rates the
card Again, a right one Good; the next review is due when FSRS expects recall to have fallen to
90 %. The rest of the bot sees only `ReviewCard`, never the package's types.

Two choices on top of the defaults, both because members meet these questions at most a few
times a day (a 10-question round, one daily question), not in a flash-card session:

- No learning steps (the package's default re-asks a missed card after 1 and 10 minutes): a
  miss is due again the next day, and every card is scheduled in whole days.
- No fuzz (random ±days that spread a large deck's load): a mistake book holds tens of items,
  and "next review in N days" stays exactly what FSRS computed.

A question leaves the book once a right answer would schedule it `MASTERED_DAYS` or more days
ahead: 21 days is where Anki calls a card mature, past short-term memory. With the default
parameters a question missed once leaves after four right answers on their due dates (the
intervals run 1, 2, 6, 17 days; the fourth would be 44).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from fsrs import Card, Rating, Scheduler, State

MASTERED_DAYS = 21


@dataclass(frozen=True)
class ReviewCard:
    """One question in one member's mistake book."""

    stability: float  # days
    difficulty: float  # 1 (easy) … 10 (hard)
    due_at: datetime
    last_review: datetime

    @property
    def interval_days(self) -> int:
        """Whole days from the last answer to the next review."""
        return (self.due_at - self.last_review).days


class MistakeSchedule:
    """Where a question goes in the mistake book after an answer."""

    def __init__(self) -> None:
        self._scheduler = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)

    def after_answer(
        self, current: ReviewCard | None, correct: bool, now: datetime
    ) -> ReviewCard | None:
        """The card after an answer at `now`; None when the question is not (or no longer) in it.

        A wrong answer puts the question in the book (Again); a right answer to a question in the
        book reviews it (Good) and takes it out once it is mastered; a right answer to a question
        not in the book keeps it out.
        """
        if current is None and correct:
            return None
        at = now.astimezone(UTC)  # the package accepts UTC datetimes only
        # card_id is the package's own bookkeeping; giving one also spares the 1 ms sleep that
        # Card() takes to make a fresh id unique.
        card = Card(card_id=0, due=at) if current is None else _to_fsrs(current)
        reviewed, _log = self._scheduler.review_card(
            card, Rating.Good if correct else Rating.Again, at
        )
        after = _from_fsrs(reviewed)
        if correct and after.interval_days >= MASTERED_DAYS:
            return None
        return after


def _to_fsrs(card: ReviewCard) -> Card:
    # Without learning steps every card that has been answered once is in the Review state.
    return Card(
        card_id=0,
        state=State.Review,
        step=None,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due_at.astimezone(UTC),
        last_review=card.last_review.astimezone(UTC),
    )


def _from_fsrs(card: Card) -> ReviewCard:
    assert card.stability is not None
    assert card.difficulty is not None
    assert card.last_review is not None
    return ReviewCard(card.stability, card.difficulty, card.due, card.last_review)
