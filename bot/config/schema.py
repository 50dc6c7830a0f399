"""The config schema: every key with its type and default, and the checks of single values."""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path
from typing import Any

from bot.config.model import DEFAULT_API_BASE_URL, DEFAULT_FILE_BASE_URL, ConfigError

# Values that may be secrets (a proxy URL can carry a password): errors name their type only.
SECRET_KEYS = frozenset(
    {"telegram.token", "telegram.proxy", "telegram.webhook.secret_token", "reports.receipt_secret"}
)
# Times of day: YAML 1.1 reads an unquoted 8:30 as the number 510 (base 60).
TIME_KEYS = frozenset({"quiz.daily_time", "reminders.send_time", "digest.time", "backup.time"})

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


def time_of_day(value: str, where: str) -> time:
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value.strip())
    if not match:
        raise ConfigError(f"{where}: expected a time of day as HH:MM, got {value!r}")
    return time(int(match.group(1)), int(match.group(2)))


def day_of_year(value: str, where: str) -> tuple[int, int]:
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


def content_path(override: str, content_dir: Path, default: str) -> Path:
    """An explicitly configured path, else `default` inside the content folder."""
    return Path(override) if override.strip() else content_dir / default


def positive_ints(raw: list[Any], where: str, *, allow_zero: bool = False) -> tuple[int, ...]:
    low = 0 if allow_zero else 1
    if not raw:
        raise ConfigError(f"{where}: expected a non-empty list of whole numbers")
    for i, item in enumerate(raw):
        if not isinstance(item, int) or isinstance(item, bool) or item < low:
            raise ConfigError(f"{where}[{i}]: expected a whole number ≥ {low}, got {item!r}")
    return tuple(raw)


def in_range(value: int, low: int, high: int, where: str) -> int:
    if not low <= value <= high:
        raise ConfigError(f"{where}: expected {low}–{high}, got {value}")
    return value


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


def apply_schema(data: Any, schema: _Schema, where: str, path: str) -> dict[str, Any]:
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
            out[key] = apply_schema(data.get(key), spec, where, dotted)
        else:
            expected, default = spec
            value = data.get(key, default)
            if value is None:
                value = default
            out[key] = _check_type(value, expected, f"{where}: {dotted}", dotted)
    return out
