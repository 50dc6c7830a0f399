"""`python -m bot reminders plan`: the year's sends at a glance, or the content problems."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.cli import main


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
    assert "2027年的国务院放假安排尚未载入" in out
    assert "not in content/holidays.yaml" in out
    assert "春节*" in out


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
