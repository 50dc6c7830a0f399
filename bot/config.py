"""Configuration: load YAML, validate against one schema, refuse bad input with one line."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.domain.members import Role

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_FILE_BASE_URL = "https://api.telegram.org/file/bot"
LANGUAGES = ("zh", "en")
_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
_DEPT_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


class ConfigError(Exception):
    """A configuration problem, phrased as one line naming the file and the key."""


@dataclass(frozen=True)
class Department:
    """A department of the organisation, as listed in the config."""

    id: str
    name: str


@dataclass(frozen=True)
class PresetInvite:
    """An invite code fixed in the config (e.g. printed on a notice)."""

    code: str
    department: str


@dataclass(frozen=True)
class RateLimits:
    """Telegram's send budget as the delivery engine should respect it."""

    overall_per_second: float = 30.0
    per_chat_per_second: float = 1.0


@dataclass(frozen=True)
class WebhookConfig:
    """Webhook mode settings (used when telegram.mode is webhook)."""

    listen: str = "0.0.0.0"
    port: int = 8443
    url: str = ""
    secret_token: str = ""


@dataclass(frozen=True)
class TelegramConfig:
    """How to reach the Bot API."""

    token: str = ""
    api_base_url: str = DEFAULT_API_BASE_URL
    file_base_url: str = DEFAULT_FILE_BASE_URL
    mode: str = "polling"
    webhook: WebhookConfig = field(default_factory=WebhookConfig)
    rate_limits: RateLimits = field(default_factory=RateLimits)


@dataclass(frozen=True)
class QuizConfig:
    """Quiz sessions, the daily question and the mistake book."""

    content_dir: Path = Path("content/quizzes")
    questions_per_session: int = 10
    daily_time: time = time(8, 30)
    review_intervals: tuple[int, ...] = (1, 2, 4, 7, 15)


@dataclass(frozen=True)
class RemindersConfig:
    """Holiday integrity reminders."""

    content_dir: Path = Path("content/reminders")
    holidays_file: Path = Path("content/holidays.yaml")
    lead_days: tuple[int, ...] = (3, 1)
    send_time: time = time(9, 0)


@dataclass(frozen=True)
class ReportsConfig:
    """Anonymous reports."""

    open_to: str = "members"
    receipt_secret: str = ""
    retention_days: int = 365
    max_per_day: int = 3
    min_length: int = 20
    max_length: int = 3000
    max_attachments: int = 5
    overdue_days: int = 7
    write_every_minutes: int = 10


@dataclass(frozen=True)
class DigestConfig:
    """The weekly digest for leaders."""

    weekday: int = 0  # 0 = Monday … 6 = Sunday (ISO order, as people say it)
    time: time = time(8, 0)


@dataclass(frozen=True)
class BackupConfig:
    """The daily online backup."""

    dir: Path = Path("data/backups")
    keep: int = 7
    time: time = time(3, 0)


@dataclass(frozen=True)
class Config:
    """The whole validated configuration."""

    telegram: TelegramConfig
    storage_path: Path
    timezone: ZoneInfo
    language: str
    organization_name: str
    departments: tuple[Department, ...]
    roles: dict[Role, frozenset[int]]
    registration: str
    preset_invites: tuple[PresetInvite, ...]
    log_level: str
    quiz: QuizConfig = field(default_factory=QuizConfig)
    reminders: RemindersConfig = field(default_factory=RemindersConfig)
    reports: ReportsConfig = field(default_factory=ReportsConfig)
    digest: DigestConfig = field(default_factory=DigestConfig)
    backup: BackupConfig = field(default_factory=BackupConfig)
    source: str = "<defaults>"

    def department(self, department_id: str | None) -> Department | None:
        """The department with this id, if configured."""
        return next((d for d in self.departments if d.id == department_id), None)

    def config_roles(self, user_id: int) -> frozenset[Role]:
        """Roles the config file grants to this user."""
        return frozenset(role for role, ids in self.roles.items() if user_id in ids)


# --- schema -----------------------------------------------------------------------------
# Each leaf is (type, default). Nested dicts are sections. Unknown keys are refused.

_Schema = dict[str, Any]

