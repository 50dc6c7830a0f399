"""Pictures a reporter sent, made safe to show: decoded and encoded again, so the copy carries
the pixels and nothing else (no EXIF: no camera, no time taken, no GPS position; no XMP, no
comments, no ICC profile). Pillow is the decoder because it is already installed (matplotlib
depends on it) and handles JPEG, PNG, WebP, GIF, TIFF and HEIF-less phones' formats alike.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

# Larger than any photo a phone takes; refuse decompression bombs rather than decode them.
MAX_PIXELS = 80_000_000


@dataclass(frozen=True)
class CleanImage:
    """Re-encoded image bytes and the file extension that matches them."""

    data: bytes
    extension: str


def clean_image(data: bytes) -> CleanImage | None:
    """The image without metadata (turned upright first, as its EXIF said); None if not one."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                return None
            image.load()
            lossless = image.format in ("PNG", "GIF", "BMP", "TIFF") or image.mode in ("RGBA", "LA")
            upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    # A fresh image of the same pixels: nothing of the original's `info` can be written out.
    if lossless:
        pixels = upright.convert("RGBA" if "A" in upright.getbands() else "RGB")
    else:
        pixels = upright.convert("RGB")
    bare = Image.new(pixels.mode, pixels.size)
    bare.paste(pixels)
    out = io.BytesIO()
    if lossless:
        bare.save(out, format="PNG", optimize=True)
        return CleanImage(out.getvalue(), "png")
    bare.save(out, format="JPEG", quality=90)
    return CleanImage(out.getvalue(), "jpg")


# ISO base media brands of still pictures (HEIF/HEIC, AVIF): Pillow cannot decode them here.
_PICTURE_BRANDS: tuple[bytes, ...] = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx")
_PICTURE_BRANDS += (b"mif1", b"msf1", b"avif", b"avis")


def looks_like_picture(data: bytes) -> bool:
    """Whether bytes that `clean_image` could not clean are a picture all the same."""
    if data[4:8] == b"ftyp" and any(brand in data[8:64] for brand in _PICTURE_BRANDS):
        return True
    try:
        with Image.open(io.BytesIO(data)):
            return True  # identified, yet not cleanable (too large, truncated)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return False
