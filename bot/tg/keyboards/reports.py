"""Keyboards of anonymous reports: the reporter's steps and the reviewers' lists and cards."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from telegram import InlineKeyboardMarkup

from bot.config import Department
from bot.domain.reports import TRANSITIONS, Category, ReportStatus, ReportSummary
from bot.i18n import Translate
from bot.tg import callbacks as cb
from bot.tg.keyboards.base import button, rows, single_button

REPORTS_PAGE = 8


def report_categories_keyboard(t: Translate) -> InlineKeyboardMarkup:
    """/report: what the report is about."""
    return InlineKeyboardMarkup(
        rows(
            (button(t(f"reports.category.{c.value}"), cb.ReportCategory(c)) for c in Category),
            2,
        )
    )


def report_units_keyboard(t: Translate, departments: Sequence[Department]) -> InlineKeyboardMarkup:
    """/report: which unit or department, or another one typed in."""
    keyboard = rows((button(d.name, cb.ReportUnit(d.id)) for d in departments), 2)
    keyboard.append([button(t("reports.other_unit"), cb.ReportUnit("*"))])
    return InlineKeyboardMarkup(keyboard)


def report_done_keyboard(t: Translate) -> InlineKeyboardMarkup:
    """/report: no (more) attachments."""
    return single_button(t("reports.done"), cb.ReportAttachDone())


def report_confirm_keyboard(t: Translate) -> InlineKeyboardMarkup:
    """/report preview: submit or drop."""
    return InlineKeyboardMarkup(
        [
            [
                button(t("reports.confirm"), cb.ReportConfirm(True)),
                button(t("reports.discard"), cb.ReportConfirm(False)),
            ]
        ]
    )


def report_status_keyboard(t: Translate) -> InlineKeyboardMarkup:
    """/status: add information to the report just looked up, or clear the chat."""
    return InlineKeyboardMarkup(
        [
            [button(t("reports.add_info"), cb.ReportAddInfo())],
            [button(t("reports.cleanup"), cb.ReportCleanup(keep=False))],
        ]
    )


def report_receipt_keyboard(t: Translate, *, cleanup: bool = True) -> InlineKeyboardMarkup:
    """The receipt: delete it once copied; delete the rest of the conversation."""
    keyboard = [[button(t("reports.receipt_done"), cb.ReportReceiptDone())]]
    if cleanup:
        keyboard.append([button(t("reports.cleanup"), cb.ReportCleanup(keep=True))])
    return InlineKeyboardMarkup(keyboard)


def report_cleanup_keyboard(t: Translate) -> InlineKeyboardMarkup:
    """After added information is stored: delete the conversation from the chat."""
    return single_button(t("reports.cleanup"), cb.ReportCleanup(keep=False))


def reports_overview_keyboard(
    t: Translate, counts: Mapping[ReportStatus, int]
) -> InlineKeyboardMarkup:
    """/reports: one button per status with its count, and the export."""
    keyboard = rows(
        (
            button(
                t("reports.status_button", status=t(f"reports.state.{s.value}"), count=counts[s]),
                cb.ReportsList(s, 0),
            )
            for s in ReportStatus
        ),
        2,
    )
    keyboard.append([button(t("reports.export"), cb.ReportExport())])
    return InlineKeyboardMarkup(keyboard)


def report_list_line(t: Translate, item: ReportSummary) -> str:
    """One report in the reviewers' list: marked if the reporter wrote last; unit cut to 20."""
    return (t("reports.awaiting") if item.awaiting_reply else "") + t(
        "reports.list_item",
        ref=item.ref,
        date=item.submitted_on.isoformat(),
        category=t(f"reports.category.{item.category.value}"),
        unit=item.unit[:20],
    )


def reports_list_keyboard(
    t: Translate,
    status: ReportStatus,
    items: Sequence[ReportSummary],
    offset: int,
    total: int,
) -> InlineKeyboardMarkup:
    """/reports: one page of a status's reports, each a button to its card, with paging."""
    keyboard = [[button(report_list_line(t, item), cb.ReportOpen(item.ref))] for item in items]
    nav = []
    if offset > 0:
        nav.append(button(t("common.prev"), cb.ReportsList(status, max(0, offset - REPORTS_PAGE))))
    if offset + REPORTS_PAGE < total:
        nav.append(button(t("common.next"), cb.ReportsList(status, offset + REPORTS_PAGE)))
    if nav:
        keyboard.append(nav)
    keyboard.append([button(t("reports.back_home"), cb.ReportsHome())])
    return InlineKeyboardMarkup(keyboard)


def report_card_keyboard(
    t: Translate, ref: str, status: ReportStatus, attachments: int, clipped: bool
) -> InlineKeyboardMarkup:
    """A report's card: the allowed status moves, note, message, attachments, back."""
    keyboard = rows(
        (
            button(
                t("reports.move_to", status=t(f"reports.state.{s.value}")),
                cb.ReportSetStatus(ref, s),
            )
            for s in TRANSITIONS[status]
        ),
        3,
    )
    keyboard.append(
        [
            button(t("reports.add_note"), cb.ReportNote(ref)),
            button(t("reports.write_reporter"), cb.ReportReply(ref)),
        ]
    )
    if attachments or clipped:
        keyboard.append([button(t("reports.show_media"), cb.ReportMedia(ref))])
    keyboard.append([button(t("reports.back_to_list"), cb.ReportsList(status, 0))])
    return InlineKeyboardMarkup(keyboard)
