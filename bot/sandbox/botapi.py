"""The Bot API methods the sandbox answers, with rate limits and fault injection."""

from __future__ import annotations

import inspect
import json
import math
import re
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.sandbox.html_parse import EntityParseError, parse_html, strip_text, utf16_len
from bot.sandbox.state import (
    CAPTION_LIMIT,
    TEXT_LIMIT,
    SandboxState,
    StoredFile,
    StoredMessage,
    Webhook,
)

__all__ = ["FAULT_KINDS", "LIMITED_METHODS", "ApiError", "BotApi", "Upload"]

LIMITED_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
    }
)
_BLOCKABLE_METHODS = LIMITED_METHODS | {"sendChatAction"}
FAULT_KINDS = ("429", "500", "502", "timeout", "403")
_POLL_CAP_SECONDS = 0.5
_BLOCKED = "Forbidden: bot was blocked by the user"
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_WEBHOOK_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_ENTITY_KEYS = ("type", "offset", "length", "url", "user", "language", "custom_emoji_id")
_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")
_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


class ApiError(Exception):
    """A Bot API error answer: HTTP status, description and optional retry_after."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram answers with."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass
class Upload:
    """A file part of a multipart request."""

    file_name: str | None
    content_type: str | None
    data: bytes


@dataclass
class Fault:
    """An injected failure waiting for a matching call."""

    kind: str
    method: str | None
    chat_id: int | None
    retry_after: int
    remaining: int

    def matches(self, method: str, chat_id: int | None) -> bool:
        """Whether this fault applies to a call."""
        if self.method is None:
            if method == "getUpdates":
                return False
        elif self.method.lower() != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id


def _is_true(value: Any) -> bool:
    """A Bot API boolean from a form string or JSON value."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return bool(value)


def _int_param(params: dict[str, Any], name: str, default: int | None = None) -> int:
    """An integer parameter; missing ones take the default or fail like Telegram."""
    value = params.get(name)
    if value is None or value == "":
        if default is None:
            raise ApiError(400, f"Bad Request: {name} is empty")
        return default
    if isinstance(value, bool):
        raise ApiError(400, f"Bad Request: invalid {name} specified")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: invalid {name} specified") from None


def _json_param(params: dict[str, Any], name: str) -> Any:
    """A structured parameter: JSON text in forms, a value in JSON bodies."""
    value = params.get(name)
    if isinstance(value, str):
        if not value:
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from None
    if isinstance(value, Upload):
        raise ApiError(400, f"Bad Request: can't parse {name} JSON object")
    return value


def _text_param(params: dict[str, Any], name: str) -> str | None:
    """A string parameter, numbers from JSON bodies turned into text."""
    value = params.get(name)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Upload):
        raise ApiError(400, f"Bad Request: invalid {name} specified")
    return str(value)


def _clean_entities(raw: Any, name: str) -> list[dict[str, Any]]:
    """Validate explicitly passed entities and keep only the fields Telegram returns."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ApiError(400, f"Bad Request: can't parse {name} JSON object")
    result = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise ApiError(400, f"Bad Request: can't parse {name} JSON object")
        offset, length = item.get("offset"), item.get("length")
        if not isinstance(offset, int) or not isinstance(length, int):
            raise ApiError(400, f"Bad Request: can't parse {name} JSON object")
        if offset < 0 or length <= 0:
            continue
        result.append({key: item[key] for key in _ENTITY_KEYS if item.get(key) is not None})
    return sorted(result, key=lambda e: (e["offset"], -e["length"]))


def _formatted(
    params: dict[str, Any], text_name: str, entities_name: str
) -> tuple[str | None, list[dict[str, Any]]]:
    """Plain text and entities from a text field, its parse_mode and explicit entities."""
    text = _text_param(params, text_name)
    if text is None:
        return None, []
    raw_entities = _json_param(params, entities_name)
    parse_mode = (_text_param(params, "parse_mode") or "").strip()
    if raw_entities is not None:
        entities = _clean_entities(raw_entities, entities_name)
        limit = utf16_len(text)
        entities = [e for e in entities if e["offset"] + e["length"] <= limit]
    elif parse_mode.lower() == "html":
        try:
            text, entities = parse_html(text)
        except EntityParseError as error:
            raise ApiError(400, f"Bad Request: can't parse entities: {error}") from None
    elif parse_mode.lower() in ("markdown", "markdownv2"):
        raise ApiError(400, f"Bad Request: the sandbox does not support parse_mode {parse_mode}")
    elif parse_mode:
        raise ApiError(400, "Bad Request: unsupported parse_mode")
    else:
        entities = []
    return strip_text(text, entities)


def _inline_markup(params: dict[str, Any]) -> dict[str, Any] | None:
    """The validated inline keyboard of a request; other keyboards are accepted and dropped."""
    raw = _json_param(params, "reply_markup")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in raw:
        return None
    rows = raw["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError(400, "Bad Request: can't parse inline keyboard button: field is invalid")
    cleaned_rows = []
    for row in rows:
        cleaned = []
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise ApiError(
                    400, "Bad Request: can't parse inline keyboard button: Text must be a String"
                )
            actions = [key for key in _BUTTON_ACTIONS if button.get(key) is not None]
            if not actions:
                raise ApiError(
                    400, "Bad Request: text buttons are unallowed in the inline keyboard"
                )
            if "callback_data" in actions:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if "url" in actions:
                url = button["url"]
                if not isinstance(url, str) or not re.match(r"(https?|tg)://\S+$", url):
                    raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
            cleaned.append({key: value for key, value in button.items() if value is not None})
        if cleaned:
            cleaned_rows.append(cleaned)
    return {"inline_keyboard": cleaned_rows} if cleaned_rows else None


def _check_text(text: str | None) -> str:
    """Enforce Telegram's message text limits."""
    if not text:
        raise ApiError(400, "Bad Request: message text is empty")
    if utf16_len(text) > TEXT_LIMIT:
        raise ApiError(400, "Bad Request: message is too long")
    return text


