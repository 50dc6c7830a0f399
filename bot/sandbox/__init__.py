"""A local Telegram Bot API sandbox with a control API; see API.md."""

from bot.sandbox.botapi import ApiError
from bot.sandbox.html_parse import EntityParseError, parse_html, utf16_len
from bot.sandbox.server import Sandbox
from bot.sandbox.state import ControlError

__all__ = ["ApiError", "ControlError", "EntityParseError", "Sandbox", "parse_html", "utf16_len"]
