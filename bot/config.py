"""Configuration: load YAML, validate against one schema, refuse bad input with one line."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
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
