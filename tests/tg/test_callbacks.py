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


def _payload_classes() -> list[type[cb.CallbackData]]:
    found: list[type[cb.CallbackData]] = []
    todo = list(cb.CallbackData.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_every_payload_class_is_registered_under_its_own_prefix() -> None:
    classes = _payload_classes()
    registry = cb.CallbackData.registry
    assert len(classes) >= 8
    # Each class is the one registered under its prefix: two classes sharing a prefix would
    # leave one of them out of the registry.
    assert all(registry[c.prefix] is c for c in classes)
    assert len(registry) == len(classes)
    for cls in classes:
        sample = f"v1:{cls.prefix}:0"
        assert [c for c in classes if c.pattern().match(sample)] == [cls]


def test_a_second_class_with_a_taken_prefix_is_refused() -> None:
    taken = next(iter(cb.CallbackData.registry))
    before = dict(cb.CallbackData.registry)
    with pytest.raises(TypeError, match="used twice"):

        class Twin(cb.CallbackData):
            prefix = taken

    assert cb.CallbackData.registry == before
