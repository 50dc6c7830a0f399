"""The callback-data codec: typed, versioned, within Telegram's 64 bytes, strict on input."""

from __future__ import annotations

import pytest

from bot.tg import callbacks as cb


def test_round_trip_every_field_type() -> None:
    data = cb.MemberRole(user_id=123456789, role="admin", grant=True, offset=16)
    encoded = data.encode()
    assert encoded == "v1:mrole:123456789:admin:1:16"
    assert cb.MemberRole.decode(encoded) == data
    assert cb.MemberRole.pattern().match(encoded)
    assert not cb.MemberShow.pattern().match(encoded)


def test_prefixes_do_not_shadow_each_other() -> None:
    # "mpage" must not match a hypothetical "mpagex" payload and vice versa.
    assert cb.MembersPage.pattern().match("v1:mpage:0")
    assert not cb.MembersPage.pattern().match("v1:mpagex:0")


@pytest.mark.parametrize(
    "forged",
    [
        "",
        "v1:mrole",
        "v1:mrole:1:admin:1",  # a field missing
        "v1:mrole:1:admin:1:0:extra",
        "v0:mrole:1:admin:1:0",  # an older version
        "v1:mrole:abc:admin:1:0",
        "v1:mrole:1:admin:yes:0",
        "v1:mshow:1:0",  # another type's data
    ],
)
def test_forged_or_stale_data_is_rejected(forged: str) -> None:
    with pytest.raises(cb.CallbackDataError):
        cb.MemberRole.decode(forged)


def test_sixty_four_byte_limit_and_separator_are_enforced() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        cb.InviteDepartment("x" * 60).encode()
    with pytest.raises(ValueError, match="not allowed"):
        cb.InviteDepartment("a:b").encode()


def test_every_registered_type_has_a_unique_prefix() -> None:
    prefixes = list(cb.CallbackData.registry)
    assert len(prefixes) == len(set(prefixes)) >= 8
