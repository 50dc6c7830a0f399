"""Anonymous reports, the reporter's side: /report (a guided draft) and /status (receipt code).

What this module does to keep the promise that the bot never stores or logs who reported, nor
when closely enough to guess who:
- the draft lives only in this conversation's memory (`user_data`; the bot has no persistence)
  and is dropped on submit, /cancel and after 30 idle minutes (checked when the reporter writes
  again and swept at every write tick: no timer job, so no missed-job log line with its time);
- 确认提交 and added information are queued in memory and written at the next fixed-time tick
  (`bot/tg/report_jobs.py`); the receipt code is shown only once the report is stored;
- the Telegram id is used only to derive the opaque key of the in-memory abuse limits; the chat
  to answer is kept in memory until the tick has answered it;
- the access gate writes nothing for updates handled here (no member row), and the error
  handler neither logs them nor tells admins (a count goes out with the next hourly batch);
- a message that looks like a receipt code is deleted at once, and taken only by /status;
- there is deliberately no logging in this package (a log line's timestamp is a time of day).
"""

from __future__ import annotations

from bot.tg.handlers.reports.common import (
    CLEANUP,
    CLEANUP_KEPT,
    DRAFT,
    END,
    EXPIRED,
    FLOW,
    FOUND,
    TEXT_BUDGET,
    TIMEOUT,
    TOUCHED,
    UNIT_MAX,
    Outgoing,
    Recipient,
    Step,
    StepHandler,
    cancel,
    expire_idle,
    press_a_button,
    stale_step,
    text_only,
)
from bot.tg.handlers.reports.compose import (
    attachment,
    attachment_hint,
    attachments_done,
    body,
    body_text_only,
    confirm,
    pick_category,
    pick_unit,
    report,
    unit_text,
)
from bot.tg.handlers.reports.flow import RECEIPT_LIKE, ReportFlow, build_flow
from bot.tg.handlers.reports.lookup import ask_info, code, info, status
from bot.tg.handlers.reports.receipts import cleanup, information_reply, receipt, receipt_done
from bot.tg.handlers.reports.thread import quoted, thread_lines

__all__ = [
    "CLEANUP",
    "CLEANUP_KEPT",
    "DRAFT",
    "END",
    "EXPIRED",
    "FLOW",
    "FOUND",
    "RECEIPT_LIKE",
    "TEXT_BUDGET",
    "TIMEOUT",
    "TOUCHED",
    "UNIT_MAX",
    "Outgoing",
    "Recipient",
    "ReportFlow",
    "Step",
    "StepHandler",
    "ask_info",
    "attachment",
    "attachment_hint",
    "attachments_done",
    "body",
    "body_text_only",
    "build_flow",
    "cancel",
    "cleanup",
    "code",
    "confirm",
    "expire_idle",
    "info",
    "information_reply",
    "pick_category",
    "pick_unit",
    "press_a_button",
    "quoted",
    "receipt",
    "receipt_done",
    "report",
    "stale_step",
    "status",
    "text_only",
    "thread_lines",
    "unit_text",
]
