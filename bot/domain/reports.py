"""Anonymous reports as plain rules: receipt codes, categories, statuses, limits, retention.

Nothing here knows who sent a report. The in-memory limiters key senders by an opaque hash
made with a per-process random salt (`SenderKeys`), so even their memory holds no Telegram id,
and everything they count is forgotten on restart by design.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from enum import Enum, StrEnum

from bot.domain.report_limits import AttemptLimiter, DailyLimiter, SenderKeys

__all__ = [
    "ALPHABET",
    "CODE_GROUP",
    "CODE_LENGTH",
    "FINAL_STATUSES",
    "ID_BITS",
    "REF_LENGTH",
    "TRANSITIONS",
    "Attachment",
    "AttachmentKind",
    "AttemptLimiter",
    "Category",
    "DailyLimiter",
    "Direction",
    "Draft",
    "LengthProblem",
    "ReceiptCode",
    "Report",
    "ReportMessage",
    "ReportNote",
    "ReportStatus",
    "ReportSummary",
    "SenderKeys",
    "can_move",
    "check_length",
    "clip",
    "count_categories",
    "csv_cell",
    "last_boundary",
    "local_date",
    "looks_like_receipt_code",
    "new_ref",
    "new_report_id",
    "next_boundary",
    "retention_cutoff",
    "split_text",
    "utf16_len",
]

# Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand survives.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 16 × 5 bits = 80 bits
CODE_GROUP = 4
REF_LENGTH = 6  # reviewers' short reference: 30 random bits, unrelated to the receipt code
ID_BITS = 62  # report row ids: random, so their order says nothing about the order of filing
_SEPARATORS = re.compile(r"[\s\-_‐‑‒–—―−.·]+")
_LOOKALIKES = str.maketrans({"I": "1", "L": "1", "O": "0"})
# A code as shown (four groups of four), anywhere in a text, any case, loose separators.
_CODE_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])[0-9A-Za-z]{4}(?:[\s\-_‐‑‒–—―−.·]{1,3}[0-9A-Za-z]{4}){3}(?![0-9A-Za-z])"
)
# A code typed again without separators inside a sentence: exactly 16 letters and digits in a
# run. Only runs with both letters and digits, in one case, count: long words and numbers are
# left alone, and so are invite codes (base64url, mixed case) in /start links. A random code
# is all letters once in ~400; then only a whole-message or grouped one is caught.
_BARE_CODE_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{16}(?![0-9A-Za-z])")
# A code exactly as `ReceiptCode.formatted` writes it (the bot's own receipts).
_FORMATTED_CODE = re.compile(
    rf"(?<![0-9A-Za-z])[{ALPHABET}]{{4}}(?:-[{ALPHABET}]{{4}}){{3}}(?![0-9A-Za-z])"
)


class Category(StrEnum):
    """What a report is about; the values are stable ids stored in the database."""

    FORMALISM = "formalism"  # 形式主义
    BUREAUCRATISM = "bureaucratism"  # 官僚主义
    HEDONISM = "hedonism"  # 享乐主义
    EXTRAVAGANCE = "extravagance"  # 奢靡之风
    GIFTS = "gifts"  # 违规收送礼品礼金
    BANQUETS = "banquets"  # 违规吃喝
    OTHER = "other"  # 其他


class ReportStatus(StrEnum):
    """Where a report is in the reviewers' workflow."""

    NEW = "new"  # 新收到
    CHECKING = "checking"  # 核查中
    CLOSED = "closed"  # 已办结
    REJECTED = "rejected"  # 不予受理
    TRANSFERRED = "transferred"  # 已转办


# New reports are checked, or refused or handed on at intake; checked ones end one of three
# ways. The three ends are final: retention counts from the day a report reached one.
TRANSITIONS: dict[ReportStatus, tuple[ReportStatus, ...]] = {
    ReportStatus.NEW: (ReportStatus.CHECKING, ReportStatus.REJECTED, ReportStatus.TRANSFERRED),
    ReportStatus.CHECKING: (ReportStatus.CLOSED, ReportStatus.REJECTED, ReportStatus.TRANSFERRED),
    ReportStatus.CLOSED: (),
    ReportStatus.REJECTED: (),
    ReportStatus.TRANSFERRED: (),
}
FINAL_STATUSES = frozenset(s for s, moves in TRANSITIONS.items() if not moves)


