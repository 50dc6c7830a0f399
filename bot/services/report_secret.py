"""The receipt secret of anonymous reports: from config or the environment, else a file."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from bot.config import Config, ConfigError

# The name the report service has always logged under (operators may filter on it).
log = logging.getLogger("bot.services.reports")

SECRET_FILE = "report_secret"


class SecretError(ConfigError):
    """The receipt secret cannot be read or created; one line naming the file."""


def resolve_receipt_secret(config: Config) -> bytes:
    """The HMAC secret: config or REPORT_SECRET, else a file beside the database (made once)."""
    if config.reports.receipt_secret:
        if len(config.reports.receipt_secret) < 32:
            log.warning("the receipt secret is short; use at least 32 random characters")
        return config.reports.receipt_secret.encode()
    if str(config.storage_path) == ":memory:":
        # A throw-away database needs no lasting secret.
        return secrets.token_bytes(32)
    path = Path(config.storage_path).parent / SECRET_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: two processes starting at once cannot both write a different secret.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            value = path.read_text(encoding="ascii").strip()
            if not value:
                raise SecretError(f"{path}: empty receipt secret file") from None
            if path.stat().st_mode & 0o077:
                log.warning("%s is readable by other users; restrict it with chmod 600", path)
            return value.encode()
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        log.info("generated a new receipt secret in %s (keep it with your backups)", path)
        return path.read_text(encoding="ascii").strip().encode()
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretError(f"{path}: cannot read or create the receipt secret: {exc}") from None
