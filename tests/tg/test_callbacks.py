"""The callback-data codec: typed, versioned, within Telegram's 64 bytes, strict on input."""

from __future__ import annotations

import dataclasses

import pytest

from bot.domain.members import Role
from bot.domain.reports import Category, ReportStatus
from bot.tg import callbacks as cb


def test_round_trip_every_field_type() -> None:
    data = cb.MemberRole(user_id=123456789, role=Role.ADMIN, grant=True, offset=16)
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


# Enum fields: the encoded strings are the ones the plain-string fields made, so buttons
# already in chats keep working, and a value outside the set no longer decodes.
ENUM_PAYLOADS = [
    (cb.Leave(cb.LeaveStep.ASK), "v1:leave:ask"),
    (cb.Leave(cb.LeaveStep.NO), "v1:leave:no"),
    (cb.MemberRole(7, Role.REVIEWER, False, 8), "v1:mrole:7:reviewer:0:8"),
    (cb.QuizResume(3, cb.ResumeAction.ABANDON), "v1:qres:3:abandon"),
    (cb.BroadcastAudience(cb.AudienceKind.DEPARTMENT, "hr"), "v1:bca:department:hr"),
    (cb.BroadcastAudience(cb.AudienceKind.ALL, "-"), "v1:bca:all:-"),
    (cb.ReportCategory(Category.GIFTS), "v1:rpc:gifts"),
    (cb.ReportsList(ReportStatus.CHECKING, 8), "v1:rvl:checking:8"),
    (cb.ReportSetStatus("AbC123", ReportStatus.CLOSED), "v1:rvs:AbC123:closed"),
    (cb.DigestWeek(cb.DigestPeriod.LAST), "v1:dg:last"),
]


@pytest.mark.parametrize(("data", "encoded"), ENUM_PAYLOADS)
def test_enum_fields_encode_as_before_and_round_trip(data: cb.CallbackData, encoded: str) -> None:
    assert data.encode() == encoded
    decoded = type(data).decode(encoded)
    assert decoded == data
    for field in dataclasses.fields(decoded):
        value = getattr(decoded, field.name)
        expected = getattr(data, field.name)
        assert type(value) is type(expected)  # decoded as the enum, not as a plain string


@pytest.mark.parametrize(
    ("data_type", "forged"),
    [
        (cb.Leave, "v1:leave:maybe"),
        (cb.MemberRole, "v1:mrole:7:owner:1:0"),
        (cb.QuizResume, "v1:qres:3:restart"),
        (cb.BroadcastAudience, "v1:bca:everyone:-"),
        (cb.ReportCategory, "v1:rpc:other_thing"),
        (cb.ReportsList, "v1:rvl:archived:0"),
        (cb.ReportSetStatus, "v1:rvs:AbC123:bogus"),
        (cb.DigestWeek, "v1:dg:sched"),  # the scheduled period is no button
        (cb.Leave, "v1:leave:ASK"),  # values are case-sensitive
    ],
)
def test_a_value_outside_an_enum_does_not_decode(
    data_type: type[cb.CallbackData], forged: str
) -> None:
    with pytest.raises(cb.CallbackDataError):
        data_type.decode(forged)
