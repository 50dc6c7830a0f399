"""Inline keyboards, built from typed callback data, one module per feature. Everything is
importable from here (`from bot.tg.keyboards import …`)."""

from __future__ import annotations

from bot.tg.keyboards.admin import (
    INVITE_PRESETS,
    INVITES_PAGE_SIZE,
    MEMBERS_PAGE_SIZE,
    invite_menu_keyboard,
    invite_presets_keyboard,
    invites_keyboard,
    member_card_keyboard,
    members_keyboard,
    reviewer_confirm_keyboard,
)
from bot.tg.keyboards.base import (
    button,
    rows,
    single_button,
)
from bot.tg.keyboards.delivery import (
    broadcast_audience_keyboard,
    broadcast_preview_keyboard,
)
from bot.tg.keyboards.digest import (
    digest_keyboard,
)
from bot.tg.keyboards.quiz import (
    assign_audience_keyboard,
    assign_banks_keyboard,
    assign_deadline_keyboard,
    quiz_answer_keyboard,
    quiz_banks_keyboard,
    quiz_finished_keyboard,
    quiz_resume_keyboard,
)
from bot.tg.keyboards.reports import (
    REPORTS_PAGE,
    report_card_keyboard,
    report_categories_keyboard,
    report_cleanup_keyboard,
    report_confirm_keyboard,
    report_done_keyboard,
    report_list_line,
    report_receipt_keyboard,
    report_status_keyboard,
    report_units_keyboard,
    reports_list_keyboard,
    reports_overview_keyboard,
)
from bot.tg.keyboards.settings import (
    leave_confirm_keyboard,
    settings_keyboard,
)

__all__ = [
    "INVITES_PAGE_SIZE",
    "INVITE_PRESETS",
    "MEMBERS_PAGE_SIZE",
    "REPORTS_PAGE",
    "assign_audience_keyboard",
    "assign_banks_keyboard",
    "assign_deadline_keyboard",
    "broadcast_audience_keyboard",
    "broadcast_preview_keyboard",
    "button",
    "digest_keyboard",
    "invite_menu_keyboard",
    "invite_presets_keyboard",
    "invites_keyboard",
    "leave_confirm_keyboard",
    "member_card_keyboard",
    "members_keyboard",
    "quiz_answer_keyboard",
    "quiz_banks_keyboard",
    "quiz_finished_keyboard",
    "quiz_resume_keyboard",
    "report_card_keyboard",
    "report_categories_keyboard",
    "report_cleanup_keyboard",
    "report_confirm_keyboard",
    "report_done_keyboard",
    "report_list_line",
    "report_receipt_keyboard",
    "report_status_keyboard",
    "report_units_keyboard",
    "reports_list_keyboard",
    "reports_overview_keyboard",
    "reviewer_confirm_keyboard",
    "rows",
    "settings_keyboard",
    "single_button",
]
