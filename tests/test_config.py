"""Config validation: every bad input stops start-up with one line naming the file and key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config, parse_config
from bot.domain.members import Role

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"


def test_example_config_is_valid_and_documents_the_fixed_keys() -> None:
    config = load_config(ROOT / "config.example.yaml", require_token=False)
    assert config.telegram.api_base_url == "https://api.telegram.org/bot"
    assert str(config.storage_path) == "data/bot.db"
    assert config.timezone.key == "Asia/Shanghai"
    assert config.language == "zh"
    assert config.registration == "invite"
    assert [d.id for d in config.departments] == ["office", "command", "safety", "disaster"]
    text = (ROOT / "config.example.yaml").read_text(encoding="utf-8")
    for key in (
        "token:",
        "api_base_url:",
        "file_base_url:",
        "path:",
        "timezone:",
        "language:",
        "admins:",
        "reviewers:",
        "leaders:",
        "registration:",
        "name:",
        "departments:",
    ):
        assert key in text


def test_defaults_and_env_token_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "999:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB")
    config = parse_config({"telegram": {"token": TOKEN}, "roles": {"admins": [7]}})
    assert config.telegram.token == "999:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
    assert config.config_roles(7) == {Role.ADMIN}
    assert config.config_roles(8) == frozenset()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"telegram": {"token": TOKEN}, "languge": "zh"}, "<t>: languge: unknown key"),
        ({"telegram": {"token": TOKEN, "tokn": 1}}, "<t>: telegram.tokn: unknown key"),
        (
            {"telegram": {"token": TOKEN}, "roles": {"admins": ["me"]}},
            "<t>: roles.admins[0]: expected a Telegram user id (integer), got 'me'",
        ),
        (
            {"telegram": {"token": TOKEN}, "roles": {"admins": 5}},
            "<t>: roles.admins: expected a list, got 5",
        ),
        (
            {"telegram": {"token": TOKEN}, "timezone": "Mars/Base"},
            "<t>: timezone: unknown time zone 'Mars/Base'",
        ),
        ({"telegram": {"token": TOKEN}, "language": "fr"}, "<t>: language: expected zh or en"),
        ({}, "<t>: telegram.token: missing"),
        ({"telegram": {"token": "not-a-token"}}, "<t>: telegram.token: does not look like"),
        (
            {"telegram": {"token": TOKEN, "api_base_url": "ftp://x"}},
            "<t>: telegram.api_base_url: expected an http(s) URL",
        ),
        (
            {"telegram": {"token": TOKEN}, "access": {"registration": "anyone"}},
            "<t>: access.registration: expected invite or open",
        ),
        (
            {
                "telegram": {"token": TOKEN},
                "organization": {"departments": [{"id": "a", "name": "A"}]},
                "access": {"invites": [{"code": "abcdefgh", "department": "b"}]},
            },
            "<t>: access.invites[0].department: unknown department 'b'",
        ),
        (
            {
                "telegram": {"token": TOKEN},
                "organization": {
                    "departments": [{"id": "a", "name": "A"}, {"id": "a", "name": "B"}]
                },
            },
            "<t>: organization.departments[1].id: duplicate department id 'a'",
        ),
        (
            {"telegram": {"token": TOKEN}, "organization": {"departments": [{"id": "a"}]}},
            "<t>: organization.departments[0]: expected {id: ..., name: ...}",
        ),
        (
            {"telegram": {"token": TOKEN, "mode": "webhook"}},
            "<t>: telegram.webhook.url: required when telegram.mode is webhook",
        ),
        (
            {"telegram": {"token": TOKEN, "rate_limits": {"overall_per_second": 0}}},
            "<t>: telegram.rate_limits.overall_per_second: must be positive",
        ),
        ([1, 2], "<t>: top level: expected a mapping"),
    ],
)
def test_bad_config_is_one_clear_line(
    data: object, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    with pytest.raises(ConfigError) as info:
        parse_config(data, source="<t>")
    text = str(info.value)
    assert text.startswith(message), text
    assert "\n" not in text


@pytest.mark.parametrize("minutes", [0, 7, 45, 90])
def test_report_ticks_must_divide_the_hour(minutes: int) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config({"reports": {"write_every_minutes": minutes}}, require_token=False)
    assert str(info.value).startswith("<config>: reports.write_every_minutes: expected one of 1")
    assert parse_config({}, require_token=False).reports.write_every_minutes == 10


def test_missing_token_is_fine_when_not_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    assert parse_config({}, require_token=False).telegram.token == ""


def test_bad_yaml_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("telegram:\n  token: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config\.yaml: line \d+: not valid YAML"):
        load_config(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.yaml")


def _run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "BOT_CONFIG")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**base, **(env or {})},
        timeout=60,
    )


def test_cli_bad_config_exits_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "telegram:\n  token: '123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAA'\nroles:\n  admins: [abc]\n",
        encoding="utf-8",
    )
    result = _run_cli("run", "--config", str(path))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: {path}: roles.admins[0]: expected a Telegram user id (integer), got 'abc'"
    )
    assert "Traceback" not in result.stderr


def test_cli_reads_bot_config_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "from-env.yaml"
    path.write_text("storage: {path: x.db}\n", encoding="utf-8")
    result = _run_cli("run", env={"BOT_CONFIG": str(path)})
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"error: {path}: telegram.token: missing (set it or the BOT_TOKEN variable)"
    )


def test_cli_help_lists_subcommands() -> None:
    result = _run_cli("--help")
    assert result.returncode == 0
    assert "run" in result.stdout
    assert "demo" in result.stdout
