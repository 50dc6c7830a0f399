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


def test_a_retired_key_stops_start_up_saying_what_to_do() -> None:
    data = {"telegram": {"token": TOKEN}, "quiz": {"review_intervals": [1, 2, 4, 7, 15]}}
    with pytest.raises(ConfigError) as caught:
        parse_config(data, source="<t>")
    assert str(caught.value) == (
        "<t>: quiz.review_intervals: no longer used: the mistake book schedules reviews "
        "with FSRS; remove this key"
    )


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
                "access": {"invites": [{"code": "q7Rz-Kd2x-Lm9W", "department": "b"}]},
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


WEBHOOK = {"mode": "webhook", "webhook": {"url": "https://bot.example.gov.cn/telegram"}}
SECRET = "s3cr3t-Value-that-must-not-leak"


@pytest.mark.parametrize(
    ("telegram", "message"),
    [
        (WEBHOOK, "<t>: telegram.webhook.secret_token: required when telegram.mode is webhook"),
        (
            {**WEBHOOK, "webhook": {**WEBHOOK["webhook"], "secret_token": "short"}},
            "<t>: telegram.webhook.secret_token: expected 16–256 characters",
        ),
        (
            {**WEBHOOK, "webhook": {**WEBHOOK["webhook"], "secret_token": f"{SECRET}!"}},
            "<t>: telegram.webhook.secret_token: expected 16–256 characters",
        ),
        ({"webhook": {"port": 70000}}, "<t>: telegram.webhook.port: expected 1–65535"),
        ({"proxy": f"ftp://user:{SECRET}@proxy:21"}, "<t>: telegram.proxy: expected a URL"),
        ({"proxy": f"http://user:{SECRET}@proxy:port"}, "<t>: telegram.proxy: expected a URL"),
        ({"proxy": 8080}, "<t>: telegram.proxy: expected a string, got an integer"),
    ],
)
def test_webhook_and_proxy_mistakes_are_one_line_without_the_value(
    telegram: dict[str, object], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    with pytest.raises(ConfigError) as info:
        parse_config({"telegram": {"token": TOKEN, **telegram}}, source="<t>")
    text = str(info.value)
    assert text.startswith(message), text
    assert "\n" not in text
    assert SECRET not in text


def test_webhook_mode_with_a_secret_listens_on_loopback_by_default() -> None:
    config = parse_config(
        {
            "telegram": {
                "token": TOKEN,
                **WEBHOOK,
                "webhook": {**WEBHOOK["webhook"], "secret_token": SECRET},
                "proxy": "socks5://127.0.0.1:1080",
            }
        }
    )
    assert config.telegram.webhook.listen == "127.0.0.1"
    assert config.telegram.webhook.secret_token == SECRET
    assert config.telegram.proxy == "socks5://127.0.0.1:1080"
    assert parse_config({"telegram": {"token": TOKEN}}).telegram.proxy == ""


@pytest.mark.parametrize(
    ("data", "message", "type_name"),
    [
        ({"telegram": {"token": 123456789}}, "<t>: telegram.token: expected a string", "integer"),
        ({"telegram": TOKEN}, "<t>: telegram: expected a mapping", "string"),
        ({"reports": {"receipt_secret": 4711}}, "<t>: reports.receipt_secret: expected", "integer"),
        (
            {"access": {"invites": [f"{SECRET}-office"]}},
            "<t>: access.invites[0]: expected {code: ..., department: ...}",
            "",
        ),
    ],
)
def test_rejected_secrets_are_named_by_type_never_echoed(
    data: dict[str, object], message: str, type_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    with pytest.raises(ConfigError) as info:
        parse_config(data, source="<t>", require_token=False)
    text = str(info.value)
    assert text.startswith(message), text
    assert type_name in text
    for secret in ("123456789", TOKEN.split(":")[1], "4711", SECRET):
        assert secret not in text


def test_unquoted_time_of_day_says_to_quote_it(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("quiz:\n  daily_time: 8:30\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path, require_token=False)
    assert str(info.value) == (
        f'{path}: quiz.daily_time: write the time in quotes, e.g. "08:30" '
        "(YAML reads an unquoted 8:30 as the number 510)"
    )
    path.write_text('backup:\n  time: "03:15"\n', encoding="utf-8")
    assert load_config(path, require_token=False).backup.time.strftime("%H:%M") == "03:15"


def _invites(*codes: str) -> dict[str, object]:
    return {
        "organization": {"departments": [{"id": "office", "name": "办公室"}]},
        "access": {"invites": [{"code": c, "department": "office"} for c in codes]},
    }


def test_short_invite_codes_are_refused_and_guessable_ones_warned_about() -> None:
    with pytest.raises(ConfigError) as short:
        parse_config(_invites("office26"), source="<t>", require_token=False)
    assert str(short.value).startswith(
        "<t>: access.invites[0].code: expected 12–64 characters of A-Z, a-z, 0-9"
    )
    assert "office26" not in str(short.value)
    with pytest.raises(ConfigError, match=r"access.invites\[1\].code: the same code"):
        parse_config(_invites("q7Rz-Kd2x-Lm9W", "q7Rz-Kd2x-Lm9W"), require_token=False)

    config = parse_config(
        _invites("join-office-2026", "q7Rz-Kd2x-Lm9W", "ALLCAPSWORDCODE"),
        source="<t>",
        require_token=False,
    )
    assert [i.code for i in config.preset_invites] == [
        "join-office-2026",
        "q7Rz-Kd2x-Lm9W",
        "ALLCAPSWORDCODE",
    ]
    assert len(config.warnings) == 2
    assert config.warnings[0].startswith("<t>: access.invites[0].code: looks guessable")
    assert config.warnings[1].startswith("<t>: access.invites[2].code: looks guessable")
    assert all("join-office-2026" not in w for w in config.warnings)


def test_example_config_shows_a_random_looking_invite_code() -> None:
    import re

    from bot.domain.members import guessable_code

    text = (ROOT / "config.example.yaml").read_text(encoding="utf-8")
    codes = re.findall(r"code: ([A-Za-z0-9_-]+)", text)
    assert codes
    assert not [c for c in codes if guessable_code(c) or len(c) < 12]


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
