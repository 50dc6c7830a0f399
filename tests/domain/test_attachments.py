"""Which documents count as pictures the bot cannot clean (refused when attached)."""

from __future__ import annotations

import pytest

from bot.domain.attachments import uncleanable_picture


@pytest.mark.parametrize(
    ("mime", "name"),
    [
        ("image/heic", "IMG_4821.HEIC"),
        ("application/octet-stream", "IMG_4821.heic"),
        (None, "DSC0001.NEF"),
        ("image/avif", "a.bin"),
        ("image/svg+xml", None),
        ("image/jpeg", "photo.dng"),
    ],
)
def test_pictures_in_formats_without_a_decoder_are_refused(
    mime: str | None, name: str | None
) -> None:
    assert uncleanable_picture(mime, name)


@pytest.mark.parametrize(
    ("mime", "name"),
    [
        ("image/jpeg", "photo.jpg"),
        ("image/png", "screenshot.PNG"),
        ("image/webp", None),
        ("application/pdf", "通知.pdf"),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "a.docx"),
        (None, None),
    ],
)
def test_cleanable_pictures_and_other_files_are_accepted(
    mime: str | None, name: str | None
) -> None:
    assert not uncleanable_picture(mime, name)
