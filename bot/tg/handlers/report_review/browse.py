"""/reports, the lists by status, and the buttons on a report's card (open, media, status,
export).
"""

from __future__ import annotations

import csv
import io

from telegram import InputFile, Update

from bot.domain.members import Role
from bot.domain.reports import ReportStatus, csv_cell
from bot.i18n import Translate
from bot.tg import callbacks as cb
from bot.tg.access import refuse
from bot.tg.buttons import Press
from bot.tg.context import BotContext
from bot.tg.handlers.report_review.cards import _card, _send_material, _show_card
from bot.tg.handlers.report_review.common import _edit, _is_reviewer, _state
from bot.tg.keyboards import (
    REPORTS_PAGE,
    reports_list_keyboard,
    reports_overview_keyboard,
)


async def _overview(context: BotContext) -> tuple[str, dict[ReportStatus, int]]:
    counts = await context.services.reports.counts()
    lines = "\n".join(
        context.t("reports.overview_line", status=_state(context, s), count=counts[s])
        for s in ReportStatus
    )
    return lines, counts


async def reports_command(update: Update, context: BotContext) -> None:
    """/reports: the reviewers' workflow; leaders who are not reviewers see counts only."""
    message = update.effective_message
    caller = context.caller
    if message is None:
        return
    if _is_reviewer(context):
        lines, counts = await _overview(context)
        await message.reply_text(
            context.t("reports.overview", lines=lines),
            reply_markup=reports_overview_keyboard(context.t, counts),
        )
        return
    if caller is not None and caller.is_member and caller.has(Role.LEADER):
        day = await context.services.reports.day_counts(context.services.now())
        await message.reply_text(
            context.t(
                "reports.leader_overview",
                date=day.as_of.isoformat(),
                received=day.received,
                open=day.open,
                ended=day.ended,
            )
        )
        return
    await refuse(update, context, "access.no_permission")


async def home(update: Update, context: BotContext, press: Press[cb.ReportsHome]) -> None:
    """Back to the overview."""
    query = press.query
    lines, counts = await _overview(context)
    await query.answer()
    await _edit(
        update,
        context.t("reports.overview", lines=lines),
        reports_overview_keyboard(context.t, counts),
    )


async def list_page(update: Update, context: BotContext, press: Press[cb.ReportsList]) -> None:
    """A page of the reports in one status."""
    query, data = press.query, press.data
    status = data.status
    if data.offset < 0:
        await query.answer(context.t("common.stale_button"), show_alert=True)
        return
    reports = context.services.reports
    total = (await reports.counts())[status]
    offset = min(data.offset, max(0, total - 1)) // REPORTS_PAGE * REPORTS_PAGE
    items = await reports.page(status, offset, REPORTS_PAGE)
    text = reports_list_title(context.t, status, total, offset, len(items))
    await query.answer()
    await _edit(update, text, reports_list_keyboard(context.t, status, items, offset, total))


def reports_list_title(
    t: Translate, status: ReportStatus, total: int, offset: int, shown: int
) -> str:
    """The heading of a page of one status's reports (or that there are none)."""
    name = t(f"reports.state.{status.value}")
    if not shown:
        return t("reports.list_empty", status=name)
    return t("reports.list_title", status=name, total=total, first=offset + 1, last=offset + shown)


async def open_report(update: Update, context: BotContext, press: Press[cb.ReportOpen]) -> None:
    """Open a report: its card, then its attachments (audited)."""
    query, ref = press.query, press.data.ref
    services = context.services
    view = await services.reports.open_report(ref, press.caller.user_id, services.now())
    if view is None:
        await query.answer(context.t("reports.not_found"), show_alert=True)
        return
    await query.answer()
    clipped = await _show_card(update, context, view, edit=True)
    await _send_material(update, context, view, full_text=clipped)


async def media(update: Update, context: BotContext, press: Press[cb.ReportMedia]) -> None:
    """Send a report's attachments and full text again (audited)."""
    query, ref = press.query, press.data.ref
    services = context.services
    view = await services.reports.view(ref)
    if view is None:
        await query.answer(context.t("reports.not_found"), show_alert=True)
        return
    await services.reports.record(press.caller.user_id, "attachments", ref, services.now())
    await query.answer()
    _, clipped = await _card(context, view)
    await _send_material(update, context, view, full_text=clipped)


async def set_status(update: Update, context: BotContext, press: Press[cb.ReportSetStatus]) -> None:
    """Move a report along the workflow, if that move is allowed now (audited)."""
    query, data = press.query, press.data
    target = data.status
    services = context.services
    moved = await services.reports.set_status(
        data.ref, target, press.caller.user_id, services.now()
    )
    if moved is None:
        await query.answer(context.t("reports.bad_move"), show_alert=True)
        return
    view = await services.reports.view(data.ref)
    await query.answer(context.t("reports.status_saved", status=_state(context, target)))
    if view is not None:
        await _show_card(update, context, view, edit=True)


async def export(update: Update, context: BotContext, press: Press[cb.ReportExport]) -> None:
    """A CSV of every report, without identity (audited)."""
    query = press.query
    services = context.services
    now = services.now()
    rows = await services.reports.export(press.caller.user_id, now)
    await query.answer()
    if not rows:
        await context.bot.send_message(query.from_user.id, context.t("reports.export_empty"))
        return
    t = context.t
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            t("reports.csv_ref"),
            t("reports.csv_date"),
            t("reports.csv_category"),
            t("reports.csv_unit"),
            t("reports.csv_status"),
            t("reports.csv_closed"),
            t("reports.csv_attachments"),
            t("reports.csv_body"),
        ]
    )
    for row in rows:
        r = row.report
        writer.writerow(
            csv_cell(value)
            for value in (
                r.ref,
                r.submitted_on.isoformat(),
                t(f"reports.category.{r.category.value}"),
                r.unit,
                t(f"reports.state.{r.status.value}"),
                r.closed_on.isoformat() if r.closed_on else "",
                row.attachments,
                r.body,
            )
        )
    # UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese correctly.
    data = buffer.getvalue().encode("utf-8-sig")
    day = services.reports.today(now).isoformat()
    await context.bot.send_document(
        query.from_user.id,
        InputFile(io.BytesIO(data), filename=f"reports-{day}.csv"),
        caption=t("reports.export_caption", count=len(rows)),
    )
