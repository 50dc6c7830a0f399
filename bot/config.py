"""Configuration: load YAML, validate against one schema, refuse bad input with one line."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.domain.members import Role, guessable_code, new_invite_code

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_FILE_BASE_URL = "https://api.telegram.org/file/bot"
LANGUAGES = ("zh", "en")
_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
_DEPT_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
# Telegram accepts 1–256 of these characters as a webhook secret; we ask for at least 16.
_WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{16,256}$")
_PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
# Values that may be secrets (a proxy URL can carry a password): errors name their type only.
SECRET_KEYS = frozenset(
    {"telegram.token", "telegram.proxy", "telegram.webhook.secret_token", "reports.receipt_secret"}
)
# Times of day: YAML 1.1 reads an unquoted 8:30 as the number 510 (base 60).
TIME_KEYS = frozenset({"quiz.daily_time", "reminders.send_time", "digest.time", "backup.time"})
MIN_INVITE_CODE = 12


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

    listen: str = "127.0.0.1"
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
    proxy: str = ""  # empty: HTTPS_PROXY / ALL_PROXY from the environment, as httpx reads them


@dataclass(frozen=True)
class QuizConfig:
    """Quiz sessions, the daily question and the mistake book."""

    content_dir: Path = Path("content/quizzes")
    questions_per_session: int = 10
    daily_time: time = time(8, 30)


@dataclass(frozen=True)
class RemindersConfig:
    """Holiday integrity reminders."""

    content_dir: Path = Path("content/reminders")
    holidays_file: Path = Path("content/holidays.yaml")
    lead_days: tuple[int, ...] = (3, 1)
    send_time: time = time(9, 0)
    # (month, day) from which admins are warned while next year's schedule is missing.
    warn_missing_schedule_from: tuple[int, int] = (11, 1)


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
    overdue_days: int = 7  # accepted for old config files; the targets below replaced it
    write_every_minutes: int = 10
    review_within_workdays: int = 5  # first review, in working days after receipt
    close_within_months: int = 3  # closure, in calendar months after receipt
    remind_before_workdays: int = 1  # reviewers' reminder this many working days before
    clock_check_time: time = time(9, 0)  # the daily job that sends those reminders


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
    # The content folder (banks, reminder texts, holidays.yaml); the paths above derive from it.
    content_dir: Path = Path("content")
    source: str = "<defaults>"
    # Problems that do not stop start-up (e.g. a guessable invite code), one line each.
    warnings: tuple[str, ...] = ()

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
        "proxy": (str, ""),
        "webhook": {
            "listen": (str, "127.0.0.1"),
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
    # content.dir holds quizzes/, reminders/ and holidays.yaml; the per-kind paths below are
    # overrides (empty: inside content.dir).
    "content": {"dir": (str, "content")},
    "quiz": {
        "content_dir": (str, ""),
        "questions_per_session": (int, 10),
        "daily_time": (str, "08:30"),
    },
    "reminders": {
        "content_dir": (str, ""),
        "holidays_file": (str, ""),
        "lead_days": (list, [3, 1]),
        "send_time": (str, "09:00"),
        "warn_missing_schedule_from": (str, "11-01"),
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
        "review_within_workdays": (int, 5),
        "close_within_months": (int, 3),
        "remind_before_workdays": (int, 1),
        "clock_check_time": (str, "09:00"),
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

# Keys earlier releases documented, with what to do now: refused with that advice rather than
# as an unknown key, so a config copied from an old example says why it stopped start-up.
RETIRED_KEYS = {
    "quiz.review_intervals": "no longer used: the mistake book schedules reviews with FSRS; "
    "remove this key",
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


def _day_of_year(value: str, where: str) -> tuple[int, int]:
    """MM-DD as (month, day); 02-29 is refused, as it is missing from most years."""
    match = re.fullmatch(r"(\d{2})-(\d{2})", value.strip())
    try:
        if match is None:
            raise ValueError
        month, day = int(match.group(1)), int(match.group(2))
        date(2001, month, day)
    except ValueError:
        raise ConfigError(
            f"{where}: expected a day of the year as MM-DD (e.g. 11-01), got {value!r}"
        ) from None
    return month, day


def _content_path(override: str, content_dir: Path, default: str) -> Path:
    """An explicitly configured path, else `default` inside the content folder."""
    return Path(override) if override.strip() else content_dir / default


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
            content_dir=_content_path(q["content_dir"], content_dir, "quizzes"),
            questions_per_session=_in_range(
                q["questions_per_session"], 1, 50, f"{source}: quiz.questions_per_session"
            ),
            daily_time=_time_of_day(q["daily_time"], f"{source}: quiz.daily_time"),
        ),
        "reminders": RemindersConfig(
            content_dir=_content_path(r["content_dir"], content_dir, "reminders"),
            holidays_file=_content_path(r["holidays_file"], content_dir, "holidays.yaml"),
            lead_days=_positive_ints(r["lead_days"], f"{source}: reminders.lead_days"),
            send_time=_time_of_day(r["send_time"], f"{source}: reminders.send_time"),
            warn_missing_schedule_from=_day_of_year(
                r["warn_missing_schedule_from"], f"{source}: reminders.warn_missing_schedule_from"
            ),
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
            review_within_workdays=_in_range(
                rep["review_within_workdays"], 1, 250, f"{source}: reports.review_within_workdays"
            ),
            close_within_months=_in_range(
                rep["close_within_months"], 1, 60, f"{source}: reports.close_within_months"
            ),
            remind_before_workdays=_in_range(
                rep["remind_before_workdays"], 0, 60, f"{source}: reports.remind_before_workdays"
            ),
            clock_check_time=_time_of_day(
                rep["clock_check_time"], f"{source}: reports.clock_check_time"
            ),
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
        "content_dir": content_dir,
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


def _value_type(value: Any) -> str:
    """What a YAML value is, in words (for values that must not be echoed)."""
    for kind in (bool, int, float, str, list, dict):
        if isinstance(value, kind):
            return _type_name(kind)
    return type(value).__name__


def _check_type(value: Any, expected: type, where: str, dotted: str) -> Any:
    ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if ok:
        return value
    if dotted in TIME_KEYS and isinstance(value, int) and not isinstance(value, bool):
        hours, minutes = divmod(value, 60)
        example = f"{hours:02d}:{minutes:02d}" if 0 <= value < 24 * 60 else "08:30"
        raise ConfigError(
            f'{where}: write the time in quotes, e.g. "{example}" '
            f"(YAML reads an unquoted {hours}:{minutes:02d} as the number {value})"
        )
    got = _value_type(value) if dotted in SECRET_KEYS else repr(value)
    raise ConfigError(f"{where}: expected {_type_name(expected)}, got {got}")


def _apply_schema(data: Any, schema: _Schema, where: str, path: str) -> dict[str, Any]:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        # A section may hold secrets (telegram.token): name the type, never the value.
        raise ConfigError(
            f"{where}: {path or 'top level'}: expected a mapping, got {_value_type(data)}"
        )
    out: dict[str, Any] = {}
    for key in data:
        if key not in schema:
            known = ", ".join(sorted(schema))
            dotted = f"{path}.{key}" if path else str(key)
            if dotted in RETIRED_KEYS:
                raise ConfigError(f"{where}: {dotted}: {RETIRED_KEYS[dotted]}")
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
            out[key] = _check_type(value, expected, f"{where}: {dotted}", dotted)
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
    _in_range(hook["port"], 1, 65535, f"{source}: telegram.webhook.port")
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
    raw = _apply_schema(data, SCHEMA, source, "")
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
