"""Attacks on the hourly batching through live views: a reviewer or a leader who keeps looking at
/reports, the digest or an export while a colleague files a report must not see it come in
before the batch announces it; a leader sees counts at day granularity only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.services.exports import export_table
from tests.harness import LEADER, REVIEWER, Harness, buttons
from tests.tg.report_support import batch, file_report, tick

CADRE = 731


async def _reviewer_view(h: Harness) -> list[Any]:
    """Everything a reviewer sees without opening a report: overview, lists, flags, export."""
    seen: list[Any] = []
    [overview] = await h.send(REVIEWER, "/reports")
    seen.append((overview["text"], [b["text"] for b in buttons(overview)]))
    for b in buttons(overview):
        if "（" in b["text"]:  # a status with its count
            listing = await h.press(REVIEWER, overview, b["text"])
            seen.append((listing["text"], [x["text"] for x in buttons(listing)]))
            [overview] = await h.send(REVIEWER, "/reports")
    await h.press(REVIEWER, overview, "导出")
    exported = [m for m in h.sandbox.bot_messages(REVIEWER) if m.get("document")]
    if exported:
        seen.append(h.sandbox.file_bytes(exported[-1]["document"]["file_id"]))
    else:
        seen.append(h.last(REVIEWER)["text"])
    return seen


async def _leader_view(h: Harness) -> list[str]:
    """A leader's /reports and the report lines of /digest for this week."""
    [overview] = await h.send(LEADER, "/reports")
    [picker] = await h.send(LEADER, "/digest")
    digest = await h.press(LEADER, picker, "本周")
    text = digest["text"]
    return [overview["text"], text[text.index("问题线索反映") :]]


async def _export(h: Harness, tmp_path: Path, name: str) -> str:
    out = tmp_path / name
    await export_table(h.config, h.services.db, "reports", "csv", out)
    return out.read_text(encoding="utf-8-sig")


async def test_views_change_only_when_the_batch_announces(harness: Harness, tmp_path: Path) -> None:
    h = harness
    await h.join(REVIEWER, "赵纪检")
    await h.join(LEADER, "李局长")
    await h.join(CADRE, "张干部")
    # Yesterday's report, announced long ago.
    h.clock.advance(days=-1)
    old_code = await file_report(h, CADRE, body="昨天的反映：会议材料层层加码，重复报送。")
    await batch(h)
    h.clock.advance(days=1)
    await batch(h)  # 11:00 today
    reviewer, leader = await _reviewer_view(h), await _leader_view(h)
    exported = await _export(h, tmp_path, "before.csv")
    assert "新收到：1" in reviewer[0][0]

    # 11:03 a new report, 11:04 added information to yesterday's; both stored at 11:10.
    h.clock.advance(minutes=3)
    await file_report(h, CADRE)
    h.clock.advance(minutes=1)
    [view] = await h.send(CADRE, f"/status {old_code}")
    await h.press(CADRE, view, "补充信息")
    await h.send(CADRE, "补充：时间是九月第二周。")
    h.clock.advance(minutes=6)
    await tick(h)
    h.clock.advance(minutes=5)
    assert await _reviewer_view(h) == reviewer
    assert await _leader_view(h) == leader
    assert await _export(h, tmp_path, "stored.csv") == exported

    # 12:00: the batch announces both to reviewers, at once.
    await batch(h)
    after = await _reviewer_view(h)
    assert "新收到：2" in after[0][0]
    assert any(b.startswith("💬") for b in after[1][1])  # the reporter awaits an answer
    assert await _export(h, tmp_path, "announced.csv") != exported
    # Leaders see counts as of the end of yesterday: the same all day, whatever arrives.
    assert await _leader_view(h) == leader
    h.clock.advance(days=1)
    next_day = await _leader_view(h)
    assert next_day != leader
    assert "2" in next_day[0]