SCHEMA: _Schema = {
    "telegram": {
        "token": (str, ""),
        "api_base_url": (str, DEFAULT_API_BASE_URL),
        "file_base_url": (str, DEFAULT_FILE_BASE_URL),
        "mode": (str, "polling"),
        "webhook": {
            "listen": (str, "0.0.0.0"),
            "port": (int, 8443),
            "url": (str, ""),
            "secret_token": (str, ""),
        },
        "rate_limits": {
            "overall_per_second": (float, 30.0),
            "per_chat_per_second": (float, 1.0),
        },
    },
    "storage": {"path": (str, "data/bot.db")},
    "timezone": (str, "Asia/Shanghai"),
    "language": (str, "zh"),
    "organization": {
        "name": (str, "示例县应急管理局"),
        "departments": (list, []),
    },
    "roles": {
        "admins": (list, []),
        "reviewers": (list, []),
        "leaders": (list, []),
    },
    "access": {
        "registration": (str, "invite"),
        "invites": (list, []),
    },
    "logging": {"level": (str, "INFO")},
    "quiz": {
        "content_dir": (str, "content/quizzes"),
        "questions_per_session": (int, 10),
        "daily_time": (str, "08:30"),
        "review_intervals": (list, [1, 2, 4, 7, 15]),
    },
    "reminders": {
        "content_dir": (str, "content/reminders"),
        "holidays_file": (str, "content/holidays.yaml"),
        "lead_days": (list, [3, 1]),
        "send_time": (str, "09:00"),
    },
    "reports": {
        "open_to": (str, "members"),
        "receipt_secret": (str, ""),
        "retention_days": (int, 365),
        "max_per_day": (int, 3),
        "min_length": (int, 20),
        "max_length": (int, 3000),
        "max_attachments": (int, 5),
        "overdue_days": (int, 7),
        "write_every_minutes": (int, 10),
    },
    "digest": {
        "weekday": (str, "monday"),
        "time": (str, "08:00"),
    },
    "backup": {
        "dir": (str, "data/backups"),
        "keep": (int, 7),
        "time": (str, "03:00"),
    },
}

# Reporters' writes are stored at ticks aligned to the clock; each must divide the hour, so
# the hourly batch always falls on a tick.
WRITE_TICKS = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _time_of_day(value: str, where: str) -> time:
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value.strip())
    if not match:
        raise ConfigError(f"{where}: expected a time of day as HH:MM, got {value!r}")
    return time(int(match.group(1)), int(match.group(2)))


def _positive_ints(raw: list[Any], where: str, *, allow_zero: bool = False) -> tuple[int, ...]:
    low = 0 if allow_zero else 1
    if not raw:
        raise ConfigError(f"{where}: expected a non-empty list of whole numbers")
    for i, item in enumerate(raw):
        if not isinstance(item, int) or isinstance(item, bool) or item < low:
            raise ConfigError(f"{where}[{i}]: expected a whole number ≥ {low}, got {item!r}")
    return tuple(raw)


def _in_range(value: int, low: int, high: int, where: str) -> int:
    if not low <= value <= high:
        raise ConfigError(f"{where}: expected {low}–{high}, got {value}")
    return value


def _sections(raw: dict[str, Any], source: str) -> dict[str, Any]:
    """The feature sections (quiz, reminders, reports, digest, backup), validated."""
    q, r, rep, d, b = raw["quiz"], raw["reminders"], raw["reports"], raw["digest"], raw["backup"]
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
        _in_range(rep[key], 1, 4000, f"{source}: reports.{key}")
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
            content_dir=Path(q["content_dir"]),
            questions_per_session=_in_range(
                q["questions_per_session"], 1, 50, f"{source}: quiz.questions_per_session"
            ),
            daily_time=_time_of_day(q["daily_time"], f"{source}: quiz.daily_time"),
            review_intervals=_positive_ints(
                q["review_intervals"], f"{source}: quiz.review_intervals"
            ),
        ),
        "reminders": RemindersConfig(
            content_dir=Path(r["content_dir"]),
            holidays_file=Path(r["holidays_file"]),
            lead_days=_positive_ints(r["lead_days"], f"{source}: reminders.lead_days"),
            send_time=_time_of_day(r["send_time"], f"{source}: reminders.send_time"),
        ),
        "reports": ReportsConfig(
            open_to=rep["open_to"],
            receipt_secret=os.environ.get("REPORT_SECRET") or rep["receipt_secret"],
            retention_days=_in_range(
                rep["retention_days"], 1, 36500, f"{source}: reports.retention_days"
            ),
            max_per_day=_in_range(rep["max_per_day"], 1, 100, f"{source}: reports.max_per_day"),
            min_length=rep["min_length"],
            max_length=rep["max_length"],
            max_attachments=_in_range(
                rep["max_attachments"], 0, 10, f"{source}: reports.max_attachments"
            ),
            overdue_days=_in_range(rep["overdue_days"], 1, 365, f"{source}: reports.overdue_days"),
            write_every_minutes=rep["write_every_minutes"],
        ),
        "digest": DigestConfig(
            weekday=WEEKDAYS.index(weekday),
            time=_time_of_day(d["time"], f"{source}: digest.time"),
        ),
        "backup": BackupConfig(
            dir=Path(b["dir"]),
            keep=_in_range(b["keep"], 1, 365, f"{source}: backup.keep"),
            time=_time_of_day(b["time"], f"{source}: backup.time"),
        ),
    }


