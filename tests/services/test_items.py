"""Item analysis over seeded first attempts: what is flagged, the export, the weekly notice."""

from __future__ import annotations

import asyncio
import csv
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import main
from bot.config import Config, parse_config
from bot.domain.items import LOW_DISCRIMINATION, Flag
from bot.services.delivery import DeliveryService
from bot.services.items import ItemAnalysisService
from bot.services.quiz import QuizService
from bot.storage.database import Database
from tests.services.items_support import (
    AT,
    BANK,
    FILLER,
    STRONG,
    WEAK,
    filler_attempts,
    seed_attempts,
    seed_scenario,
    target_attempts,
)

ADMIN = 1


@dataclass
class World:
    config: Config
    db: Database
    items: ItemAnalysisService


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    banks = tmp_path / "banks"
    banks.mkdir()
    (banks / "item-bank.yaml").write_text(BANK, encoding="utf-8")
    config = parse_config(
        {
            "storage": {"path": str(tmp_path / "bot.db")},
            "quiz": {"content_dir": str(banks)},
            "roles": {"admins": [ADMIN]},
        },
        require_token=False,
    )
    db = Database(config.storage_path)
    await db.open()
    quiz = QuizService.load(config, db)
    try:
        yield World(config, db, ItemAnalysisService(config, db, quiz, DeliveryService(config, db)))
    finally:
        await db.close()


async def _by_id(world: World) -> dict:
    return {line.question.id: line.stats for line in (await world.items.report()).lines}


async def test_seeded_answers_flag_what_a_reviewer_should_look_at(world: World) -> None:
    await seed_scenario(world.db)
    stats = await _by_id(world)
    # Everyone right: too easy (and no discrimination to speak of).
    assert stats["q-easy"].facility == 1.0
    assert stats["q-easy"].flags == (Flag.TOO_EASY,)
    # The strong members miss it, the weak ones get it right: negative discrimination.
    assert stats["q-reversed"].facility == 0.5
    assert stats["q-reversed"].discrimination < -0.5
    assert stats["q-reversed"].flags == (Flag.LOW_DISCRIMINATION,)
    # Four strong members right: too hard, though it discriminates.
    assert stats["q-hard"].flags == (Flag.TOO_HARD,)
    assert stats["q-hard"].discrimination > LOW_DISCRIMINATION
    # A good question: first attempts only (the weak members' later right answers do not
    # count), facility 24/40, high discrimination, not flagged.
    assert stats["q-good"].attempts == 40
    assert stats["q-good"].facility == 0.6
    assert stats["q-good"].discrimination > 0.5
    assert stats["q-good"].flags == ()
    for filler in FILLER:
        assert stats[filler].flags == (), filler
    assert stats["q-unseen"].attempts == 0
    assert stats["q-unseen"].facility is None
    report = await world.items.report()
    assert report.judged == len(FILLER) + 4
    assert [line.question.id for line in report.flagged()] == ["q-reversed", "q-hard", "q-easy"]


async def test_nothing_is_flagged_below_thirty_first_attempts(world: World) -> None:
    strong, weak = STRONG[:15], WEAK[:14]  # 29 members
    await seed_attempts(world.db, [*filler_attempts(strong, weak), *target_attempts(strong, weak)])
    report = await world.items.report()
    assert {line.stats.attempts for line in report.lines if line.stats.attempts} == {29}
    assert report.judged == 0
    assert report.flagged() == []
    # The thirtieth member's first attempts make the same questions count.
    newcomer = [STRONG[15]]
    rows = [r for r in filler_attempts([*strong, *newcomer], weak) if r[0] in newcomer]
    rows += [r for r in target_attempts([*strong, *newcomer], weak) if r[0] in newcomer]
    await seed_attempts(world.db, rows, AT + timedelta(days=1))
    flagged = {line.question.id for line in (await world.items.report()).flagged()}
    assert flagged == {"q-easy", "q-reversed", "q-hard"}


async def test_a_week_ago_only_counts_first_attempts_made_by_then(world: World) -> None:
    await seed_scenario(world.db)
    before = await world.items.report(AT)
    assert all(line.stats.attempts == 0 for line in before.lines)
    assert before.flagged() == []


