"""Anonymous reports, the reviewers' side: /reports, report cards, notes, messages to reporters,
export (the write tick and the hourly batch are in bot/tg/report_jobs.py).

Every button re-checks the reviewer role at the moment it is pressed (callback data can be
forged), and every reviewer action is written to report_audit by the service. Everything shown
here is what the last hourly batch announced; leaders who are not reviewers see counts as of
the end of yesterday. Attachments are sent as the bot's own copies: documents under a neutral
name, photos re-encoded without metadata.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import warnings
from datetime import datetime, timedelta
from enum import IntEnum
from html import escape
from pathlib import PurePosixPath

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.domain.members import Role
from bot.domain.reports import (
    Attachment,
    AttachmentKind,
    ReportStatus,
    check_length,
    clip,
    csv_cell,
    split_text,
    utf16_len,
)
from bot.i18n import Translate
from bot.services.images import clean_image, looks_like_picture
from bot.services.reports import ReportView
from bot.tg import callbacks as cb
from bot.tg.access import refuse
from bot.tg.buttons import Press, press_callback
from bot.tg.context import BotContext
from bot.tg.conversations import YieldingConversation
from bot.tg.handlers.report_clock import clock_lines
from bot.tg.handlers.reports import quoted, thread_lines
from bot.tg.keyboards import (
    REPORTS_PAGE,
    report_card_keyboard,
    reports_list_keyboard,
    reports_overview_keyboard,
)

log = logging.getLogger(__name__)

INPUT = "report_review_input"  # user_data: ("note" | "reply", ref) while a reviewer types
INPUT_MAX = 2000
INPUT_TIMEOUT = timedelta(minutes=15)
CARD_BUDGET = 3800  # a card is one message (Telegram: 4096 characters)
FULL_TEXT_PIECE = 3500
NOTE_SHOWN = 300  # UTF-16 units of each note on a card
MESSAGE_SHOWN = 400  # UTF-16 units of each thread message on a card
END = ConversationHandler.END


class InputStep(IntEnum):
    """A reviewer typing a note or a message to the reporter."""

    TEXT = 1


def _is_reviewer(context: BotContext) -> bool:
    caller = context.caller
    return caller is not None and caller.is_member and caller.has(Role.REVIEWER)


def _state(context: BotContext, status: ReportStatus) -> str:
    return context.t(f"reports.state.{status.value}")


async def _edit(update: Update, text: str, keyboard: InlineKeyboardMarkup) -> None:
    """Edit the pressed message; a double tap that changes nothing is not an error."""
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(text, reply_markup=keyboard)
    except BadRequest as exc:
        if "not modified" not in exc.message:
            raise


# --- /reports and the list -------------------------------------------------------------------


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


# --- a report's card -------------------------------------------------------------------------


def _note_line(context: BotContext, name: str, at: datetime, body: str) -> str:
    at_local = at.astimezone(context.services.config.timezone).strftime("%Y-%m-%d %H:%M")
    return context.t("reports.card_note", name=escape(name), at=at_local, body=escape(body))


async def _note_names(context: BotContext, view: ReportView) -> dict[int, str]:
    names: dict[int, str] = {}
    for note in view.notes:
        if note.reviewer_id not in names:
            names[note.reviewer_id] = await context.services.membership.display_name(
                note.reviewer_id
            )
    return names


async def _card(context: BotContext, view: ReportView) -> tuple[str, bool]:
    """The card (one message), and whether it shortened anything (then the full text follows)."""
    t = context.t
    report = view.report
    head = t(
        "reports.card",
        ref=report.ref,
        date=report.submitted_on.isoformat(),
        category=t(f"reports.category.{report.category.value}"),
        unit=escape(report.unit),
        status=_state(context, report.status),
        attachments=len(view.attachments),
    )
    if report.closed_on is not None:
        head += "\n" + t("reports.card_closed", date=report.closed_on.isoformat())
    head += "\n" + clock_lines(context, report)
    names = await _note_names(context, view)
    shown_notes = view.notes[-5:]
    tail: list[str] = []
    if shown_notes:
        tail += ["", t("reports.card_notes_title")]
        if len(view.notes) > len(shown_notes):
            tail.append(t("reports.older", count=len(view.notes) - len(shown_notes)))
        tail += [
            _note_line(context, names[n.reviewer_id], n.at, clip(n.body, NOTE_SHOWN))
            for n in shown_notes
        ]
    hidden_messages = 0
    if view.messages:
        thread, hidden_messages = thread_lines(
            context.t, view.messages, reporter_view=False, budget=1200, item_limit=MESSAGE_SHOWN
        )
        tail += ["", t("reports.card_thread_title"), *thread]
    tail_text = "\n".join(tail)
    room = CARD_BUDGET - utf16_len(head) - utf16_len(tail_text) - 200
    shown = clip(report.body, max(200, room))
    clipped = (
        shown != report.body
        or len(shown_notes) < len(view.notes)
        or any(clip(n.body, NOTE_SHOWN) != n.body for n in view.notes)
        or hidden_messages > 0
        or any(clip(m.body, MESSAGE_SHOWN) != m.body for m in view.messages)
    )
    text = f"{head}\n\n{t('reports.card_body_title')}\n{quoted(shown)}"
    if clipped:
        text += "\n" + t("reports.card_clipped")
    return text + ("\n" + tail_text if tail_text else ""), clipped


def _bar(text: str) -> str:
    """Every line of an untrusted text behind a bar, so it cannot pass for a heading or label."""
    return "\n".join(f"┃ {line}" for line in text.split("\n"))


async def _full_text(context: BotContext, view: ReportView) -> str:
    """Body, notes and thread in full, as plain text (escaped piece by piece when sent)."""
    t = context.t
    parts = [_bar(view.report.body)]
    if view.notes:
        names = await _note_names(context, view)
        parts.append(t("reports.full_notes"))
        parts += [
            f"{names[n.reviewer_id]} "
            f"{n.at.astimezone(context.services.config.timezone):%Y-%m-%d %H:%M}: {n.body}"
            for n in view.notes
        ]
    if view.messages:
        parts.append(t("reports.full_thread"))
        parts += [
            t(f"reports.full_{m.direction.value}", date=m.sent_on.isoformat()) + "\n" + _bar(m.body)
            for m in view.messages
        ]
    return "\n\n".join(parts)


async def _send_material(
    update: Update, context: BotContext, view: ReportView, *, full_text: bool
) -> None:
    """The full text (when the card shortened it) and the attachments, as sent by the reporter."""
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    bot = context.bot
    ref = view.report.ref
    if full_text:
        pieces = split_text(await _full_text(context, view), FULL_TEXT_PIECE)
        for number, piece in enumerate(pieces, start=1):
            await bot.send_message(
                chat_id,
                context.t(
                    "reports.full_text", ref=ref, part=number, parts=len(pieces), body=escape(piece)
                ),
            )
    total = len(view.attachments)
    for number, item in enumerate(view.attachments, start=1):
        caption = context.t("reports.attachment_caption", ref=ref, number=number, total=total)
        try:
            await _send_attachment(context, view, number, item, chat_id, caption)
        except (TelegramError, UnreadablePicture) as exc:
            log.warning("a report attachment could not be sent: %s", type(exc).__name__)
            await bot.send_message(
                chat_id, context.t("reports.attachment_failed", ref=ref, number=number)
            )


class UnreadablePicture(Exception):
    """A photo that cannot be decoded, so cannot be cleaned: it is not sent as it came."""


async def _send_attachment(
    context: BotContext,
    view: ReportView,
    number: int,
    item: Attachment,
    chat_id: int,
    caption: str,
) -> None:
    """Send one attachment as the bot's own copy, named `<ref>-<n>.<ext>`, never as received.

    A file re-sent by its file id keeps the reporter's file name, and a photo its metadata. So
    the first view downloads the file, re-encodes pictures without metadata, uploads the copy
    under a neutral name and keeps the copy's file id in place of the original's; later views
    send that copy again.
    """
    bot = context.bot
    if item.sanitized:
        if item.kind is AttachmentKind.PHOTO:
            await bot.send_photo(chat_id, item.file_id, caption=caption)
        else:
            await bot.send_document(chat_id, item.file_id, caption=caption)
        return
    telegram_file = await bot.get_file(item.file_id)
    data = bytes(await telegram_file.download_as_bytearray())
    image = clean_image(data)
    ref = view.report.ref
    if item.kind is AttachmentKind.PHOTO:
        if image is None:
            raise UnreadablePicture
        upload = InputFile(image.data, filename=f"{ref}-{number}.{image.extension}")
        sent = await bot.send_photo(chat_id, upload, caption=caption)
        file_id = sent.photo[-1].file_id
    else:
        if image is not None:
            data, extension = image.data, image.extension
        elif looks_like_picture(data):
            raise UnreadablePicture  # a picture we cannot clean is not shown as it came
        else:
            extension = _extension(telegram_file.file_path)
        upload = InputFile(data, filename=f"{ref}-{number}.{extension}")
        sent = await bot.send_document(chat_id, upload, caption=caption)
        assert sent.document is not None
        file_id = sent.document.file_id
    await context.services.reports.keep_sanitized(view.report, number - 1, file_id)


def _extension(file_path: str | None) -> str:
    """The file's type as Telegram's path shows it (taken from the name it was sent under)."""
    suffix = PurePosixPath(file_path or "").suffix.lstrip(".").lower()
    return suffix if re.fullmatch(r"[a-z0-9]{1,8}", suffix) else "bin"


async def _show_card(update: Update, context: BotContext, view: ReportView, *, edit: bool) -> bool:
    """Show the card by editing the pressed message or as a new message; True if shortened."""
    text, clipped = await _card(context, view)
    keyboard = report_card_keyboard(
        context.t, view.report.ref, view.report.status, len(view.attachments), clipped
    )
    query = update.callback_query
    if edit and query is not None:
        await _edit(update, text, keyboard)
    else:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=keyboard)
    return clipped


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


# --- notes and messages to the reporter --------------------------------------------------------


def input_conversation() -> YieldingConversation:
    """A reviewer types one note or one message; any command abandons it, /cancel included."""
    with warnings.catch_warnings():
        # Per chat on purpose: a reviewer types one input at a time.
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        return YieldingConversation(
            entry_points=[
                CallbackQueryHandler(
                    press_callback(cb.ReportNote, start_note, role=Role.REVIEWER),
                    pattern=cb.ReportNote.pattern(),
                ),
                CallbackQueryHandler(
                    press_callback(cb.ReportReply, start_reply, role=Role.REVIEWER),
                    pattern=cb.ReportReply.pattern(),
                ),
            ],
            states={
                InputStep.TEXT: [
                    MessageHandler(filters.TEXT & ~filters.COMMAND, save_input),
                    MessageHandler(~filters.COMMAND, input_text_only),
                ],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, input_timed_out)],
            },
            # Any command ends the input (another one before it runs, see
            # bot/tg/conversations.py), so a text typed later never lands in a note.
            fallbacks=[CommandHandler("cancel", abandon_input)],
            on_end=abandon_input,
            allow_reentry=True,
            conversation_timeout=INPUT_TIMEOUT.total_seconds(),
            name="report_review_input",
            persistent=False,
        )


async def _start_input(update: Update, context: BotContext, kind: str, ref: str) -> int | None:
    query = update.callback_query
    assert query is not None
    if await context.services.reports.view(ref) is None:
        await query.answer(context.t("reports.not_found"), show_alert=True)
        return END
    context.user_data[INPUT] = (kind, ref)
    await query.answer()
    key = "reports.ask_note" if kind == "note" else "reports.ask_reply"
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, context.t(key, ref=ref, max=INPUT_MAX))
    return InputStep.TEXT


async def start_note(
    update: Update, context: BotContext, press: Press[cb.ReportNote]
) -> int | None:
    """内部备注: ask for the note (registered for reviewers)."""
    return await _start_input(update, context, "note", press.data.ref)


async def start_reply(
    update: Update, context: BotContext, press: Press[cb.ReportReply]
) -> int | None:
    """回复反映人: ask for the message (registered for reviewers)."""
    return await _start_input(update, context, "reply", press.data.ref)


async def save_input(update: Update, context: BotContext) -> int | None:
    """The typed note or message: the role is checked again before saving (audited)."""
    message = update.effective_message
    pending = context.user_data.get(INPUT)
    if message is None or pending is None:
        return END
    if not _is_reviewer(context):
        context.user_data.pop(INPUT, None)
        await refuse(update, context, "access.no_permission")
        return END
    text = (message.text or "").strip()
    if check_length(text, 1, INPUT_MAX) is not None:
        await message.reply_text(context.t("reports.input_bad", max=INPUT_MAX))
        return None
    kind, ref = pending
    context.user_data.pop(INPUT, None)
    services = context.services
    assert context.caller is not None
    reviewer = context.caller.user_id
    if kind == "note":
        saved = await services.reports.add_note(ref, reviewer, text, services.now())
    else:
        saved = await services.reports.reply(ref, reviewer, text, services.now())
    view = await services.reports.view(ref) if saved else None
    if view is None:
        await message.reply_text(context.t("reports.not_found"))
        return END
    await message.reply_text(
        context.t("reports.note_saved" if kind == "note" else "reports.reply_saved")
    )
    await _show_card(update, context, view, edit=False)
    return END


async def input_text_only(update: Update, context: BotContext) -> None:
    """A photo or sticker where a note is expected."""
    if update.effective_message:
        await update.effective_message.reply_text(context.t("reports.input_text_only"))


async def abandon_input(update: Update, context: BotContext) -> int:
    """A command while typing: nothing is saved; say so, and how to go on."""
    context.user_data.pop(INPUT, None)
    if update.effective_message:
        await update.effective_message.reply_text(context.t("reports.input_cancelled"))
    return END


async def input_timed_out(update: Update, context: BotContext) -> None:
    """Nothing was typed in time."""
    context.user_data.pop(INPUT, None)
