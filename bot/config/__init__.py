"""Configuration: load YAML, validate against one schema, refuse bad input with one line.

`model` holds the values, `schema` every key with its type and default, `parse` the checks
that build a `Config`; the names below are the ones the rest of the bot imports.
"""

from bot.config.model import (
    DEFAULT_API_BASE_URL,
    DEFAULT_FILE_BASE_URL,
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
from bot.config.parse import load_config, parse_config
from bot.config.schema import RETIRED_KEYS, SCHEMA, SECRET_KEYS, TIME_KEYS, WEEKDAYS, WRITE_TICKS

__all__ = [
    "DEFAULT_API_BASE_URL",
    "DEFAULT_FILE_BASE_URL",
    "LANGUAGES",
    "MIN_INVITE_CODE",
    "RETIRED_KEYS",
    "SCHEMA",
    "SECRET_KEYS",
    "TIME_KEYS",
    "WEEKDAYS",
    "WRITE_TICKS",
    "BackupConfig",
    "Config",
    "ConfigError",
    "Department",
    "DigestConfig",
    "PresetInvite",
    "QuizConfig",
    "RateLimits",
    "RemindersConfig",
    "ReportsConfig",
    "TelegramConfig",
    "WebhookConfig",
    "load_config",
    "parse_config",
]
