"""Report rules without Telegram or a database: receipt codes, statuses, limits, helpers."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.reports import (
    ALPHABET,
    FINAL_STATUSES,
    AttemptLimiter,
    Category,
    DailyLimiter,
    Draft,
    LengthProblem,
    ReceiptCode,
    ReportStatus,
    SenderKeys,
    can_move,
    check_length,
    clip,
    count_categories,
    csv_cell,
    local_date,
    new_ref,
    next_boundary,
    retention_cutoff,
    split_text,
    utf16_len,
)

NOW = datetime(2026, 9, 20, 2, 0, tzinfo=UTC)


def test_receipt_codes_are_16_crockford_characters_shown_in_groups_of_four() -> None:
    codes = {ReceiptCode.generate().value for _ in range(500)}
    assert len(codes) == 500
    for value in codes:
        assert len(value) == 16
        assert set(value) <= set(ALPHABET)
        assert not set(value) & set("ILOU")
    code = ReceiptCode("0123456789ABCDEF")
    assert code.formatted() == "0123-4567-89AB-CDEF"
    # Over 500 codes every character of the alphabet shows up (80 random bits, not a counter).
    assert set("".join(codes)) == set(ALPHABET)


def test_typed_codes_are_forgiven_for_case_spaces_dashes_full_width_and_lookalikes() -> None:
    code = ReceiptCode("0123456789ABCDEF")
    for typed in (
        "0123-4567-89AB-CDEF",
        "0123456789abcdef",
        " 0123 4567 89ab cdef ",
        "O123-4567-89AB-CDEF",  # O for zero
        "0I23-4567-89AB-CDEF",  # I for one
        "0l23-4567-89AB-CDEF",  # l for one
        "０１２３－４５６７－８９ＡＢ－ＣＤＥＦ",  # full-width, as Chinese input methods type
        "0123—4567–89AB_CDEF",
    ):
        assert ReceiptCode.parse(typed) == code, typed
    for wrong in ("", "0123-4567-89AB-CDE", "0123-4567-89AB-CDEF0", "U123-4567-89AB-CDEF", "你好"):
        assert ReceiptCode.parse(wrong) is None, wrong


@given(st.builds(ReceiptCode.generate))
def test_a_shown_code_always_parses_back(code: ReceiptCode) -> None:
    assert ReceiptCode.parse(code.formatted()) == code
    assert ReceiptCode.parse(code.formatted().lower()) == code


def test_codes_are_stored_as_hmac_and_never_printed() -> None:
    code = ReceiptCode("0123456789ABCDEF")
    expected = hmac.new(b"k", b"0123456789ABCDEF", hashlib.sha256).hexdigest()
    assert code.digest(b"k") == expected
    assert code.digest(b"other") != expected
    assert "0123" not in repr(code)
    assert "0123" not in str(code)
    draft = Draft(Category.OTHER, "办公室", "秘密内容")
    assert "秘密内容" not in repr(draft)


def test_refs_are_short_and_random() -> None:
    refs = {new_ref() for _ in range(200)}
    assert len(refs) == 200
    assert all(len(r) == 6 and set(r) <= set(ALPHABET) for r in refs)


def test_status_moves_follow_the_workflow() -> None:
    s = ReportStatus
    assert can_move(s.NEW, s.CHECKING)
    assert can_move(s.NEW, s.REJECTED)
    assert can_move(s.NEW, s.TRANSFERRED)
    assert not can_move(s.NEW, s.CLOSED)  # concluded only after checking
    assert can_move(s.CHECKING, s.CLOSED)
    assert not can_move(s.CHECKING, s.NEW)
    assert {s.CLOSED, s.REJECTED, s.TRANSFERRED} == FINAL_STATUSES
    for final in FINAL_STATUSES:
        assert not any(can_move(final, other) for other in s)


def test_categories_are_stable_ids() -> None:
    assert [c.value for c in Category] == [
        "formalism",
        "bureaucratism",
        "hedonism",
        "extravagance",
        "gifts",
        "banquets",
        "other",
    ]
    counted = count_categories([Category.BANQUETS, Category.FORMALISM, Category.FORMALISM])
    assert counted == [(Category.FORMALISM, 2), (Category.BANQUETS, 1)]
    tie = count_categories([Category.OTHER, Category.HEDONISM])
    assert tie == [(Category.HEDONISM, 1), (Category.OTHER, 1)]


def test_length_bounds() -> None:
    assert check_length("短", 2, 5) is LengthProblem.TOO_SHORT
    assert check_length("正好", 2, 5) is None
    assert check_length("太长太长太长", 2, 5) is LengthProblem.TOO_LONG


def test_dates_in_the_bureaus_time_zone_and_retention() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    assert local_date(datetime(2026, 9, 19, 17, 0, tzinfo=UTC), shanghai) == date(2026, 9, 20)
    assert retention_cutoff(date(2026, 9, 20), 365) == date(2025, 9, 20)


def test_next_boundary_is_the_next_full_hour() -> None:
    hour = timedelta(hours=1)
    assert next_boundary(datetime(2026, 9, 20, 2, 0, tzinfo=UTC), hour) == datetime(
        2026, 9, 20, 3, 0, tzinfo=UTC
    )
    assert next_boundary(datetime(2026, 9, 20, 2, 59, 59, tzinfo=UTC), hour) == datetime(
        2026, 9, 20, 3, 0, tzinfo=UTC
    )
    with pytest.raises(ValueError, match="positive"):
        next_boundary(NOW, timedelta(0))


def test_daily_limiter_counts_per_sender_per_day() -> None:
    limiter = DailyLimiter(2)
    today, tomorrow = date(2026, 9, 20), date(2026, 9, 21)
    for _ in range(2):
        assert limiter.allows("a", today)
        limiter.record("a", today)
    assert not limiter.allows("a", today)
    assert limiter.allows("b", today)
    assert limiter.allows("a", tomorrow)


def test_attempt_limiter_locks_out_with_doubling_waits_and_forgets() -> None:
    limiter = AttemptLimiter(free=5, first_lock=timedelta(minutes=1))
    now = NOW
    for _ in range(4):
        assert limiter.failed("a", now) is None
        assert limiter.locked_for("a", now) is None
    assert limiter.failed("a", now) == timedelta(minutes=1)
    assert limiter.locked_for("a", now + timedelta(seconds=30)) == timedelta(seconds=30)
    assert limiter.locked_for("b", now) is None
    now += timedelta(minutes=1)
    assert limiter.locked_for("a", now) is None
    assert limiter.failed("a", now) == timedelta(minutes=2)
    now += timedelta(minutes=2)
    assert limiter.failed("a", now) == timedelta(minutes=4)
    # After a quiet day the count starts afresh.
    now += timedelta(days=1, minutes=5)
    assert limiter.locked_for("a", now) is None
    assert limiter.failed("a", now) is None


def test_attempt_limiter_caps_the_wait() -> None:
    limiter = AttemptLimiter(free=1, first_lock=timedelta(hours=1), max_lock=timedelta(hours=4))
    now = NOW
    waits = []
    for _ in range(6):
        wait = limiter.failed("a", now)
        assert wait is not None
        waits.append(wait)
        now += wait
    assert waits[-1] == timedelta(hours=4)


def test_sender_keys_hide_the_id_and_change_per_process() -> None:
    keys = SenderKeys()
    key = keys.key(58123467)
    assert "58123467" not in key
    assert key == keys.key(58123467)
    assert key != keys.key(58123468)
    assert key != SenderKeys().key(58123467)


def test_csv_cells_cannot_become_formulas() -> None:
    assert csv_cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert csv_cell("+1") == "'+1"
    assert csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert csv_cell("正常文字") == "正常文字"
    assert csv_cell(None) == ""
    assert csv_cell(3) == "3"


def test_split_text_keeps_every_character() -> None:
    text = ("一行文字\n" * 50) + "尾"
    pieces = split_text(text, 40)
    assert "".join(pieces) == text
    assert all(len(p) <= 40 for p in pieces)
    assert split_text("", 10) == [""]


def test_clip_and_split_count_as_telegram_does() -> None:
    assert utf16_len("😀a") == 3
    assert clip("😀😀😀", 4) == "😀…"
    assert clip("短", 5) == "短"
    pieces = split_text("😀" * 10, 5)
    assert "".join(pieces) == "😀" * 10
    assert all(utf16_len(p) <= 5 for p in pieces)
