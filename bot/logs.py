"""Logging set-up: quiet HTTP libraries, and a filter that scrubs secrets from every record."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

_TOKEN_RE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")


class RedactSecrets(logging.Filter):
    """Replace known secrets (and anything shaped like a bot token) in log records."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def _scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return _TOKEN_RE.sub("[redacted-token]", text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message once, with its arguments applied."""
        message = record.getMessage()
        scrubbed = self._scrub(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._scrub(record.exc_text)
        if scrubbed != message or record.args:
            record.msg, record.args = scrubbed, None
        return True


def setup_logging(level: str, secrets: Iterable[str] = ()) -> None:
    """Configure the root logger for the bot process."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet_libraries()


def quiet_libraries() -> None:
    """Library loggers that would write the token, a request or a reporter's moment."""
    # httpx logs every request URL at INFO, and the URL contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # PTB logs request parameters (message text) at DEBUG.
    telegram_logger = logging.getLogger("telegram")
    telegram_logger.setLevel(max(logging.INFO, telegram_logger.getEffectiveLevel()))
    # Loggers that write while a member's update is handled, at that second: a reporter's
    # conversation must leave no line. AIORateLimiter logs every 429 it retries (INFO) and the
    # last one with a traceback (ERROR) before it raises it: the exception still reaches our
    # error handler, which counts report-flow errors without a time. ConversationHandler logs
    # only failures of non-blocking steps and of timeout jobs (ours block and have a JobQueue).
    # What stays: telegram.ext.Application logs only an error our error handler itself raises;
    # httpx/httpcore, aiosqlite and apscheduler write nothing per update at WARNING.
    for name in ("telegram.ext.AIORateLimiter", "telegram.ext.ConversationHandler"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    # Pillow logs each PNG chunk it reads at DEBUG: a reporter's attachment is cleaned in
    # their conversation (bot/tg/report_copies.py).
    logging.getLogger("PIL").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # aiosqlite logs every statement with its parameters at DEBUG: report text next to the
    # member lookups of the same moment would tie a report to its sender.
    logging.getLogger("aiosqlite").setLevel(logging.WARNING)
