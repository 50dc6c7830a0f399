"""content.dir and the holiday-schedule warning day: defaults, overrides, one-line refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config, parse_config

ROOT = Path(__file__).resolve().parents[1]


def test_content_paths_derive_from_content_dir() -> None:
    default = parse_config({}, require_token=False)
    assert default.content_dir == Path("content")
    assert default.quiz.content_dir == Path("content/quizzes")
    assert default.reminders.content_dir == Path("content/reminders")
    assert default.reminders.holidays_file == Path("content/holidays.yaml")
    assert default.reminders.warn_missing_schedule_from == (11, 1)

    volume = parse_config({"content": {"dir": "/content"}}, require_token=False)
    assert volume.quiz.content_dir == Path("/content/quizzes")
    assert volume.reminders.content_dir == Path("/content/reminders")
    assert volume.reminders.holidays_file == Path("/content/holidays.yaml")


def test_a_per_kind_path_still_overrides_the_folder() -> None:
    config = parse_config(
        {"content": {"dir": "/content"}, "reminders": {"holidays_file": "/etc/holidays.yaml"}},
        require_token=False,
    )
    assert config.reminders.holidays_file == Path("/etc/holidays.yaml")
    assert config.reminders.content_dir == Path("/content/reminders")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"content": {"dir": ""}}, "<t>: content.dir: expected a folder, got an empty value"),
        ({"content": {"folder": "x"}}, "<t>: content.folder: unknown key"),
        (
            {"reminders": {"warn_missing_schedule_from": "11-31"}},
            "<t>: reminders.warn_missing_schedule_from: expected a day of the year as MM-DD "
            "(e.g. 11-01), got '11-31'",
        ),
        (
            {"reminders": {"warn_missing_schedule_from": "02-29"}},
            "<t>: reminders.warn_missing_schedule_from: expected a day of the year as MM-DD",
        ),
        (
            {"reminders": {"warn_missing_schedule_from": 1101}},
            "<t>: reminders.warn_missing_schedule_from: expected a string, got 1101",
        ),
    ],
)
def test_bad_values_are_one_clear_line(data: object, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(data, source="<t>", require_token=False)
    text = str(info.value)
    assert text.startswith(message), text
    assert "\n" not in text


def test_the_example_config_documents_both_keys() -> None:
    config = load_config(ROOT / "config.example.yaml", require_token=False)
    assert config.content_dir == Path("content")
    assert config.reminders.warn_missing_schedule_from == (11, 1)
    text = (ROOT / "config.example.yaml").read_text(encoding="utf-8")
    assert "\ncontent:\n" in text
    assert "warn_missing_schedule_from:" in text
