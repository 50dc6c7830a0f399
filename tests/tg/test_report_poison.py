"""Attack: one queued report that cannot be written blocks every later report.

`ReportService.tick` writes the whole queue in one transaction and, on any error, puts the
whole queue back in front. A report whose text SQLite's driver refuses (here a lone UTF-16
surrogate, which the JSON of an update can carry as "\\ud800") fails every tick, and with it
every report queued after it: nobody gets a code, nothing is stored, for as long as the bot runs.

The sandbox cannot carry a lone surrogate, and no realistic input was found that fails one
insert alone, so the refusal is simulated: the driver refuses exactly one report's text.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.storage.database import Transaction
from tests.harness import Harness
from tests.tg.report_support import BODY, CODE_RE, tick

BAD, GOOD = 5901, 5902


async def to_confirm(h: Harness, user: int, text: str) -> None:
    [intro] = await h.send(user, "/report")
    message = await h.press(user, intro, "形式主义")
    message = await h.press(user, message, "办公室")
    [prompt] = await h.send(user, text)
    preview = await h.press(user, prompt, "完成")
    await h.press(user, preview, "确认提交")


async def test_one_unwritable_report_does_not_block_the_others(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    repo = h.services.reports._repo
    insert = repo.insert

    async def picky(tx: Transaction, **row: Any) -> None:
        if row["body"].endswith("UNWRITABLE"):
            raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")
        await insert(tx, **row)

    monkeypatch.setattr(repo, "insert", picky)
    await h.join(BAD, "甲")
    await h.join(GOOD, "乙")
    await to_confirm(h, BAD, BODY + "UNWRITABLE")
    await to_confirm(h, GOOD, BODY)
    for _ in range(3):
        h.clock.advance(minutes=10)
        await tick(h)
    stored = (await h.services.db.fetchone("SELECT COUNT(*) FROM reports"))[0]
    good_codes = [m for m in h.sandbox.bot_messages(GOOD) if CODE_RE.search(m["text"] or "")]
    print("stored:", stored, "codes for the good reporter:", len(good_codes))
    assert good_codes, "the good reporter never got a code"
    assert len(good_codes) == 1
    assert stored == 1
    # The unwritable one left the queue at once, and its reporter was told to send it again.
    told = [
        m["text"] for m in h.sandbox.bot_messages(BAD) if "因系统错误没有保存" in (m["text"] or "")
    ]
    assert len(told) == 1, [m["text"] for m in h.sandbox.bot_messages(BAD)]
    assert not [m for m in h.sandbox.bot_messages(BAD) if CODE_RE.search(m["text"] or "")]
