"""Invite rules as a pure function of the invite and `now`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.members import (
    Invite,
    InviteState,
    deep_link,
    invite_expiry,
    invite_state,
    new_invite_code,
)

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _invite(**kw: object) -> Invite:
    base = dict(
        code="c",
        department_id="office",
        created_by=1,
        created_at=NOW,
        max_uses=None,
        uses=0,
        expires_at=None,
        revoked=False,
    )
    base.update(kw)
    return Invite(**base)  # type: ignore[arg-type]


def test_unlimited_invite_is_valid_forever() -> None:
    assert invite_state(_invite(uses=10_000), NOW + timedelta(days=3650)) is InviteState.VALID


def test_expiry_is_exclusive_at_the_instant() -> None:
    invite = _invite(expires_at=invite_expiry(NOW, 7))
    assert invite_state(invite, NOW + timedelta(days=7, seconds=-1)) is InviteState.VALID
    assert invite_state(invite, NOW + timedelta(days=7)) is InviteState.EXPIRED


def test_used_up_and_revoked() -> None:
    assert invite_state(_invite(max_uses=1, uses=0), NOW) is InviteState.VALID
    assert invite_state(_invite(max_uses=1, uses=1), NOW) is InviteState.USED_UP
    assert invite_state(_invite(revoked=True), NOW) is InviteState.REVOKED


def test_codes_are_unique_and_fit_a_start_parameter() -> None:
    codes = {new_invite_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(len(c) <= 64 and c.replace("-", "").replace("_", "").isalnum() for c in codes)
    assert invite_expiry(NOW, None) is None
    assert deep_link("my_bot", "abc") == "https://t.me/my_bot?start=abc"


def test_join_throttle_counts_failures_per_user_and_for_everyone() -> None:
    from bot.domain.members import JoinThrottle, whole_minutes

    start = datetime(2026, 9, 20, 2, 0, tzinfo=UTC)
    throttle = JoinThrottle(per_user=3, per_user_window=timedelta(minutes=10), overall=5)
    for minute in range(3):
        assert throttle.wait(1, start + timedelta(minutes=minute)) is None
        throttle.failed(1, start + timedelta(minutes=minute))
    # Three failures at :00, :01, :02 → free again when the first leaves the window at :10.
    wait = throttle.wait(1, start + timedelta(minutes=4))
    assert wait == timedelta(minutes=6)
    assert whole_minutes(wait) == 6
    assert whole_minutes(timedelta(seconds=1)) == 1
    assert throttle.wait(2, start + timedelta(minutes=4)) is None
    assert throttle.wait(1, start + timedelta(minutes=10)) is None

    # Five failures from five users within a minute pause everyone for the rest of it.
    later = start + timedelta(hours=1)
    for user in range(10, 15):
        throttle.failed(user, later + timedelta(seconds=user))
    assert throttle.wait(99, later + timedelta(seconds=20)) == timedelta(seconds=50)
    assert throttle.wait(99, later + timedelta(seconds=70)) is None


def test_guessable_invite_codes() -> None:
    from bot.domain.members import guessable_code, new_invite_code

    for code in ("join-office-2026", "demo-join-office", "OFFICE_2026", "abcdefghijkl"):
        assert guessable_code(code), code
    for code in ("Xq4mT9vKp2Lr7wZc", "q7Rz-Kd2x-Lm9W", "office-Xq4mT9vK2"):
        assert not guessable_code(code), code
    assert not any(guessable_code(new_invite_code()) for _ in range(200))
