"""`python -m bot reminders plan`: the year's sends at a glance, or the content problems."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_plan_2026_shows_the_official_breaks_and_the_lead_days(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BOT_CONFIG", raising=False)
    assert main(["reminders", "plan", "--year", "2026"]) == 0
    out = capsys.readouterr().out
    spring = [line for line in out.splitlines() if "春节" in line]
    assert [line.split()[0] for line in spring] == ["2026-02-12", "2026-02-14"]
    assert all("09:00" in line and "2026-02-15–2026-02-23" in line for line in spring)
    assert "尚未载入" not in out


def test_plan_2027_says_the_official_schedule_is_not_loaded(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BOT_CONFIG", raising=False)
    assert main(["reminders", "plan", "--year", "2027"]) == 0
    out = capsys.readouterr().out
    assert "2027年的国务院放假安排尚未载入 content/holidays.yaml" in out
    assert "not in content/holidays.yaml" in out
    assert "具体以国务院办公厅通知为准" in out
    assert "春节*" in out


def test_plan_2027_marks_every_row_estimated_and_no_long_break_is_one_day(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BOT_CONFIG", raising=False)
    monkeypatch.chdir(ROOT)
    assert main(["reminders", "plan", "--year", "2027"]) == 0
    rows = [
        line for line in capsys.readouterr().out.splitlines() if re.match(r"\d{4}-\d\d-\d\d ", line)
    ]
    assert len(rows) == 14
    assert all("预计/estimate" in row and "*" in row.split()[2] for row in rows)
    for row in rows:
        days = [date.fromisoformat(d) for d in row.split()[3].split("–")]
        start, end = days[0], days[-1]
        assert len(days) == 2 or start == end  # a one-day break reads as its day, not d–d
        if row.split()[2].rstrip("*") in ("春节", "国庆节"):
            assert (end - start).days >= 4, row
    dragon_boat = [row.split()[3] for row in rows if "端午节" in row]
    assert dragon_boat == ["2027-06-09", "2027-06-09"]  # a Wednesday, no substitute day known
    spring = [row for row in rows if "春节" in row]
    assert [row.split()[0] for row in spring] == ["2027-02-02", "2027-02-04"]


def _check(*args: str) -> int:
    return main(["content", "check", *args])


def test_content_check_warns_in_december_about_next_year_and_still_passes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BOT_CONFIG", raising=False)
    monkeypatch.chdir(ROOT)
    assert _check("--today", "2026-12-01") == 0
    captured = capsys.readouterr()
    [warning] = [line for line in captured.err.splitlines() if "warning" in line]
    assert warning.startswith("content/holidays.yaml: 2027: warning: ")
    assert "no State Council holiday schedule for 2027" in warning
    assert "0 problems, 1 warning" in captured.out

    assert _check("--today", "2026-11-01", "--strict") == 1
    assert "content/holidays.yaml: 2027: warning" in capsys.readouterr().err
    assert _check("--today", "2026-12-31", "--strict") == 1
    capsys.readouterr()


def test_content_check_is_quiet_before_the_warning_day(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("BOT_CONFIG", raising=False)
    monkeypatch.chdir(ROOT)
    assert _check("--today", "2026-10-31", "--strict") == 0
    captured = capsys.readouterr()
    assert "warning" not in captured.out + captured.err
    # The day is configurable: from 10-15 on, the same date warns.
    config = tmp_path / "config.yaml"
    config.write_text(
        yaml.safe_dump({"reminders": {"warn_missing_schedule_from": "10-15"}}), encoding="utf-8"
    )
    assert _check("--today", "2026-10-31", "--strict", "--config", str(config)) == 1
    assert "2027: warning" in capsys.readouterr().err


def test_content_check_and_plan_follow_content_dir(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("BOT_CONFIG", raising=False)
    content = tmp_path / "volume"
    shutil.copytree(ROOT / "content", content)
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"content": {"dir": str(content)}}), encoding="utf-8")
    assert _check("--today", "2026-12-01", "--config", str(config)) == 0
    assert f"{content / 'holidays.yaml'}: 2027: warning" in capsys.readouterr().err
    assert main(["reminders", "plan", "--year", "2027", "--config", str(config)]) == 0
    assert f"尚未载入 {content / 'holidays.yaml'}" in capsys.readouterr().out

    (content / "holidays.yaml").write_text("2026:\n  元旦: {start: 2026-01-03}\n", encoding="utf-8")
    assert _check("--today", "2026-12-01", "--config", str(config)) == 1
    out = capsys.readouterr().out
    assert f"{content / 'holidays.yaml'}:2: 2026 元旦: end is missing" in out


def test_plan_uses_the_configured_lead_days_and_time(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        yaml.safe_dump({"reminders": {"lead_days": [5], "send_time": "16:30"}}), encoding="utf-8"
    )
    assert main(["reminders", "plan", "--year", "2026", "--config", str(config)]) == 0
    [spring] = [line for line in capsys.readouterr().out.splitlines() if "春节" in line]
    assert spring.split()[:2] == ["2026-02-10", "16:30"]


def test_broken_content_is_listed_one_problem_per_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    texts = tmp_path / "reminders"
    texts.mkdir()
    (texts / "bad.yaml").write_text(
        "holiday: 春节\nvariants:\n  - id: x\n    title: t\n    text: '{nope}'\n", encoding="utf-8"
    )
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"reminders": {"content_dir": str(texts)}}), encoding="utf-8")
    assert main(["reminders", "plan", "--config", str(config)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert any("bad.yaml:5: x: unknown placeholder {nope}" in line for line in lines)
    assert any("中秋节: no reminder file for this holiday" in line for line in lines)
    assert all(line.startswith("error: ") for line in lines)