def _check_caption(caption: str | None) -> str | None:
    """Enforce Telegram's caption limit."""
    if caption and utf16_len(caption) > CAPTION_LIMIT:
        raise ApiError(400, "Bad Request: message caption is too long")
    return caption or None


class BotApi:
    """Dispatches Bot API calls against the sandbox state and keeps call statistics."""

    def __init__(self, state: SandboxState, fault_hold_seconds: float) -> None:
        self.state = state
        self.fault_hold_seconds = fault_hold_seconds
        self.faults: list[Fault] = []
        self.enforce_limits = False
        self.global_per_second = 30
        self.per_chat_per_second = 1
        self.calls: list[tuple[float, str, int | None]] = []
        self.allowed_updates: list[str] = []
        self._handlers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "deleteWebhook": self.delete_webhook,
            "setWebhook": self.set_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "close": self.accept,
            "logOut": self.accept,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "sendMessage": self.send_message,
            "editMessageText": self.edit_message_text,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "editMessageCaption": self.edit_message_caption,
            "deleteMessage": self.delete_message,
            "deleteMessages": self.delete_messages,
            "answerCallbackQuery": self.answer_callback_query,
            "sendPhoto": self.send_photo,
            "sendDocument": self.send_document,
            "getFile": self.get_file,
            "sendChatAction": self.send_chat_action,
        }
        self._canonical = {name.lower(): name for name in self._handlers}
        self.reset_stats()

    # -- statistics and limits -----------------------------------------------------------

    def reset_stats(self) -> None:
        """Forget counted calls, rates and rejections."""
        self.calls = []
        self.call_counts: Counter[str] = Counter()
        self.rejected_429 = 0
        self.faults_injected = 0
        self.max_global_rate = 0
        self.max_chat_rate = 0
        self._global_window: deque[float] = deque()
        self._chat_windows: dict[int, deque[float]] = {}

    def stats(self) -> dict[str, Any]:
        """The numbers the control API reports."""
        return {
            "calls": dict(self.call_counts),
            "rejected_429": self.rejected_429,
            "faults_injected": self.faults_injected,
            "max_global_rate": self.max_global_rate,
            "max_chat_rate": self.max_chat_rate,
        }

    def set_limits(self, enforce: bool, global_per_second: int, per_chat_per_second: int) -> None:
        """Switch Telegram-like flood limits on or off."""
        if global_per_second < 1 or per_chat_per_second < 1:
            raise ValueError("limits must be at least 1 per second")
        self.enforce_limits = enforce
        self.global_per_second = global_per_second
        self.per_chat_per_second = per_chat_per_second

    def inject_fault(
        self,
        kind: str,
        count: int = 1,
        method: str | None = None,
        retry_after: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Queue count failures of a kind for matching calls."""
        kind = str(kind)
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {FAULT_KINDS}, not {kind!r}")
        if count < 1:
            raise ValueError("count must be at least 1")
        if retry_after < 1:
            raise ValueError("retry_after must be at least 1")
        if method is not None and method.lower() not in self._canonical:
            raise ValueError(f"the sandbox has no Bot API method {method!r}")
        canonical = self._canonical[method.lower()] if method else None
        self.faults.append(Fault(kind, canonical, chat_id, retry_after, count))

    @staticmethod
    def _prune(window: deque[float], now: float) -> None:
        """Drop timestamps older than one second."""
        while window and window[0] <= now - 1.0:
            window.popleft()

    def _check_rate(self, chat_id: int | None, now: float) -> None:
        """Answer 429 when a send would exceed the global or the per-chat rate."""
        self._prune(self._global_window, now)
        windows = [(self._global_window, self.global_per_second)]
        if chat_id is not None:
            chat_window = self._chat_windows.setdefault(chat_id, deque())
            self._prune(chat_window, now)
            windows.append((chat_window, self.per_chat_per_second))
        for window, allowed in windows:
            if len(window) >= allowed:
                retry_after = max(1, math.ceil(window[0] + 1.0 - now))
                self.rejected_429 += 1
                raise ApiError(
                    429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
                )

    def _record_rate(self, chat_id: int | None, now: float) -> None:
        """Count an accepted send in the sliding windows and the observed maxima."""
        self._prune(self._global_window, now)
        self._global_window.append(now)
        self.max_global_rate = max(self.max_global_rate, len(self._global_window))
        if chat_id is not None:
            chat_window = self._chat_windows.setdefault(chat_id, deque())
            self._prune(chat_window, now)
            chat_window.append(now)
            self.max_chat_rate = max(self.max_chat_rate, len(chat_window))

    # -- dispatch ------------------------------------------------------------------------

    def _chat_of(self, method: str, params: dict[str, Any]) -> int | None:
        """The chat a call concerns, for statistics, faults and limits."""
        if method == "answerCallbackQuery":
            record = self.state.callbacks.get(str(params.get("callback_query_id")))
            return record.user_id if record else None
        value = params.get("chat_id")
        if value is None or isinstance(value, Upload | bool):
            return None
        if isinstance(value, str) and value.startswith("@"):
            user = self.state.user_by_username(value)
            return user.id if user else None
        try:
            return int(value)
        except (TypeError, ValueError):
            return None

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        """Run one Bot API call; raise ApiError for every error answer."""
        name = self._canonical.get(method.lower())
        if name is None:
            raise ApiError(404, "Not Found: method not found")
        chat_id = self._chat_of(name, params)
        self.calls.append((time.monotonic(), name, chat_id))
        self.call_counts[name] += 1
        self.state.changed()
        try:
            fault = next((f for f in self.faults if f.matches(name, chat_id)), None)
            if fault is not None:
                await self._apply_fault(fault)
            user = self.state.users.get(chat_id) if chat_id is not None else None
            if name in _BLOCKABLE_METHODS and user is not None and user.blocked:
                raise ApiError(403, _BLOCKED)
            if self.enforce_limits and name in LIMITED_METHODS:
                self._check_rate(chat_id, time.monotonic())
            result = self._handlers[name](params)
            if inspect.isawaitable(result):
                result = await result
            if name in LIMITED_METHODS:
                self._record_rate(chat_id, time.monotonic())
            return result
        finally:
            self.state.changed()

    async def _apply_fault(self, fault: Fault) -> None:
        """Consume one unit of a fault and fail the call accordingly."""
        fault.remaining -= 1
        if fault.remaining <= 0:
            self.faults.remove(fault)
        self.faults_injected += 1
        if fault.kind == "429":
            raise ApiError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                retry_after=fault.retry_after,
            )
        if fault.kind == "500":
            raise ApiError(500, "Internal Server Error")
        if fault.kind == "502":
            raise ApiError(502, "Bad Gateway")
        if fault.kind == "403":
            raise ApiError(403, _BLOCKED)
        await self.state.sleep_unless_closing(self.fault_hold_seconds)
        raise ApiError(504, "Gateway Timeout")

    # -- helpers -------------------------------------------------------------------------

    def _chat(self, params: dict[str, Any]) -> int:
        """The private chat a call targets, or 400 chat not found."""
        value = params.get("chat_id")
        if value is None or value == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        if isinstance(value, str) and value.startswith("@"):
            user = self.state.user_by_username(value)
            if user is None:
                raise ApiError(400, "Bad Request: chat not found")
            return user.id
        chat_id = _int_param(params, "chat_id")
        if chat_id not in self.state.users:
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _bot_message(self, params: dict[str, Any], action: str) -> StoredMessage:
        """The bot message an edit or delete targets."""
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: the sandbox does not support inline messages")
        chat_id = self._chat(params)
        message = self.state.find_message(chat_id, _int_param(params, "message_id"))
        if message is None or message.deleted:
            raise ApiError(400, f"Bad Request: message to {action} not found")
        if action == "edit" and not message.from_bot:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    def _input_file(self, params: dict[str, Any], field: str, kind: str) -> StoredFile:
        """The file of a send: a fresh upload, an attach:// part or an existing file_id."""
        value = params.get(field)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
        if isinstance(value, Upload):
            if not value.data:
                raise ApiError(400, "Bad Request: file must be non-empty")
            return self.state.store_file(value.data, kind, value.file_name, value.content_type)
        if isinstance(value, str) and value:
            if value.startswith(("http://", "https://")):
                raise ApiError(400, "Bad Request: failed to get HTTP URL content")
            stored = self.state.files.get(value)
            if stored is None:
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            return stored
        raise ApiError(400, f"Bad Request: there is no {field} in the request")

    # -- methods -------------------------------------------------------------------------

    def accept(self, params: dict[str, Any]) -> bool:
        """Methods that succeed without effect (close, logOut)."""
        return True

    def set_webhook(self, params: dict[str, Any]) -> bool:
        """setWebhook: updates go to url by POST from now on (an empty url removes it)."""
        url = _text_param(params, "url") or ""
        if not url:
            return self.delete_webhook(params)
        if not re.match(r"^https?://[^/]", url):
            raise ApiError(400, "Bad Request: bad webhook: invalid webhook URL specified")
        secret = _text_param(params, "secret_token")
        if secret is not None and not _WEBHOOK_SECRET_RE.fullmatch(secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        allowed = _json_param(params, "allowed_updates")
        if _is_true(params.get("drop_pending_updates")):
            self.state.updates.clear()
        self.state.set_webhook(
            Webhook(
                url=url,
                secret_token=secret,
                allowed_updates=[str(k) for k in allowed] if isinstance(allowed, list) else [],
            )
        )
        return True

    def delete_webhook(self, params: dict[str, Any]) -> bool:
        """deleteWebhook: back to getUpdates."""
        if _is_true(params.get("drop_pending_updates")):
            self.state.updates.clear()
        self.state.set_webhook(None)
        return True

    def get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        """getMe."""
        return {
            **self.state.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        """getWebhookInfo: the registered webhook, if any, and the updates waiting for it."""
        hook = self.state.webhook
        if hook is None:
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        info: dict[str, Any] = {
            "url": hook.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.state.updates),
            "max_connections": 40,
        }
        if hook.allowed_updates:
            info["allowed_updates"] = hook.allowed_updates
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
        return info

    async def get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """getUpdates: a view of the update list from offset, long-polling at most 0.5 s."""
        if self.state.webhook is not None:
            raise ApiError(409, _WEBHOOK_ACTIVE)
        offset = _int_param(params, "offset", 0)
        limit = min(max(_int_param(params, "limit", 100), 1), 100)
        timeout = params.get("timeout")
        try:
            wait = min(max(float(timeout or 0), 0.0), _POLL_CAP_SECONDS)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: invalid timeout specified") from None
        allowed = _json_param(params, "allowed_updates")
        if isinstance(allowed, list):
            self.allowed_updates = [str(kind) for kind in allowed]
        updates = self.state.updates
        if offset > 0:
            updates[:] = [u for u in updates if u["update_id"] >= offset]
        elif offset < 0:
            del updates[: max(len(updates) + offset, 0)]
        deadline = time.monotonic() + wait
        while True:
            wanted = set(self.allowed_updates)
            found = [u for u in updates if not wanted or wanted & u.keys()][:limit]
            remaining = deadline - time.monotonic()
            if found or remaining <= 0 or self.state.closing:
                copied: list[dict[str, Any]] = json.loads(json.dumps(found))
                return copied
            await self.state.wait_changed(remaining)

    def set_my_commands(self, params: dict[str, Any]) -> bool:
        """setMyCommands for a scope and language."""
        commands = _json_param(params, "commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands")
        cleaned = []
        for item in commands:
            if not isinstance(item, dict):
                raise ApiError(400, "Bad Request: can't parse commands JSON object")
            command = str(item.get("command", "")).removeprefix("/")
            description = str(item.get("description", ""))
            if not _COMMAND_NAME_RE.fullmatch(command):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise ApiError(400, "Bad Request: command description must be 1-256 characters")
            cleaned.append({"command": command, "description": description})
        self.state.commands[self._commands_key(params)] = cleaned
        return True

    def get_my_commands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        """getMyCommands for a scope and language."""
        return list(self.state.commands.get(self._commands_key(params), []))

    def delete_my_commands(self, params: dict[str, Any]) -> bool:
        """deleteMyCommands for a scope and language."""
        self.state.commands.pop(self._commands_key(params), None)
        return True

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
        """The storage key of a command list: canonical scope JSON and language code."""
        scope = _json_param(params, "scope") or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise ApiError(400, "Bad Request: can't parse BotCommandScope JSON object")
        return json.dumps(scope, sort_keys=True), _text_param(params, "language_code") or ""

    def send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        """sendMessage."""
        chat_id = self._chat(params)
        text, entities = _formatted(params, "text", "entities")
        text = _check_text(text)
        markup = _inline_markup(params)
        message = self.state.add_message(
            chat_id,
            True,
            text=text,
            entities=entities,
            reply_markup=markup,
            protected=_is_true(params.get("protect_content")),
        )
        return self.state.api_message(message)

    def _send_media(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        """sendPhoto and sendDocument."""
        chat_id = self._chat(params)
        caption, caption_entities = _formatted(params, "caption", "caption_entities")
        caption = _check_caption(caption)
        markup = _inline_markup(params)
        stored = self._input_file(params, kind, kind)
        content: dict[str, Any] = {
            kind: stored,
            "caption": caption,
            "caption_entities": caption_entities if caption else [],
            "reply_markup": markup,
            "protected": _is_true(params.get("protect_content")),
        }
        message = self.state.add_message(chat_id, True, **content)
        return self.state.api_message(message)

    def send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        """sendPhoto."""
        return self._send_media(params, "photo")

    def send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        """sendDocument."""
        return self._send_media(params, "document")

    def edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        """editMessageText; like Telegram, omitting reply_markup removes the keyboard."""
        message = self._bot_message(params, "edit")
        if message.text is None:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text, entities = _formatted(params, "text", "entities")
        text = _check_text(text)
        markup = _inline_markup(params)
        if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
            raise ApiError(400, _NOT_MODIFIED)
        self.state.update_message(
            message, text=text, entities=entities, reply_markup=markup, edit_date=int(time.time())
        )
        return self.state.api_message(message)

    def edit_message_caption(self, params: dict[str, Any]) -> dict[str, Any]:
        """editMessageCaption; omitting reply_markup removes the keyboard."""
        message = self._bot_message(params, "edit")
        if message.photo is None and message.document is None:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption, entities = _formatted(params, "caption", "caption_entities")
        caption = _check_caption(caption)
        entities = entities if caption else []
        markup = _inline_markup(params)
        current = (message.caption, message.caption_entities, message.reply_markup)
        if (caption, entities, markup) == current:
            raise ApiError(400, _NOT_MODIFIED)
        self.state.update_message(
            message,
            caption=caption,
            caption_entities=entities,
            reply_markup=markup,
            edit_date=int(time.time()),
        )
        return self.state.api_message(message)

    def edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        """editMessageReplyMarkup; no reply_markup removes the keyboard."""
        message = self._bot_message(params, "edit")
        markup = _inline_markup(params)
        if markup == message.reply_markup:
            raise ApiError(400, _NOT_MODIFIED)
        self.state.update_message(message, reply_markup=markup, edit_date=int(time.time()))
        return self.state.api_message(message)

    def delete_message(self, params: dict[str, Any]) -> bool:
        """deleteMessage; the entry stays in the timeline marked deleted."""
        message = self._bot_message(params, "delete")
        self.state.update_message(message, deleted=True)
        return True

    def delete_messages(self, params: dict[str, Any]) -> bool:
        """deleteMessages: 1–100 ids; like Telegram, ids that cannot be deleted are skipped."""
        chat_id = self._chat(params)
        ids = _json_param(params, "message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise ApiError(400, "Bad Request: message_ids must be a list of 1-100 ids")
        for raw in ids:
            message = self.state.find_message(chat_id, int(raw))
            if message is not None and not message.deleted:
                self.state.update_message(message, deleted=True)
        return True

    def answer_callback_query(self, params: dict[str, Any]) -> bool:
        """answerCallbackQuery; a text becomes a toast in the member's chat."""
        query_id = _text_param(params, "callback_query_id")
        record = self.state.callbacks.get(query_id or "")
        if record is None or record.answered:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        text = _text_param(params, "text") or ""
        if len(text) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        record.answered = True
        if text:
            self.state.add_toast(record, text, _is_true(params.get("show_alert")))
        return True

    def get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        """getFile."""
        stored = self.state.files.get(_text_param(params, "file_id") or "")
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    def send_chat_action(self, params: dict[str, Any]) -> bool:
        """sendChatAction: checked and ignored."""
        self._chat(params)
        if not _text_param(params, "action"):
            raise ApiError(400, "Bad Request: action is empty")
        return True

    def handler_names(self) -> list[str]:
        """The Bot API methods the sandbox answers."""
        return sorted(self._handlers)
