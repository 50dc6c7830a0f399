"""Attack: the original file id of a document, and with it its file name, lives on in backups.

The copy's file id replaces the original's only at the first reviewer view. A nightly backup
taken before then keeps the original id for as long as backups are kept; anyone holding the bot
token sends it to themselves and Telegram shows the name the reporter's phone gave the file
("张三-举报材料.pdf"). The reporter was told "原文件名…不会保存".
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.services.backup import backup_database
from tests.harness import ADMIN, REVIEWER, Harness
from tests.tg.report_support import batch, confirm_and_get_code

CADRE = 773
SECRET_NAME = "张三-举报材料-2026-09-20.pdf"
PDF = b"%PDF-1.4\n% material\n%%EOF\n"


async def test_a_backup_does_not_keep_a_way_to_the_original_file_name(
    harness: Harness, tmp_path: Path
) -> None:
    h = harness
    await h.join(REVIEWER, "赵纪检")
    await h.join(ADMIN, "王管理")
    await h.join(CADRE, "张干部")
    [intro] = await h.send(CADRE, "/report")
    message = await h.press(CADRE, intro, "形式主义")
    message = await h.press(CADRE, message, "办公室")
    [prompt] = await h.send(CADRE, "检查组每周要求重复报送同一表格，基层疲于应付，附材料。")
    assert "原文件名和说明文字不会保存" in prompt["text"]
    [copy, added] = await h.send_file(CADRE, PDF, SECRET_NAME, kind="document")
    assert copy["caption"] == "附件 1：审阅人将看到的副本"
    preview = await h.press(CADRE, added, "完成")
    await confirm_and_get_code(h, CADRE, preview)
    await batch(h)
    # The nightly backup runs before any reviewer has opened the report.
    result = await backup_database(h.config, tmp_path / "backup.db", h.clock.now)
    assert result.ok
    # The reviewer opens it the next morning: bot.db now holds the neutral copy's id.
    ref = (await h.services.db.fetchone("SELECT ref FROM reports"))["ref"]
    [overview] = await h.send(REVIEWER, "/reports")
    listing = await h.press(REVIEWER, overview, "新收到（1）")
    await h.press(REVIEWER, listing, ref)

    conn = sqlite3.connect(tmp_path / "backup.db")
    [(file_id,)] = conn.execute("SELECT file_id FROM report_attachments").fetchall()
    conn.close()
    assert h.app is not None
    resent = await h.app.bot.send_document(ADMIN, file_id)  # whoever holds the token
    assert resent.document is not None
    print("the backup's file id shows the name:", resent.document.file_name)
    assert resent.document.file_name != SECRET_NAME
