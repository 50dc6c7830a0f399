"""Anonymous reports, the reviewers' side: /reports, report cards, notes, messages to reporters,
export (the write tick and the hourly batch are in bot/tg/report_jobs.py).

Every button re-checks the reviewer role at the moment it is pressed (callback data can be
forged), and every reviewer action is written to report_audit by the service. Everything shown
here is what the last hourly batch announced; leaders who are not reviewers see counts as of
the end of yesterday. Attachments are sent as the bot's own copies: documents under a neutral
name, photos re-encoded without metadata.

The package: `common` (role check, status names, editing the pressed message), `cards` (the card,
full text and attachments), `browse` (/reports, lists, the card's buttons, export) and `notes`
(the typed note or message to the reporter).
"""

from __future__ import annotations

from bot.tg.handlers.report_review.browse import (
    export,
    home,
    list_page,
    media,
    open_report,
    reports_command,
    reports_list_title,
    set_status,
)
from bot.tg.handlers.report_review.cards import (
    CARD_BUDGET,
    FULL_TEXT_PIECE,
    MESSAGE_SHOWN,
    NOTE_SHOWN,
    UnreadablePicture,
)
from bot.tg.handlers.report_review.notes import (
    END,
    INPUT,
    INPUT_MAX,
    INPUT_TIMEOUT,
    InputStep,
    abandon_input,
    input_conversation,
    input_text_only,
    input_timed_out,
    save_input,
    start_note,
    start_reply,
)

__all__ = [
    "CARD_BUDGET",
    "END",
    "FULL_TEXT_PIECE",
    "INPUT",
    "INPUT_MAX",
    "INPUT_TIMEOUT",
    "MESSAGE_SHOWN",
    "NOTE_SHOWN",
    "InputStep",
    "UnreadablePicture",
    "abandon_input",
    "export",
    "home",
    "input_conversation",
    "input_text_only",
    "input_timed_out",
    "list_page",
    "media",
    "open_report",
    "reports_command",
    "reports_list_title",
    "save_input",
    "set_status",
    "start_note",
    "start_reply",
]
