"""The clean copy of a reporter's attachment, made when it is attached.

The original file id of a document leads, for whoever holds the bot token, to the file under
the name the reporter's phone gave it (often their own name, or the time a photo was taken),
and a photo's original keeps its metadata. So the draft never keeps it: the bot downloads the
file, encodes pictures again without metadata (bot/services/images.py), uploads the copy
under a neutral name into the reporter's own chat, as the confirmation of that attachment
("附件 2：审阅人将看到的副本"), and keeps only the copy's file id. Nothing is written to the
database or the log here: these are Telegram calls at the reporter's time, nothing more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from telegram import InputFile, Message
from telegram.error import TelegramError

from bot.domain.reports import Attachment, AttachmentKind
from bot.services.images import clean_image, looks_like_picture


@dataclass(frozen=True)
class Copied:
    """The attachment as the draft keeps it, and the copy's message in the reporter's chat."""

    attachment: Attachment
    message: Message


@dataclass(frozen=True)
class Refused:
    """Why no copy was made (a catalog key for the reporter)."""

    key: str


def extension(name: str | None) -> str:
    """A file's type as its name shows it, or `bin`."""
    suffix = PurePosixPath(name or "").suffix.lstrip(".").lower()
    return suffix if re.fullmatch(r"[a-z0-9]{1,8}", suffix) else "bin"


async def clean_copy(message: Message, number: int, caption: str) -> Copied | Refused:
    """Download the photo or document of `message`, clean it, and send the copy back."""
    photo = bool(message.photo)
    if photo:
        file_id = message.photo[-1].file_id
    elif message.document is not None:
        file_id = message.document.file_id
    else:
        return Refused("reports.attachment_hint")
    try:
        telegram_file = await message.get_bot().get_file(file_id)
        data = bytes(await telegram_file.download_as_bytearray())
    except TelegramError:
        return Refused("reports.attachment_copy_failed")
    image = clean_image(data)
    try:
        if photo:
            if image is None:
                return Refused("reports.attachment_unreadable")
            upload = InputFile(image.data, filename=f"attachment-{number}.{image.extension}")
            sent = await message.reply_photo(upload, caption=caption)
            return Copied(Attachment(AttachmentKind.PHOTO, sent.photo[-1].file_id, True), sent)
        if image is not None:
            data, suffix = image.data, image.extension
        elif looks_like_picture(data):
            return Refused("reports.attachment_unsupported_picture")
        else:
            assert message.document is not None
            suffix = extension(message.document.file_name or telegram_file.file_path)
        upload = InputFile(data, filename=f"attachment-{number}.{suffix}")
        sent = await message.reply_document(upload, caption=caption)
    except TelegramError:
        return Refused("reports.attachment_copy_failed")
    assert sent.document is not None
    return Copied(Attachment(AttachmentKind.DOCUMENT, sent.document.file_id, True), sent)
