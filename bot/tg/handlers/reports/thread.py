"""A report's thread as text: pure views shared by the reporter's /status and the review card."""

from __future__ import annotations

from html import escape

from bot.domain.reports import Direction, ReportMessage, clip, utf16_len
from bot.i18n import Translate


def thread_lines(
    t: Translate,
    thread: list[ReportMessage],
    *,
    reporter_view: bool,
    budget: int = 3000,
    item_limit: int = 1500,
) -> tuple[list[str], int]:
    """A thread as lines, newest kept when it does not fit; and how many were left out.

    Each message is a bold label line and its text in a quote block: whatever a reporter
    types (new lines, "纪检监察组（…）：") stays inside their own quote and cannot pass for a
    reviewer's message.
    """
    keys = {
        (True, Direction.REVIEWER): "reports.from_reviewer",
        (True, Direction.REPORTER): "reports.from_reporter",
        (False, Direction.REVIEWER): "reports.card_from_reviewer",
        (False, Direction.REPORTER): "reports.card_from_reporter",
    }
    lines: list[str] = []
    used = 0
    for item in reversed(thread):
        line = t(
            keys[(reporter_view, item.direction)],
            date=item.sent_on.isoformat(),
            body=quoted(clip(item.body, item_limit)),
        )
        if lines and used + utf16_len(line) > budget:
            break
        lines.append(line)
        used += utf16_len(line)
    hidden = len(thread) - len(lines)
    if hidden:
        lines.append(t("reports.older", count=hidden))
    return list(reversed(lines)), hidden


def quoted(text: str) -> str:
    """Untrusted text as an HTML quote block (escaped, so it cannot close the block)."""
    return f"<blockquote>{escape(text)}</blockquote>"
