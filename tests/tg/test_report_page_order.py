"""Attack: the order of reports stored in one tick is written into the file's page numbers.

A tick stores its queued reports in the order they were confirmed (`ReportService.tick`). A long
description does not fit in a B-tree cell; its tail goes to an overflow page, which SQLite
allocates as the row is inserted. So the page numbers of the descriptions' tails, read from
bot.db alone, tend to follow the order in which the reporters pressed 确认提交 within the tick
window, although report ids are random.
"""

from __future__ import annotations

import random
import sqlite3

import pytest

import bot.services.reports as reports_service
from tests.harness import Harness
from tests.tg.report_support import tick

USERS = [811, 812, 813, 814, 815, 816]


def body(n: int) -> str:
    """A long description whose tail carries a marker a byte search can find."""
    return "基层反映同一数据重复报送，" * 110 + f"ENDMARK-{n:02d}"


async def to_confirm(h: Harness, user: int, text: str) -> None:
    [intro] = await h.send(user, "/report")
    message = await h.press(user, intro, "形式主义")
    message = await h.press(user, message, "办公室")
    [prompt] = await h.send(user, text)
    preview = await h.press(user, prompt, "完成")
    await h.press(user, preview, "确认提交")


def tail_pages(h: Harness, markers: list[str]) -> list[int]:
    """The page of bot.db holding each marker (the file alone, as a backup holds it)."""
    data = h.db_path.read_bytes()
    page_size = int.from_bytes(data[16:18], "big")
    pages = []
    for marker in markers:
        at = data.find(marker.encode())
        assert at >= 0, marker
        pages.append(at // page_size + 1)
    return pages


def inversions(pages: list[int]) -> int:
    return sum(
        1 for i in range(len(pages)) for j in range(i + 1, len(pages)) if pages[i] > pages[j]
    )


async def test_overflow_pages_do_not_give_the_order_of_confirmation(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    # The tick's shuffle, seeded so the count below is the same at every run.
    monkeypatch.setattr(reports_service, "_RANDOM", random.Random(20260920), raising=False)
    for user in USERS:
        await h.join(user, f"成员{user}")
    results = []
    for round_ in range(3):
        markers = []
        for position, user in enumerate(USERS):
            h.clock.advance(minutes=1)
            marker = f"ENDMARK-{round_}{position}"
            markers.append(marker)
            await to_confirm(h, user, body(0).replace("ENDMARK-00", marker))
        h.clock.advance(minutes=10)
        await tick(h)
        pages = tail_pages(h, markers)
        results.append(pages)
        print(f"round {round_}: page of each report's tail, in confirmation order: {pages}")
        # Reports of a later day: the daily limit would stop a second round otherwise.
        h.clock.advance(days=1)
    conn = sqlite3.connect(h.db_path)
    print(conn.execute("SELECT COUNT(*) FROM reports").fetchone())
    conn.close()
    # No order in the file: about 7.5 of the 15 pairs inverted each round, by chance.
    total = sum(inversions(p) for p in results)
    print("inverted pairs out of", 15 * len(results), ":", total)
    assert total >= 10, results
