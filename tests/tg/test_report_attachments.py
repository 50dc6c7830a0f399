"""Attacks through attachments: the reviewer must not see a document's original file name, nor a
picture's metadata (camera, time taken, place), although the reporter sent them."""

from __future__ import annotations

import io

from PIL import Image

from tests.harness import REVIEWER, Harness
from tests.tg.report_support import batch, confirm_and_get_code

CADRE = 771
SECRET_NAME = "张三-举报材料-2026-09-20.pdf"
PDF = b"%PDF-1.4\n% a report's material\n1 0 obj << /Author (Zhang San) >> endobj\n%%EOF\n"


def _jpeg_with_metadata() -> bytes:
    """A photo as a phone writes it: camera make and model, the second it was taken."""
    image = Image.new("RGB", (16, 12), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretPhoneMaker"  # Make
    exif[0x0110] = "Model-ZS-0920"  # Model
    exif[0x0132] = "2026:09:20 10:15:32"  # DateTime
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), comment=b"taken by zhang san")
    return out.getvalue()


def _metadata(data: bytes) -> list[bytes]:
    """Which of the tell-tale values survive in a file."""
    marks = [b"SecretPhoneMaker", b"Model-ZS-0920", b"2026:09:20 10:15:32", b"zhang san"]
    return [m for m in marks if m in data]


async def test_reviewers_get_attachments_without_names_or_metadata(harness: Harness) -> None:
    h = harness
    await h.join(REVIEWER, "赵纪检")
    await h.join(CADRE, "张干部")
    photo = _jpeg_with_metadata()
    assert len(_metadata(photo)) == 4
    [intro] = await h.send(CADRE, "/report")
    message = await h.press(CADRE, intro, "形式主义")
    message = await h.press(CADRE, message, "办公室")
    [prompt] = await h.send(CADRE, "检查组每周要求重复报送同一表格，基层疲于应付，附材料。")
    # The reporter is told truthfully what the reviewers get, and what cannot be removed.
    assert "去掉拍摄时间、地点、设备等元数据" in prompt["text"]
    assert "文件内部可能记有作者" in prompt["text"]
    await h.send_file(CADRE, PDF, SECRET_NAME, kind="document")
    await h.send_file(CADRE, photo, "IMG_20260920_101532.jpg", kind="photo")
    [copy, added] = await h.send_file(CADRE, photo, "IMG_20260920_101533.jpg", kind="document")
    # The confirmation of each attachment is the copy itself, in the reporter's own chat.
    assert copy["caption"] == "附件 3：审阅人将看到的副本"
    assert copy["document"]["file_name"] == "attachment-3.jpg"
    preview = await h.press(CADRE, added, "完成")
    await confirm_and_get_code(h, CADRE, preview)
    await batch(h)
    ref = (await h.services.db.fetchone("SELECT ref FROM reports"))["ref"]
    originals = set()
    for m in h.sandbox.messages(CADRE):
        if not m["from_bot"] and m["document"]:
            originals.add(m["document"]["file_id"])
        if not m["from_bot"] and m["photo"]:
            originals.add(m["photo"]["file_id"])
    assert len(originals) == 3
    # The original file ids never reach the database, not even before the first view.
    before_view = await h.services.db.fetchall("SELECT file_id, sanitized FROM report_attachments")
    assert all(r["sanitized"] for r in before_view)
    assert not originals & {r["file_id"] for r in before_view}

    [overview] = await h.send(REVIEWER, "/reports")
    listing = await h.press(REVIEWER, overview, "新收到（1）")
    card = await h.press(REVIEWER, listing, ref)
    sent = [m for m in h.sandbox.bot_messages(REVIEWER) if m["photo"] or m["document"]]
    [document, picture, image_file] = sent
    assert document["document"]["file_name"] == "attachment-1.pdf"
    assert h.sandbox.file_bytes(document["document"]["file_id"]) == PDF  # contents kept whole
    picture_bytes = h.sandbox.file_bytes(picture["photo"]["file_id"])
    assert _metadata(picture_bytes) == []
    assert not Image.open(io.BytesIO(picture_bytes)).getexif()
    assert image_file["document"]["file_name"] == "attachment-3.jpg"
    assert _metadata(h.sandbox.file_bytes(image_file["document"]["file_id"])) == []
    for m in sent:
        shown = m["document"]["file_name"] if m["document"] else ""
        assert "张三" not in shown
        assert "IMG_" not in shown

    # The database holds the copies only; the next view sends them again.
    stored = await h.services.db.fetchall(
        "SELECT file_id, sanitized FROM report_attachments ORDER BY position"
    )
    assert all(r["sanitized"] for r in stored)
    assert not originals & {r["file_id"] for r in stored}
    await h.press(REVIEWER, card, "附件与全文")
    again = [m for m in h.sandbox.bot_messages(REVIEWER) if m["photo"] or m["document"]][3:]
    assert [m["document"]["file_name"] if m["document"] else None for m in again] == [
        "attachment-1.pdf",
        None,
        "attachment-3.jpg",
    ]
    assert _metadata(h.sandbox.file_bytes(again[1]["photo"]["file_id"])) == []