def can_move(current: ReportStatus, target: ReportStatus) -> bool:
    """Whether a reviewer may move a report from `current` to `target`."""
    return target in TRANSITIONS[current]


class AttachmentKind(StrEnum):
    """How an attachment was sent (and must be sent again)."""

    PHOTO = "photo"
    DOCUMENT = "document"


class Direction(StrEnum):
    """Who wrote a message in a report's thread."""

    REPORTER = "reporter"
    REVIEWER = "reviewer"


@dataclass(frozen=True)
class ReceiptCode:
    """The reporter's only key to their report: 80 random bits in Crockford base32."""

    value: str = field(repr=False)

    def __repr__(self) -> str:
        # Never print the code, even by accident (a repr in a log line or a test failure).
        return "ReceiptCode(…)"

    @classmethod
    def generate(cls) -> ReceiptCode:
        """A fresh code from the operating system's CSPRNG."""
        bits = secrets.randbits(5 * CODE_LENGTH)
        chars = [ALPHABET[(bits >> (5 * i)) & 31] for i in range(CODE_LENGTH)]
        return cls("".join(chars))

    @classmethod
    def parse(cls, text: str) -> ReceiptCode | None:
        """What a person typed (case, spaces, dashes, full-width, I/L/O forgiven); else None."""
        cleaned = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()
        cleaned = cleaned.translate(_LOOKALIKES)
        if len(cleaned) != CODE_LENGTH or any(c not in ALPHABET for c in cleaned):
            return None  # wrong length, U, or anything else outside the alphabet
        return cls(cleaned)

    def formatted(self) -> str:
        """XXXX-XXXX-XXXX-XXXX, as shown to the reporter."""
        v = self.value
        return "-".join(v[i : i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))

    def digest(self, secret: bytes) -> str:
        """HMAC-SHA256 of the normalised code: the only form the database ever sees."""
        return hmac.new(secret, self.value.encode("ascii"), hashlib.sha256).hexdigest()


def new_ref() -> str:
    """A random short reference for reviewers (not sequential, so it says nothing about order)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(REF_LENGTH))


def new_report_id() -> int:
    """A random row id for a report (a sequence would order reports among other rows)."""
    return secrets.randbelow(2**ID_BITS) + 1


def looks_like_receipt_code(text: str | None) -> bool:
    """Whether a text could carry a receipt code: all of it, XXXX-XXXX-XXXX-XXXX in it, or
    16 letters and digits run together in it."""
    if not text:
        return False
    if ReceiptCode.parse(text) is not None:
        return True
    normalized = unicodedata.normalize("NFKC", text)
    if any(ReceiptCode.parse(m.group(0)) is not None for m in _CODE_IN_TEXT.finditer(normalized)):
        return True
    return any(
        ReceiptCode.parse(run) is not None
        and any(c.isdigit() for c in run)
        and (run.isupper() or run.islower())  # mixed case: an invite code, not a typed one
        for run in (m.group(0) for m in _BARE_CODE_IN_TEXT.finditer(normalized))
    )


def shows_receipt_code(text: str | None) -> bool:
    """Whether a text the bot wrote shows a receipt code as `ReceiptCode.formatted` writes it
    (on a receipt): one search, and no ordinary text with four groups of four matches."""
    return text is not None and _FORMATTED_CODE.search(text) is not None


@dataclass(frozen=True)
class Attachment:
    """A photo or document by its Telegram file id."""

    kind: AttachmentKind
    file_id: str = field(repr=False)
    # The file id is the bot's own re-sent copy: no file name, no metadata in a photo.
    sanitized: bool = False


@dataclass
class Draft:
    """A report being written; it lives only in the conversation's memory."""

    category: Category | None = None
    unit: str | None = None
    body: str = field(default="", repr=False)
    attachments: list[Attachment] = field(default_factory=list)


