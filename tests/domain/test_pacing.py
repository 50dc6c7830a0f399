"""Send pacing and failure decisions, with explicit time."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.delivery import Decision, Failure, Notice, OutboxStatus, RetryPolicy, decide
from bot.domain.pacing import Pacer, backoff


def run(
    pacer: Pacer, chats: list[int | None], *, lateness: list[float] | None = None
) -> list[float]:
    """Send to `chats` in order as soon as allowed (plus a lateness each); return send times."""
    now, times = 0.0, []
    for i, chat in enumerate(chats):
        now += pacer.delay(now, chat) + (lateness[i] if lateness else 0.0)
        pacer.take(now, chat)
        times.append(now)
    return times


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """Most sends in any half-open window (t - window, t], as Telegram and the sandbox count."""
    return max(sum(1 for s in times if t - window < s <= t) for t in times)


def test_overall_rate_stays_under_30_per_second_and_close_to_it() -> None:
    pacer = Pacer(30, 1)
    times = run(pacer, list(range(3000)))
    assert max_in_window(times) <= 30
    achieved = (len(times) - 1) / (times[-1] - times[0])
    assert achieved >= 0.95 * 30


@given(st.lists(st.floats(min_value=0, max_value=0.02), min_size=200, max_size=200))
def test_late_timers_never_let_a_window_exceed_the_limit(lateness: list[float]) -> None:
    pacer = Pacer(30, 1)
    times = run(pacer, list(range(200)), lateness=lateness)
    # Requests may reach the server up to margin - slack (35 ms) earlier than their spacing.
    assert max_in_window(times, 1.0 + pacer.margin - pacer.slack - 1e-9) <= 30


def test_one_chat_gets_at_most_one_send_per_second() -> None:
    pacer = Pacer(30, 1)
    times = run(pacer, [7, 7, 7, 7])
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(times))
    assert 0 < pacer.delay(times[-1], 8) <= pacer.interval  # other chats only wait their turn


def test_replies_sent_outside_the_schedule_take_their_share() -> None:
    pacer = Pacer(30, 1)
    for t in (0.0, 0.1, 0.2):  # three quick replies to one member
        pacer.note(t, 5)
    assert pacer.delay(0.2, 5) == pytest.approx(pacer.chat_interval)  # after the latest one
    assert pacer.delay(0.2, 6) == pytest.approx(pacer.interval - pacer.slack)
    for chat in range(100, 130):  # thirty replies at once use a second of the bot's budget
        pacer.note(0.3, chat)
    assert pacer.delay(0.3, 6) == pytest.approx(30 * pacer.interval - pacer.slack)


def test_a_flood_pause_stops_every_chat() -> None:
    pacer = Pacer(30, 1)
    pacer.take(0.0, 1)
    pacer.pause(0.1, 5)
    assert pacer.delay(0.2, 2) == pytest.approx(4.9)
    assert pacer.delay(0.2) == pytest.approx(4.9)
    assert pacer.paused(5.2) == 0
    with pytest.raises(ValueError, match="before its time"):
        pacer.take(1.0, 2)


@pytest.mark.parametrize(
    ("attempt", "jitter", "expected"),
    [(1, 0.0, 0.5), (1, 0.999, 0.9995), (2, 0.0, 1.0), (3, 0.5, 3.0), (10, 0.0, 30.0)],
)
def test_backoff_doubles_with_half_jitter_up_to_the_cap(
    attempt: int, jitter: float, expected: float
) -> None:
    assert backoff(attempt, base=1.0, cap=60.0, jitter=jitter) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("failure", "attempts", "expected"),
    [
        (Failure.BLOCKED, 1, Decision(OutboxStatus.BLOCKED)),
        (Failure.REJECTED, 1, Decision(OutboxStatus.FAILED)),
        (Failure.AMBIGUOUS, 1, Decision(OutboxStatus.UNKNOWN)),
        (Failure.FLOOD, 3, Decision(OutboxStatus.PENDING, retry_in=7.0)),
        (Failure.FLOOD, 20, Decision(OutboxStatus.FAILED)),
        (Failure.TRANSIENT, 1, Decision(OutboxStatus.PENDING, retry_in=0.5)),
        (Failure.TRANSIENT, 5, Decision(OutboxStatus.FAILED)),
    ],
)
def test_failed_attempts_are_retried_given_up_or_never_repeated(
    failure: Failure, attempts: int, expected: Decision
) -> None:
    assert decide(failure, attempts, RetryPolicy(), retry_after=7.0) == expected


def test_notice_payload_round_trips_and_rejects_bad_buttons() -> None:
    payload = {
        "text": {"zh": "通知", "en": "Notice"},
        "ack": True,
        "buttons": [[{"text": {"zh": "开始", "en": "Start"}, "action": "assignment:3"}]],
    }
    notice = Notice.from_payload(payload)
    assert Notice.from_json(notice.to_json()) == notice
    assert notice.text_for("en", "zh") == "Notice"
    assert Notice.from_payload({"text": {"zh": "只有中文"}}).text_for("en", "zh") == "只有中文"
    with pytest.raises(ValueError, match="exactly one of data or action"):
        Notice.from_payload({"text": "x", "buttons": [[{"text": "y"}]]})
    with pytest.raises(ValueError, match="1–64 bytes"):
        Notice.from_payload({"text": "x", "buttons": [[{"text": "y", "data": "z" * 65}]]})
    with pytest.raises(ValueError, match="non-empty text"):
        Notice.from_payload({"text": {"zh": " "}})
