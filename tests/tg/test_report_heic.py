"""Attack: a picture Pillow cannot decode reaches reviewers as it came, metadata and all.

The reporter is told "图片重新编码，去掉拍摄时间、地点、设备等元数据". An iPhone photo sent as a
file is HEIC, which the installed Pillow does not read (no pillow-heif); `clean_image` returns
None and the document path uploaded the original bytes under the neutral name. Now such a
file is refused when attached (by its type and name), and a picture that still cannot be
decoded when the copy is made is not shown as it came.
"""

from __future__ import annotations

import struct

from PIL import features

from tests.harness import REVIEWER, Harness
from tests.tg.report_support import batch, confirm_and_get_code

CADRE = 772
MARKS = [b"Apple", b"iPhone 15 Pro", b"2026:09:20 10:15:32", b"GPSLatitude 30.6586N"]


def heic_like() -> bytes:
    """The start of a HEIC file as a phone writes it (ftyp heic), with an Exif item inside."""
    ftyp = b"ftypheic" + b"\x00\x00\x00\x00" + b"mif1heic"
    box = struct.pack(">I", 8 + len(ftyp) - 4) + ftyp
    exif = b"Exif\x00\x00MM\x00*" + b"\x00".join(MARKS)
    meta = struct.pack(">I", 8 + len(exif)) + b"meta" + exif
    return box + meta + b"\x00" * 64


async def reviewer_documents(h: Harness, name: str) -> list[bytes]:
    """File the report CADRE drafted, let the batch announce it; what the reviewer is sent."""
    await batch(h)
    ref = (await h.services.db.fetchone("SELECT ref FROM reports"))["ref"]
    [overview] = await h.send(REVIEWER, "/reports")
    listing = await h.press(REVIEWER, overview, "新收到（1）")
    await h.press(REVIEWER, listing, ref)
    sent = [m for m in h.sandbox.bot_messages(REVIEWER) if m["document"] or m.get("photo")]
    print(name, "reviewer got", [m["document"] and m["document"]["file_name"] for m in sent])
    return [
        h.sandbox.file_bytes(
            m["document"]["file_id"] if m["document"] else m["photo"][-1]["file_id"]
        )
        for m in sent
    ]


async def draft(h: Harness) -> None:
    await h.join(REVIEWER, "赵纪检")
    await h.join(CADRE, "张干部")
    [intro] = await h.send(CADRE, "/report")
    message = await h.press(CADRE, intro, "形式主义")
    message = await h.press(CADRE, message, "办公室")
    [prompt] = await h.send(CADRE, "检查组每周要求重复报送同一表格，基层疲于应付，附照片。")
    assert "去掉拍摄时间、地点、设备等元数据" in prompt["text"]


async def test_an_undecodable_picture_file_is_refused_when_attached(harness: Harness) -> None:
    h = harness
    print("Pillow HEIF support:", "heif" in features.get_supported())
    await draft(h)
    [added] = await h.send_file(CADRE, heic_like(), "IMG_4821.HEIC", kind="document")
    assert "无法去掉拍摄时间、地点、设备等元数据，所以没有添加" in added["text"], added["text"]
    preview = await h.press(CADRE, added, "完成")
    assert "附件：0 个" in preview["text"], preview["text"]
    await confirm_and_get_code(h, CADRE, preview)
    data = await reviewer_documents(h, "HEIC")
    assert [m for blob in data for m in MARKS if m in blob] == []


async def test_a_picture_under_a_cleanable_name_that_cannot_be_decoded_is_not_shown(
    harness: Harness,
) -> None:
    h = harness
    await draft(h)
    [added] = await h.send_file(CADRE, heic_like(), "IMG_4821.jpg", kind="document")
    # Not even copied: the bytes are a picture that cannot be decoded.
    assert "无法去掉拍摄时间、地点、设备等元数据" in added["text"], added["text"]
    preview = await h.press(CADRE, added, "完成")
    await confirm_and_get_code(h, CADRE, preview)
    data = await reviewer_documents(h, "HEIC named .jpg")
    assert [m for blob in data for m in MARKS if m in blob] == []