async def test_weekly_notice_tells_admins_of_new_flags_once(world: World) -> None:
    async with world.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO members (user_id, first_name, joined_at, updated_at) "
            "VALUES (?, '王管理', 'x', 'x')",
            (ADMIN,),
        )
    await seed_scenario(world.db)
    now = AT + timedelta(days=6)
    assert await world.items.send_weekly_notice(now) is True
    assert await world.items.send_weekly_notice(now + timedelta(hours=1)) is False  # same day
    [campaign] = await world.db.fetchall("SELECT id, key, kind, payload FROM campaigns")
    assert campaign["key"] == "items:2026-09-20"
    assert campaign["kind"] == "items"
    outbox = await world.db.fetchall(
        "SELECT user_id FROM outbox WHERE campaign_id = ?", (campaign["id"],)
    )
    assert [r["user_id"] for r in outbox] == [ADMIN]
    text = json.loads(campaign["payload"])["text"]
    assert "本周新增 3 道需要修订的题目" in text["zh"]
    assert text["zh"].index("q-reversed") < text["zh"].index("q-hard") < text["zh"].index("q-easy")
    assert "q-good" not in text["zh"]
    assert "区分度低" in text["zh"]
    assert "3 questions were newly flagged this week" in text["en"]
    assert "too easy (facility over 95%)" in text["en"]
    # A week later nothing is new: no notice.
    assert await world.items.send_weekly_notice(now + timedelta(days=7)) is False
    assert (await world.db.fetchone("SELECT COUNT(*) FROM campaigns"))[0] == 1


def _read(path: Path) -> list[list[str]]:
    if path.suffix == ".xlsx":
        book = load_workbook(path, read_only=True)
        rows = [
            ["" if c is None else str(c) for c in r]
            for r in book.active.iter_rows(values_only=True)
        ]
        book.close()
        return rows
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_items_has_every_question_and_no_member(tmp_path: Path, fmt: str) -> None:
    banks = tmp_path / "banks"
    banks.mkdir()
    (banks / "item-bank.yaml").write_text(BANK, encoding="utf-8")
    db_path = tmp_path / "bot.db"

    async def make() -> None:
        db = Database(db_path)
        await db.open()
        await seed_scenario(db)
        await db.close()

    asyncio.run(make())
    config_file = tmp_path / "config.yaml"
    config_file.write_text(
        f"storage:\n  path: {db_path}\nquiz:\n  content_dir: {banks}\n",
        encoding="utf-8",
    )
    out = tmp_path / f"items.{fmt}"
    assert main(["export", "items", "--out", str(out), "--config", str(config_file)]) == 0
    rows = _read(out)
    assert rows[0] == [
        "题目编号",
        "题库",
        "题干摘要",
        "首次作答人次",
        "答对率（0~1）",
        "区分度（-1~1）",
        "标记原因",
    ]
    body = {r[0]: r for r in rows[1:]}
    assert list(body) == [*FILLER, "q-easy", "q-reversed", "q-hard", "q-good", "q-unseen"]
    assert body["q-easy"][1:4] == ["质量测试题库", "人人都会的题：党员应当遵守党章。", "40"]
    assert float(body["q-easy"][4]) == 1.0
    assert body["q-easy"][5] == ""
    assert body["q-easy"][6] == "过易（答对率高于 95%）"
    assert float(body["q-good"][4]) == 0.6
    assert float(body["q-good"][5]) > 0.5
    assert body["q-good"][6] == ""
    assert float(body["q-reversed"][5]) < 0
    assert body["q-reversed"][6].startswith("区分度低（低于 0.15")
    assert body["q-unseen"][3:] == ["0", "", "", "首次作答不足 30 人次，暂不判断"]
    # Never a member: no id, no name.
    cells = {c for r in rows for c in r}
    members = {str(m) for m in (*STRONG, *WEAK)} | {f"成员{m}" for m in (*STRONG, *WEAK)}
    assert not cells & members
