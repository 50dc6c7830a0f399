"""Which files a reporter may attach: pictures only in formats the bot can clean.

Pictures reach reviewers encoded again without metadata (bot/services/images.py), which needs
a decoder; the installed Pillow reads JPEG, PNG, GIF, WebP, BMP and TIFF. A picture in any
other format (an iPhone's HEIC sent as a file, AVIF, a camera's raw file) would reach
reviewers as it came, with the time it was taken, the place and the camera, although the
reporter was told pictures are cleaned. Such files are refused when they are attached, from
the type and name Telegram reports, so no promise is made that cannot be kept.
"""

from __future__ import annotations

from pathlib import PurePosixPath

CLEANABLE_MIME = frozenset(
    {"image/jpeg", "image/pjpeg", "image/png", "image/gif", "image/webp", "image/bmp"}
    | {"image/x-ms-bmp", "image/tiff"}
)
CLEANABLE_EXTENSIONS = frozenset({"jpg", "jpeg", "jpe", "png", "gif", "webp", "bmp", "tif", "tiff"})
# Picture formats by name, for files sent with a generic type (application/octet-stream).
PICTURE_EXTENSIONS = frozenset(
    {"heic", "heif", "hif", "avif", "jxl", "jp2", "j2k", "psd", "svg", "svgz", "ico", "tga"}
    | {"dng", "cr2", "cr3", "crw", "nef", "nrw", "arw", "srf", "sr2", "orf", "rw2", "raf"}
    | {"pef", "srw", "x3f", "raw", "rwl", "3fr", "erf", "kdc", "mrw", "mos", "iiq"}
)


def uncleanable_picture(mime_type: str | None, file_name: str | None) -> bool:
    """Whether a document is a picture the bot cannot encode again (so must not accept)."""
    mime = (mime_type or "").lower().split(";", 1)[0].strip()
    extension = PurePosixPath(file_name or "").suffix.lstrip(".").lower()
    # Judged by the stricter of type and name: a JPEG named .heic is refused; a HEIC typed
    # image/jpeg passes here and is caught when the copy is made (it cannot be decoded, so it
    # is not shown as it came).
    return (mime.startswith("image/") and mime not in CLEANABLE_MIME) or (
        extension in PICTURE_EXTENSIONS
    )
