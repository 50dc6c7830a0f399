"""A report's card for reviewers, its full text, and its attachments as the bot's own copies."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from html import escape
from pathlib import PurePosixPath

from telegram import InputFile, Update
from telegram.error import TelegramError

from bot.domain.reports import (
    Attachment,
    AttachmentKind,
    clip,
    split_text,
    utf16_len,
)
from bot.services.images import clean_image, looks_like_picture
from bot.services.reports import ReportView
from bot.tg.context import BotContext
from bot.tg.handlers.report_clock import clock_lines
from bot.tg.handlers.report_review.common import _edit, _state
from bot.tg.handlers.reports import quoted, thread_lines
from bot.tg.keyboards import report_card_keyboard

log = logging.getLogger(__name__)

CARD_BUDGET = 3800  # a card is one message (Telegram: 4096 characters)
FULL_TEXT_PIECE = 3500
NOTE_SHOWN = 300  # UTF-16 units of each note on a card
MESSAGE_SHOWN = 400  # UTF-16 units of each thread message on a card


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