@dataclass(frozen=True)
class Report:
    """A stored report: what was reported and where it stands, never who reported it."""

    id: int
    ref: str
    category: Category
    unit: str
    body: str = field(repr=False)
    status: ReportStatus
    submitted_on: date
    closed_on: date | None
    notified: bool


@dataclass(frozen=True)
class ReportMessage:
    """One message between reviewers and the reporter (dated, never timed)."""

    direction: Direction
    body: str = field(repr=False)
    sent_on: date


@dataclass(frozen=True)
class ReportNote:
    """An internal note by a reviewer."""

    reviewer_id: int
    body: str = field(repr=False)
    at: datetime


@dataclass(frozen=True)
class ReportSummary:
    """One line of the reviewers' list."""

    ref: str
    category: Category
    unit: str
    status: ReportStatus
    submitted_on: date
    awaiting_reply: bool  # the newest message in the thread is the reporter's


class LengthProblem(Enum):
    """Why a text was refused."""

    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"


def check_length(text: str, low: int, high: int) -> LengthProblem | None:
    """Whether a text (already stripped) is within bounds."""
    if len(text) < low:
        return LengthProblem.TOO_SHORT
    if len(text) > high:
        return LengthProblem.TOO_LONG
    return None


def local_date(now: datetime, tz: tzinfo) -> date:
    """The calendar date at `now` where the bureau is: the only time a report carries."""
    return now.astimezone(tz).date()


def retention_cutoff(today: date, retention_days: int) -> date:
    """Reports closed before this date are past retention."""
    return today - timedelta(days=retention_days)


def count_categories(categories: Iterable[Category]) -> list[tuple[Category, int]]:
    """How many of each category, most frequent first, ties in the usual order."""
    counts: dict[Category, int] = {}
    for category in categories:
        counts[category] = counts.get(category, 0) + 1
    order = list(Category)
    return sorted(counts.items(), key=lambda item: (-item[1], order.index(item[0])))


def last_boundary(now: datetime, every: timedelta) -> datetime:
    """The latest multiple of `every` at or before `now` (UTC-aligned, like next_boundary)."""
    step = int(every.total_seconds())
    if step <= 0:
        raise ValueError("every must be positive")
    return datetime.fromtimestamp(int(now.timestamp()) // step * step, tz=now.tzinfo)


def next_boundary(now: datetime, every: timedelta) -> datetime:
    """The next multiple of `every` after `now` (UTC-aligned; the next full hour for an hour)."""
    step = int(every.total_seconds())
    if step <= 0:
        raise ValueError("every must be positive")
    epoch = int(now.timestamp())
    return datetime.fromtimestamp((epoch // step + 1) * step, tz=now.tzinfo)


def csv_cell(value: object) -> str:
    """A cell value that a spreadsheet will not run as a formula (report text is untrusted)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: most characters 1, emoji 2)."""
    return len(text.encode("utf-16-le")) // 2


def _prefix(text: str, units: int) -> str:
    """The longest start of `text` within `units` UTF-16 code units."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > units:
            return text[:index]
    return text


def clip(text: str, limit: int) -> str:
    """At most `limit` UTF-16 units (Telegram's measure), ending in … when cut."""
    return text if utf16_len(text) <= limit else _prefix(text, limit - 1) + "…"


def split_text(text: str, size: int) -> list[str]:
    """Cut a long text into pieces of at most `size` UTF-16 units, at line breaks where possible."""
    pieces: list[str] = []
    rest = text
    while utf16_len(rest) > size:
        head = _prefix(rest, size)
        cut = head.rfind("\n", len(head) // 2)
        cut = len(head) if cut == -1 else cut + 1
        pieces.append(rest[:cut])
        rest = rest[cut:]
    if rest or not pieces:
        pieces.append(rest)
    return pieces
