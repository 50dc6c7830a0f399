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