def _type_name(expected: type) -> str:
    return {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a mapping",
    }[expected]


def _check_type(value: Any, expected: type, where: str) -> Any:
    ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not ok:
        raise ConfigError(f"{where}: expected {_type_name(expected)}, got {value!r}")
    return value


def _apply_schema(data: Any, schema: _Schema, where: str, path: str) -> dict[str, Any]:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: {path or 'top level'}: expected a mapping, got {data!r}")
    out: dict[str, Any] = {}
    for key in data:
        if key not in schema:
            known = ", ".join(sorted(schema))
            dotted = f"{path}.{key}" if path else str(key)
            raise ConfigError(f"{where}: {dotted}: unknown key (known here: {known})")
    for key, spec in schema.items():
        dotted = f"{path}.{key}" if path else key
        if isinstance(spec, dict):
            out[key] = _apply_schema(data.get(key), spec, where, dotted)
        else:
            expected, default = spec
            value = data.get(key, default)
            if value is None:
                value = default
            out[key] = _check_type(value, expected, f"{where}: {dotted}")
    return out


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
) -> tuple[PresetInvite, ...]:
    known = {d.id for d in departments}
    result = []
    for i, item in enumerate(raw):
        key = f"{where}: access.invites[{i}]"
        if not isinstance(item, dict) or set(item) != {"code", "department"}:
            raise ConfigError(f"{key}: expected {{code: ..., department: ...}}, got {item!r}")
        code = item["code"]
        if not isinstance(code, str) or not re.fullmatch(r"[A-Za-z0-9_-]{6,64}", code):
            raise ConfigError(f"{key}.code: expected 6–64 characters of A-Z, a-z, 0-9, '-', '_'")
        if item["department"] not in known:
            raise ConfigError(
                f"{key}.department: unknown department {item['department']!r} "
                f"(not in organization.departments)"
            )
        result.append(PresetInvite(code, item["department"]))
    return tuple(result)


def parse_config(data: Any, *, source: str = "<config>", require_token: bool = True) -> Config:
    """Validate raw config data (as loaded from YAML) and build a Config."""
    raw = _apply_schema(data, SCHEMA, source, "")
    tg = raw["telegram"]
    token = os.environ.get("BOT_TOKEN") or tg["token"]
    if require_token and not token:
        raise ConfigError(f"{source}: telegram.token: missing (set it or the BOT_TOKEN variable)")
    if token and not _TOKEN_RE.match(token):
        raise ConfigError(f"{source}: telegram.token: does not look like a bot token (id:secret)")
    for key in ("api_base_url", "file_base_url"):
        if not re.match(r"^https?://", tg[key]):
            raise ConfigError(f"{source}: telegram.{key}: expected an http(s) URL, got {tg[key]!r}")
    if tg["mode"] not in ("polling", "webhook"):
        raise ConfigError(
            f"{source}: telegram.mode: expected polling or webhook, got {tg['mode']!r}"
        )
    if tg["mode"] == "webhook" and not tg["webhook"]["url"]:
        raise ConfigError(f"{source}: telegram.webhook.url: required when telegram.mode is webhook")
    limits = tg["rate_limits"]
    for key, value in limits.items():
        if value <= 0:
            raise ConfigError(f"{source}: telegram.rate_limits.{key}: must be positive")
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
    roles = {
        Role.ADMIN: _parse_user_ids(raw["roles"]["admins"], f"{source}: roles.admins"),
        Role.REVIEWER: _parse_user_ids(raw["roles"]["reviewers"], f"{source}: roles.reviewers"),
        Role.LEADER: _parse_user_ids(raw["roles"]["leaders"], f"{source}: roles.leaders"),
    }
    return Config(
        telegram=TelegramConfig(
            token=token,
            api_base_url=tg["api_base_url"],
            file_base_url=tg["file_base_url"],
            mode=tg["mode"],
            webhook=WebhookConfig(**tg["webhook"]),
            rate_limits=RateLimits(**limits),
        ),
        storage_path=Path(raw["storage"]["path"]),
        timezone=tz,
        language=raw["language"],
        organization_name=raw["organization"]["name"],
        departments=departments,
        roles=roles,
        registration=raw["access"]["registration"],
        preset_invites=_parse_invites(raw["access"]["invites"], departments, source),
        log_level=level,
        source=source,
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
