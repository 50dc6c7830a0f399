"""Build a Config from YAML: the sections, departments, invites and Telegram settings."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.config.model import (
    LANGUAGES,
    MIN_INVITE_CODE,
    BackupConfig,
    Config,
    ConfigError,
    Department,
    DigestConfig,
    PresetInvite,
    QuizConfig,
    RateLimits,
    RemindersConfig,
    ReportsConfig,
    TelegramConfig,
    WebhookConfig,
)
from bot.config.schema import (
    SCHEMA,
    WEEKDAYS,
    WRITE_TICKS,
    apply_schema,
    content_path,
    day_of_year,
    in_range,
    positive_ints,
    time_of_day,
)
from bot.domain.members import Role, guessable_code, new_invite_code

_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
_DEPT_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
# Telegram accepts 1–256 of these characters as a webhook secret; we ask for at least 16.
_WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{16,256}$")
_PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


def _sections(raw: dict[str, Any], source: str) -> dict[str, Any]:
    """The feature sections (quiz, reminders, reports, digest, backup), validated."""
    q, r, rep, d, b = raw["quiz"], raw["reminders"], raw["reports"], raw["digest"], raw["backup"]
    if not raw["content"]["dir"].strip():
        raise ConfigError(f"{source}: content.dir: expected a folder, got an empty value")
    content_dir = Path(raw["content"]["dir"])
    if rep["open_to"] not in ("members", "anyone"):
        raise ConfigError(
            f"{source}: reports.open_to: expected members or anyone, got {rep['open_to']!r}"
        )
    weekday = d["weekday"].strip().lower()
    if weekday not in WEEKDAYS:
        raise ConfigError(
            f"{source}: digest.weekday: expected one of {', '.join(WEEKDAYS)}, got {weekday!r}"
        )
    for key in ("min_length", "max_length"):
        in_range(rep[key], 1, 4000, f"{source}: reports.{key}")
    if rep["min_length"] > rep["max_length"]:
        raise ConfigError(f"{source}: reports.min_length: larger than reports.max_length")
    if rep["write_every_minutes"] not in WRITE_TICKS:
        raise ConfigError(
            f"{source}: reports.write_every_minutes: expected one of "
            f"{', '.join(map(str, WRITE_TICKS))} (minutes that divide the hour), "
            f"got {rep['write_every_minutes']}"
        )
    return {
        "quiz": QuizConfig(
            content_dir=content_path(q["content_dir"], content_dir, "quizzes"),
            questions_per_session=in_range(
                q["questions_per_session"], 1, 50, f"{source}: quiz.questions_per_session"
            ),
            daily_time=time_of_day(q["daily_time"], f"{source}: quiz.daily_time"),
        ),
        "reminders": RemindersConfig(
            content_dir=content_path(r["content_dir"], content_dir, "reminders"),
            holidays_file=content_path(r["holidays_file"], content_dir, "holidays.yaml"),
            lead_days=positive_ints(r["lead_days"], f"{source}: reminders.lead_days"),
            send_time=time_of_day(r["send_time"], f"{source}: reminders.send_time"),
            warn_missing_schedule_from=day_of_year(
                r["warn_missing_schedule_from"], f"{source}: reminders.warn_missing_schedule_from"
            ),
        ),
        "reports": ReportsConfig(
            open_to=rep["open_to"],
            receipt_secret=os.environ.get("REPORT_SECRET") or rep["receipt_secret"],
            retention_days=in_range(
                rep["retention_days"], 1, 36500, f"{source}: reports.retention_days"
            ),
            max_per_day=in_range(rep["max_per_day"], 1, 100, f"{source}: reports.max_per_day"),
            min_length=rep["min_length"],
            max_length=rep["max_length"],
            max_attachments=in_range(
                rep["max_attachments"], 0, 10, f"{source}: reports.max_attachments"
            ),
            overdue_days=in_range(rep["overdue_days"], 1, 365, f"{source}: reports.overdue_days"),
            write_every_minutes=rep["write_every_minutes"],
            review_within_workdays=in_range(
                rep["review_within_workdays"], 1, 250, f"{source}: reports.review_within_workdays"
            ),
            close_within_months=in_range(
                rep["close_within_months"], 1, 60, f"{source}: reports.close_within_months"
            ),
            remind_before_workdays=in_range(
                rep["remind_before_workdays"], 0, 60, f"{source}: reports.remind_before_workdays"
            ),
            clock_check_time=time_of_day(
                rep["clock_check_time"], f"{source}: reports.clock_check_time"
            ),
        ),
        "digest": DigestConfig(
            weekday=WEEKDAYS.index(weekday),
            time=time_of_day(d["time"], f"{source}: digest.time"),
        ),
        "backup": BackupConfig(
            dir=Path(b["dir"]),
            keep=in_range(b["keep"], 1, 365, f"{source}: backup.keep"),
            time=time_of_day(b["time"], f"{source}: backup.time"),
        ),
        "content_dir": content_dir,
    }


def _parse_departments(raw: list[Any], where: str) -> tuple[Department, ...]:
    seen: set[str] = set()
    result = []
    for i, item in enumerate(raw):
        key = f"{where}: organization.departments[{i}]"
        if not isinstance(item, dict) or set(item) != {"id", "name"}:
            raise ConfigError(f"{key}: expected {{id: ..., name: ...}}, got {item!r}")
        dept_id, name = item["id"], item["name"]
        if not isinstance(dept_id, str) or not _DEPT_ID_RE.match(dept_id):
            raise ConfigError(
                f"{key}.id: expected a short id of a-z, 0-9, '-' or '_', got {dept_id!r}"
            )
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{key}.name: expected a non-empty name, got {name!r}")
        if dept_id in seen:
            raise ConfigError(f"{key}.id: duplicate department id {dept_id!r}")
        seen.add(dept_id)
        result.append(Department(dept_id, name.strip()))
    return tuple(result)


def _parse_user_ids(raw: list[Any], where: str) -> frozenset[int]:
    for i, item in enumerate(raw):
        if not isinstance(item, int) or isinstance(item, bool) or item <= 0:
            raise ConfigError(f"{where}[{i}]: expected a Telegram user id (integer), got {item!r}")
    return frozenset(raw)


def _parse_invites(
    raw: list[Any], departments: tuple[Department, ...], where: str
) -> tuple[tuple[PresetInvite, ...], list[str]]:
    """The preset invites, and a warning for each code that looks guessable."""
    known = {d.id for d in departments}
    result: list[PresetInvite] = []
    warnings: list[str] = []
    for i, item in enumerate(raw):
        key = f"{where}: access.invites[{i}]"
        if not isinstance(item, dict) or set(item) != {"code", "department"}:
            # The item holds a code: never echo it.
            raise ConfigError(f"{key}: expected {{code: ..., department: ...}}")
        code = item["code"]
        if not isinstance(code, str) or not re.fullmatch(
            rf"[A-Za-z0-9_-]{{{MIN_INVITE_CODE},64}}", code
        ):
            raise ConfigError(
                f"{key}.code: expected {MIN_INVITE_CODE}–64 characters of A-Z, a-z, 0-9, '-', "
                f"'_' (a random one: {new_invite_code()})"
            )
        if any(p.code == code for p in result):
            raise ConfigError(f"{key}.code: the same code as an earlier invite")
        if item["department"] not in known:
            raise ConfigError(
                f"{key}.department: unknown department {item['department']!r} "
                f"(not in organization.departments)"
            )
        if guessable_code(code):
            warnings.append(
                f"{key}.code: looks guessable (only words and numbers); anyone who guesses it "
                f"joins {item['department']}: use a random code such as {new_invite_code()}"
            )
        result.append(PresetInvite(code, item["department"]))
    return tuple(result), warnings


def _proxy_url_ok(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return (
            parts.scheme.lower() in _PROXY_SCHEMES
            and bool(parts.hostname)
            and (parts.port is None or parts.port > 0)
        )
    except ValueError:  # e.g. a port that is not a number
        return False


def _parse_telegram(tg: dict[str, Any], token: str, source: str) -> TelegramConfig:
    for key in ("api_base_url", "file_base_url"):
        if not re.match(r"^https?://", tg[key]):
            raise ConfigError(f"{source}: telegram.{key}: expected an http(s) URL, got {tg[key]!r}")
    if tg["mode"] not in ("polling", "webhook"):
        raise ConfigError(
            f"{source}: telegram.mode: expected polling or webhook, got {tg['mode']!r}"
        )
    proxy = tg["proxy"].strip()
    if proxy and not _proxy_url_ok(proxy):
        # A proxy URL may carry a password: say what is wrong without repeating it.
        raise ConfigError(
            f"{source}: telegram.proxy: expected a URL such as http://host:port, "
            f"https://host:port, socks5://host:port or socks5h://host:port"
        )
    hook = tg["webhook"]
    in_range(hook["port"], 1, 65535, f"{source}: telegram.webhook.port")
    if tg["mode"] == "webhook":
        if not hook["url"]:
            raise ConfigError(
                f"{source}: telegram.webhook.url: required when telegram.mode is webhook"
            )
        if not re.match(r"^https?://[^/]", hook["url"]):
            raise ConfigError(f"{source}: telegram.webhook.url: expected an http(s) URL")
        if not hook["secret_token"]:
            # Without it anyone who finds the address can post forged updates.
            raise ConfigError(
                f"{source}: telegram.webhook.secret_token: required when telegram.mode is "
                f"webhook (16–256 characters of A-Z, a-z, 0-9, '_', '-'; a random one: "
                f"{secrets.token_urlsafe(32)})"
            )
    if hook["secret_token"] and not _WEBHOOK_SECRET_RE.match(hook["secret_token"]):
        raise ConfigError(
            f"{source}: telegram.webhook.secret_token: expected 16–256 characters of "
            f"A-Z, a-z, 0-9, '_', '-'"
        )
    limits = tg["rate_limits"]
    for key, value in limits.items():
        if value <= 0:
            raise ConfigError(f"{source}: telegram.rate_limits.{key}: must be positive")
    return TelegramConfig(
        token=token,
        api_base_url=tg["api_base_url"],
        file_base_url=tg["file_base_url"],
        mode=tg["mode"],
        webhook=WebhookConfig(**hook),
        rate_limits=RateLimits(**limits),
        proxy=proxy,
    )


def parse_config(data: Any, *, source: str = "<config>", require_token: bool = True) -> Config:
    """Validate raw config data (as loaded from YAML) and build a Config."""
    raw = apply_schema(data, SCHEMA, source, "")
    tg = raw["telegram"]
    token = os.environ.get("BOT_TOKEN") or tg["token"]
    if require_token and not token:
        raise ConfigError(f"{source}: telegram.token: missing (set it or the BOT_TOKEN variable)")
    if token and not _TOKEN_RE.match(token):
        raise ConfigError(f"{source}: telegram.token: does not look like a bot token (id:secret)")
    telegram = _parse_telegram(tg, token, source)
    try:
        tz = ZoneInfo(raw["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{source}: timezone: unknown time zone {raw['timezone']!r}") from None
    if raw["language"] not in LANGUAGES:
        raise ConfigError(f"{source}: language: expected zh or en, got {raw['language']!r}")
    if raw["access"]["registration"] not in ("invite", "open"):
        raise ConfigError(
            f"{source}: access.registration: expected invite or open, "
            f"got {raw['access']['registration']!r}"
        )
    level = raw["logging"]["level"].upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"{source}: logging.level: expected DEBUG, INFO, WARNING or ERROR")
    departments = _parse_departments(raw["organization"]["departments"], source)
    invites, warnings = _parse_invites(raw["access"]["invites"], departments, source)
    roles = {
        Role.ADMIN: _parse_user_ids(raw["roles"]["admins"], f"{source}: roles.admins"),
        Role.REVIEWER: _parse_user_ids(raw["roles"]["reviewers"], f"{source}: roles.reviewers"),
        Role.LEADER: _parse_user_ids(raw["roles"]["leaders"], f"{source}: roles.leaders"),
    }
    return Config(
        telegram=telegram,
        storage_path=Path(raw["storage"]["path"]),
        timezone=tz,
        language=raw["language"],
        organization_name=raw["organization"]["name"],
        departments=departments,
        roles=roles,
        registration=raw["access"]["registration"],
        preset_invites=invites,
        log_level=level,
        source=source,
        warnings=tuple(warnings),
        **_sections(raw, source),
    )


def load_config(path: str | os.PathLike[str] | None, *, require_token: bool = True) -> Config:
    """Read a config file (path, or BOT_CONFIG, or ./config.yaml) and validate it."""
    chosen = Path(path or os.environ.get("BOT_CONFIG") or "config.yaml")
    try:
        text = chosen.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{chosen}: file not found (copy config.example.yaml and edit it)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{chosen}: cannot read: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{chosen}: {line}not valid YAML: {problem}") from None
    return parse_config(data, source=str(chosen), require_token=require_token)
