"""Attacks on the anonymous-report promise by someone who holds copies of the data folder.

Three runs of the same bureau morning, identical except for who files a report: the reporter R
at 10:14, another member B at 10:17, or nobody. After every step the data folder is copied
with its modification times, the way a file backup would copy it. A reader of those copies
must learn nothing that differs between the three runs (apart from the report's own row), so
nothing in the files can point at R rather than B or at 10:14 rather than 10:17; and an
attacker who ranks members by how close their recorded activity is to the time the files give
away must not single out the one who filed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.sandbox import Sandbox
from tests.harness import TOKEN, Harness, make_config
from tests.tg.report_attack import (
    FolderView,
    Timeline,
    copy_folder,
    rank,
    read_folder,
    singled_out,
)
from tests.tg.report_support import BODY, tick

A, B, C, D, R = 901, 902, 903, 904, 905
NAMES = {A: "甲干部", B: "乙干部", C: "丙干部", D: "丁干部", R: "戊干部"}


def at(minute: int) -> datetime:
    """`minute` minutes after 10:00 local time (Asia/Shanghai) on the harness day."""
    return datetime(2026, 9, 20, 2, 0, tzinfo=UTC) + timedelta(minutes=minute)


async def toggle(h: Harness, user: int) -> None:
    """A timestamped action: the member switches the daily question in /settings."""
    [panel] = await h.send(user, "/settings")
    await h.press(user, panel, "每日一题")


async def report(h: Harness, user: int) -> None:
    """Every step of /report up to 确认提交 (the code comes when the report is stored)."""
    [intro] = await h.send(user, "/report")
    message = await h.press(user, intro, "形式主义")
    message = await h.press(user, message, "办公室")
    [prompt] = await h.send(user, BODY)
    preview = await h.press(user, prompt, "完成")
    await h.press(user, preview, "确认提交")


@dataclass
class World:
    """One run: the copies taken after each step, by label."""

    views: dict[str, FolderView] = field(default_factory=dict)
    folders: dict[str, Path] = field(default_factory=dict)

    def contents(self, label: str) -> dict[str, bytes]:
        """The database files of one copy, byte for byte."""
        return {
            p.name: p.read_bytes()
            for p in sorted(self.folders[label].iterdir())
            if p.name.startswith("bot.db")
        }


async def run_world(root: Path, reporter: int | None) -> World:
    """The morning, with `reporter` (or nobody) filing a report."""
    world = World()
    data = root / "data"
    async with Sandbox(token=TOKEN, bot_username="qinglian_test_bot") as sandbox:
        db_path = data / "bot.db"
        h = Harness(sandbox=sandbox, db_path=db_path, config=make_config(sandbox, db_path))
        h.clock.now = at(0)
        await h.start()
        try:
            for user, name in NAMES.items():
                await h.join(user, name)
            timeline = Timeline(h)

            def copy(label: str) -> None:
                folder = copy_folder(data, root / "copies" / label)
                world.folders[label] = folder
                world.views[label] = read_folder(folder, timeline)

            steps = [
                ("a1", 2, lambda: toggle(h, A)),
                ("c1", 5, lambda: toggle(h, C)),
                ("tick1", 10, lambda: tick(h)),
                ("a2", 11, lambda: toggle(h, A)),
                ("r1", 13, lambda: toggle(h, R)),
                ("filed-r", 14, lambda: report(h, R)),
                ("b1", 16, lambda: toggle(h, B)),
                ("filed-b", 17, lambda: report(h, B)),
                ("c2", 18, lambda: toggle(h, C)),
                ("tick2", 20, lambda: tick(h)),
                ("d1", 22, lambda: toggle(h, D)),
                # 11:00: the tick that also announces (a report in R's and B's runs).
                ("batch", 60, lambda: tick(h)),
            ]
            filed = {"filed-r": R, "filed-b": B}
            for label, minute, action in steps:
                if label in filed and filed[label] != reporter:
                    continue
                await timeline.step(at(minute), action)
                copy(label)
        finally:
            await h.stop()
    return world


async def test_copies_of_the_data_folder_do_not_tell_who_filed_or_when(tmp_path: Path) -> None:
    worlds = {
        "R": await run_world(tmp_path / "r", R),
        "B": await run_world(tmp_path / "b", B),
        "nobody": await run_world(tmp_path / "n", None),
    }
    common = [label for label in worlds["nobody"].views]
    # Whoever filed, and whether anyone did: every copy after every step reads the same.
    for label in common:
        views = {name: w.views[label] for name, w in worlds.items()}
        assert views["R"] == views["nobody"], (label, views["R"], views["nobody"])
        assert views["B"] == views["nobody"], (label, views["B"], views["nobody"])
    # A copy taken right after 确认提交 reads exactly like one taken before the reporter began:
    # the same file times, and the same bytes in bot.db, its WAL and its -shm.
    assert worlds["R"].views["filed-r"] == worlds["R"].views["r1"]
    assert worlds["B"].views["filed-b"] == worlds["B"].views["b1"]
    assert worlds["R"].contents("filed-r") == worlds["R"].contents("r1")
    assert worlds["B"].contents("filed-b") == worlds["B"].contents("b1")

    # The attack: take the database file's modification time as the moment of the last
    # report, and rank members by how close their recorded activity is to it.
    for name, reporter in (("R", R), ("B", B)):
        for label in ("filed-" + name.lower(), "tick2", "d1", "batch"):
            folder = worlds[name].folders[label]
            estimate = worlds[name].views[label].changed_at("bot.db")
            ranking = rank(folder, estimate)
            assert not singled_out(ranking, reporter), (name, label, estimate, ranking)
