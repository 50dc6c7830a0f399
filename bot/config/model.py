"""The validated configuration's values (the dataclasses `parse_config` builds)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.domain.members import Role

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_FILE_BASE_URL = "https://api.telegram.org/file/bot"
LANGUAGES = ("zh", "en")
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
