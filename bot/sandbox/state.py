"""The sandbox's world: users, chat timelines, files, updates, and change notification."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import mimetypes
import re
import secrets
import struct
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.html_parse import utf16_len

__all__ = [
    "ControlError",
    "SandboxState",
    "StoredFile",
    "StoredMessage",
    "image_size",
    "upload_file_name",
]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")
_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


# Receipt-code shapes (bot/domain/reports.py): four groups of four, or 16 letters and digits.
_CODE_SHAPES = re.compile(
    r"(?<![0-9A-Za-z])(?:[0-9A-Za-z]{4}(?:[\s\-_‐‑‒–—―−.·]{1,3}[0-9A-Za-z]{4}){3}"
    r"|[0-9A-Za-z]{16})(?![0-9A-Za-z])"
)


def mask_codes(text: str) -> str:
    """The text with every receipt-code-shaped string replaced by [code]."""
    return _CODE_SHAPES.sub("[code]", text)


class ControlError(ValueError):
    """A misuse of the control side (unknown user, bad input); status is the HTTP answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class StoredFile:
    """A file uploaded by the bot or a user, served by getFile and the download route."""

    file_id: str
    file_unique_id: str
    data: bytes
    kind: str
    file_name: str | None
    mime_type: str
    file_path: str
    width: int = 0
    height: int = 0


@dataclass
class StoredMessage:
    """One timeline entry of a private chat."""

    message_id: int
    chat_id: int
    from_bot: bool
    date: int
    rev: int
    text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    photo: StoredFile | None = None
    document: StoredFile | None = None
    edit_date: int | None = None
    deleted: bool = False
    protected: bool = False  # sent with protect_content: no forwarding, no saving


@dataclass
class UserRecord:
    """A member acting through the control API; their private chat has the same id."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    label: str | None = None
    blocked: bool = False


@dataclass
class CallbackRecord:
    """A button press waiting for answerCallbackQuery."""

    query_id: str
    user_id: int
    message_id: int
    data: str
    answered: bool = False


@dataclass
class Toast:
    """The text of an answered callback query, shown by the client."""

    chat_id: int
    text: str
    show_alert: bool
    rev: int
    callback_query_id: str


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, GIF or JPEG image, (0, 0) when unknown."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return width, height
    if data.startswith(b"\xff\xd8"):
        index = 2
        while index + 9 < len(data) and data[index] == 0xFF:
            marker = data[index + 1]
            if marker == 0xFF:
                index += 1
                continue
            if 0xD0 <= marker <= 0xD9 or marker == 0x01:
                index += 2
                continue
            if marker in _JPEG_SOF:
                height, width = struct.unpack(">HH", data[index + 5 : index + 9])
                return width, height
            index += 2 + int.from_bytes(data[index + 2 : index + 4], "big")
    return 0, 0


def upload_file_name(raw: str | None) -> str | None:
    """A multipart file name; aiohttp clients percent-encode non-ASCII names, browsers do not."""
    if raw and "%" in raw:
        return urllib.parse.unquote(raw, errors="strict") if _is_quoted(raw) else raw
    return raw


def _is_quoted(raw: str) -> bool:
    """Whether a name percent-decodes to valid UTF-8."""
    try:
        urllib.parse.unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return False
    return True


def command_entities(text: str) -> list[dict[str, Any]]:
    """The bot_command entities a Telegram client attaches to typed text."""
    entities = []
    for match in _COMMAND_RE.finditer(text):
        entities.append(
            {
                "type": "bot_command",
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group(0)),
            }
        )
    return entities


@dataclass
class Webhook:
    """A webhook the bot registered with setWebhook: updates go there by POST."""

    url: str
    secret_token: str | None
    allowed_updates: list[str]
    delivered: int = 0
    last_error_date: int | None = None
    last_error_message: str | None = None


class SandboxState:
    """Everything the sandbox knows, plus an event that fires on every change."""

    def __init__(self, token: str, bot_username: str, bot_first_name: str) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.users: dict[int, UserRecord] = {}
        self.timelines: dict[int, list[StoredMessage]] = {}
        self.files: dict[str, StoredFile] = {}
        self.updates: list[dict[str, Any]] = []
        self.callbacks: dict[str, CallbackRecord] = {}
        self.toast_list: list[Toast] = []
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.webhook: Webhook | None = None
        self.rev = 0
        self.closing = False
        self._next_message_id: dict[int, int] = {}
        self._update_ids = itertools.count(1)
        self._file_numbers = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._changed = asyncio.Event()
        self._closed = asyncio.Event()
        self._webhook_set = asyncio.Event()

    def set_webhook(self, hook: Webhook | None) -> None:
        """Register a webhook (None: back to getUpdates) and wake the delivery loop."""
        self.webhook = hook
        if hook is None:
            self._webhook_set.clear()
        else:
            self._webhook_set.set()
        self.changed()

    async def wait_webhook(self) -> None:
        """Return once a webhook is set (at once if one is) or the sandbox is closing."""
        if self.webhook is not None or self.closing:
            return
        waiters = [asyncio.ensure_future(e.wait()) for e in (self._webhook_set, self._closed)]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    def webhook_view(self) -> dict[str, Any] | None:
        """The registered webhook with delivery counts, or None while the bot polls."""
        hook = self.webhook
        if hook is None:
            return None
        return {
            "url": hook.url,
            "secret_token": hook.secret_token,
            "allowed_updates": list(hook.allowed_updates),
            "delivered": hook.delivered,
            "pending": len(self.updates),
            "last_error_message": hook.last_error_message,
        }

    # -- change notification -------------------------------------------------------------

    def changed(self) -> None:
        """Wake everyone waiting for a change."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_changed(self, seconds: float) -> None:
        """Wait until the next change, at most seconds; return at once when closing."""
        if self.closing or seconds <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), seconds)

    async def sleep_unless_closing(self, seconds: float) -> None:
        """Sleep, but wake as soon as the sandbox shuts down."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closed.wait(), seconds)

    def close(self) -> None:
        """Release every waiter so the server can stop promptly."""
        self.closing = True
        self._closed.set()
        self.changed()

    def bump(self) -> int:
        """Next global revision number."""
        self.rev += 1
        return self.rev

    async def wait_for(self, predicate: Callable[[], Any], seconds: float = 5.0) -> Any:
        """Re-check predicate on every change; return its truthy value or raise TimeoutError."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0 or self.closing:
                raise TimeoutError(
                    f"sandbox condition not met within {seconds} s; {self.describe_chats()}"
                )
            await self.wait_changed(remaining)

    def describe_chats(self, per_chat: int = 3) -> str:
        """A short summary of the latest messages of each chat, for failure messages (receipt
        codes and anything shaped like one masked: test output is kept and shared)."""
        if not self.timelines:
            return "no chat has any message"
        lines = ["latest messages:"]
        for chat_id, timeline in self.timelines.items():
            for message in timeline[-per_chat:]:
                who = "bot" if message.from_bot else "user"
                body = message.text or message.caption or ""
                if message.photo:
                    body = f"[photo] {body}"
                if message.document:
                    body = f"[document {message.document.file_name}] {body}"
                if message.reply_markup:
                    buttons = [
                        b.get("text")
                        for row in message.reply_markup["inline_keyboard"]
                        for b in row
                    ]
                    body = f"{body} buttons={buttons}"
                flag = " (deleted)" if message.deleted else ""
                body = mask_codes(body.replace("\n", " ⏎ "))
                if len(body) > 160:
                    body = body[:157] + "..."
                lines.append(f"  chat {chat_id} #{message.message_id} {who}{flag}: {body}")
        return "\n".join(lines)

    # -- users ---------------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        label: str | None = None,
    ) -> UserRecord:
        """Create or update a member; their private chat starts empty."""
        if not isinstance(user_id, int) or isinstance(user_id, bool) or user_id <= 0:
            raise ControlError("user id must be a positive integer")
        if not first_name:
            raise ControlError("first_name is required")
        user = self.users.get(user_id)
        if user is None:
            user = UserRecord(user_id, first_name)
            self.users[user_id] = user
            self.timelines[user_id] = []
            self._next_message_id[user_id] = 1
        user.first_name = first_name
        user.last_name = last_name
        user.username = username
        user.language_code = language_code
        user.label = label
        self.changed()
        return user

    def user(self, user_id: int) -> UserRecord:
        """The member with this id, or ControlError 404."""
        user = self.users.get(user_id)
        if user is None:
            raise ControlError(f"unknown user {user_id}; add it first", status=404)
        return user

    def user_by_username(self, username: str) -> UserRecord | None:
        """The member with this @username, if any."""
        wanted = username.removeprefix("@").lower()
        for user in self.users.values():
            if user.username and user.username.lower() == wanted:
                return user
        return None

    def menu(self, user_id: int) -> dict[str, Any]:
        """The command menu a user sees in their private chat, picked as Telegram picks it.

        The first list set of: the chat's scope with the user's language, the chat's scope,
        all private chats (with language, then without), the default scope (likewise); see
        https://core.telegram.org/bots/api#determining-list-of-commands
        """
        user = self.user(user_id)
        # A client language such as "zh-hans" matches commands set for "zh".
        language = (user.language_code or "").split("-", 1)[0].lower()
        scopes = ({"type": "chat", "chat_id": user_id}, {"type": "all_private_chats"})
        for scope in (*scopes, {"type": "default"}):
            key = json.dumps(scope, sort_keys=True)
            for code in (language, "") if language else ("",):
                if (key, code) in self.commands:
                    return {
                        "commands": [dict(c) for c in self.commands[(key, code)]],
                        "scope": scope,
                        "language_code": code,
                    }
        return {"commands": [], "scope": None, "language_code": ""}

    def set_blocked(self, user_id: int, blocked: bool) -> None:
        """Mark that the member has (un)blocked the bot."""
        self.user(user_id).blocked = blocked
        self.changed()

    # -- messages ------------------------------------------------------------------------

    def add_message(self, chat_id: int, from_bot: bool, **content: Any) -> StoredMessage:
        """Append a message to a chat's timeline."""
        message_id = self._next_message_id[chat_id]
        self._next_message_id[chat_id] = message_id + 1
        message = StoredMessage(
            message_id=message_id,
            chat_id=chat_id,
            from_bot=from_bot,
            date=int(time.time()),
            rev=self.bump(),
            **content,
        )
        self.timelines[chat_id].append(message)
        self.changed()
        return message

    def find_message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        """A message of the chat by id, deleted ones included."""
        for message in reversed(self.timelines.get(chat_id, [])):
            if message.message_id == message_id:
                return message
        return None

    def update_message(self, message: StoredMessage, **changes: Any) -> None:
        """Apply an edit or deletion and give the message a new revision."""
        for name, value in changes.items():
            setattr(message, name, value)
        message.rev = self.bump()
        self.changed()

    def add_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates."""
        update = {"update_id": next(self._update_ids), kind: payload}
        self.updates.append(update)
        self.changed()
        return update

    def send_text(self, user_id: int, text: str) -> StoredMessage:
        """The member types a text message; the bot gets an update."""
        user = self.user(user_id)
        if not isinstance(text, str) or not text.strip():
            raise ControlError("text must be a non-empty string")
        text = text.strip()
        if utf16_len(text) > TEXT_LIMIT:
            raise ControlError(f"text is longer than {TEXT_LIMIT} characters")
        user.blocked = False
        message = self.add_message(user_id, False, text=text, entities=command_entities(text))
        self.add_update("message", self.api_message(message))
        return message

    def edit_text(self, user_id: int, message_id: int, text: str) -> StoredMessage:
        """The member edits one of their text messages; the bot gets an edited_message update."""
        self.user(user_id)
        message = self.find_message(user_id, message_id)
        if message is None or message.deleted or message.from_bot or message.text is None:
            raise ControlError(f"chat {user_id} has no own text message {message_id}", status=404)
        if not isinstance(text, str) or not text.strip():
            raise ControlError("text must be a non-empty string")
        text = text.strip()
        self.update_message(
            message, text=text, entities=command_entities(text), edit_date=int(time.time())
        )
        self.add_update("edited_message", self.api_message(message))
        return message

    def send_file(
        self,
        user_id: int,
        data: bytes,
        filename: str,
        kind: str = "photo",
        caption: str | None = None,
        mime_type: str | None = None,
    ) -> StoredMessage:
        """The member sends a photo or a document; the bot gets an update."""
        user = self.user(user_id)
        if kind not in ("photo", "document"):
            raise ControlError('kind must be "photo" or "document"')
        if not data:
            raise ControlError("the file is empty")
        caption = caption.strip() if caption else None
        if caption and utf16_len(caption) > CAPTION_LIMIT:
            raise ControlError(f"caption is longer than {CAPTION_LIMIT} characters")
        stored = self.store_file(data, kind, filename, mime_type)
        user.blocked = False
        content: dict[str, Any] = {kind: stored, "caption": caption or None}
        message = self.add_message(user_id, False, **content)
        self.add_update("message", self.api_message(message))
        return message

    def press_button(
        self, user_id: int, message_id: int, data: str, require_button: bool = True
    ) -> str:
        """The member presses an inline button; the bot gets a callback_query update."""
        user = self.user(user_id)
        message = self.find_message(user_id, message_id)
        if message is None or message.deleted or not message.from_bot:
            raise ControlError(f"chat {user_id} has no bot message {message_id}", status=404)
        if require_button:
            markup = message.reply_markup or {"inline_keyboard": []}
            present = [b.get("callback_data") for row in markup["inline_keyboard"] for b in row]
            if data not in present:
                raise ControlError(
                    f"message {message_id} has no button with callback_data {data!r}; "
                    f"buttons: {[p for p in present if p is not None]}"
                )
        query_id = f"{user_id}{next(self._callback_ids):08d}"
        self.callbacks[query_id] = CallbackRecord(query_id, user_id, message_id, data)
        payload = {
            "id": query_id,
            "from": self.api_user(user),
            "chat_instance": str(-user_id * 1000 - 7),
            "data": data,
            "message": self.api_message(message),
        }
        self.add_update("callback_query", payload)
        return query_id

    def add_toast(self, record: CallbackRecord, text: str, show_alert: bool) -> None:
        """Record the text shown by answerCallbackQuery."""
        self.toast_list.append(
            Toast(record.user_id, text, show_alert, self.bump(), record.query_id)
        )
        self.changed()

    # -- files ---------------------------------------------------------------------------

    def store_file(
        self, data: bytes, kind: str, file_name: str | None, mime_type: str | None
    ) -> StoredFile:
        """Keep an uploaded file and give it an id and a download path."""
        number = next(self._file_numbers)
        guessed = mimetypes.guess_type(file_name)[0] if file_name else None
        if kind == "photo":
            mime = mime_type if mime_type and mime_type.startswith("image/") else None
            mime = mime or guessed or "image/jpeg"
            path = f"photos/file_{number}.jpg"
            width, height = image_size(data)
        else:
            mime = mime_type or guessed or "application/octet-stream"
            suffix = ""
            if file_name and "." in file_name:
                suffix = "." + file_name.rsplit(".", 1)[1]
            else:
                suffix = mimetypes.guess_extension(mime) or ""
            path = f"documents/file_{number}{suffix}"
            width = height = 0
        prefix = "AgAC" if kind == "photo" else "BQAC"
        stored = StoredFile(
            file_id=f"{prefix}{number}_{secrets.token_hex(8)}",
            file_unique_id=f"AQAD{number}",
            data=data,
            kind=kind,
            file_name=file_name,
            mime_type=mime,
            file_path=path,
            width=width,
            height=height,
        )
        self.files[stored.file_id] = stored
        return stored

    def file_by_path(self, file_path: str) -> StoredFile | None:
        """The file served at a getFile path."""
        for stored in self.files.values():
            if stored.file_path == file_path:
                return stored
        return None

    # -- rendering -----------------------------------------------------------------------

    def bot_user(self) -> dict[str, Any]:
        """The bot as a Bot API User."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    @staticmethod
    def api_user(user: UserRecord) -> dict[str, Any]:
        """A member as a Bot API User."""
        result: dict[str, Any] = {"id": user.id, "is_bot": False, "first_name": user.first_name}
        for name in ("last_name", "username", "language_code"):
            value = getattr(user, name)
            if value:
                result[name] = value
        return result

    def api_chat(self, chat_id: int) -> dict[str, Any]:
        """A private chat as a Bot API Chat."""
        user = self.users[chat_id]
        result: dict[str, Any] = {"id": chat_id, "type": "private", "first_name": user.first_name}
        if user.last_name:
            result["last_name"] = user.last_name
        if user.username:
            result["username"] = user.username
        return result

    def api_message(self, message: StoredMessage) -> dict[str, Any]:
        """A message as the Bot API returns it."""
        sender = self.bot_user() if message.from_bot else self.api_user(self.users[message.chat_id])
        result: dict[str, Any] = {
            "message_id": message.message_id,
            "from": sender,
            "chat": self.api_chat(message.chat_id),
            "date": message.date,
        }
        if message.edit_date is not None:
            result["edit_date"] = message.edit_date
        if message.text is not None:
            result["text"] = message.text
            if message.entities:
                result["entities"] = json.loads(json.dumps(message.entities))
        if message.photo is not None:
            photo = message.photo
            result["photo"] = [
                {
                    "file_id": photo.file_id,
                    "file_unique_id": photo.file_unique_id,
                    "width": photo.width,
                    "height": photo.height,
                    "file_size": len(photo.data),
                }
            ]
        if message.document is not None:
            document = message.document
            result["document"] = {
                "file_id": document.file_id,
                "file_unique_id": document.file_unique_id,
                "file_name": document.file_name or "file",
                "mime_type": document.mime_type,
                "file_size": len(document.data),
            }
        if message.caption is not None:
            result["caption"] = message.caption
            if message.caption_entities:
                result["caption_entities"] = json.loads(json.dumps(message.caption_entities))
        if message.reply_markup is not None:
            result["reply_markup"] = json.loads(json.dumps(message.reply_markup))
        if message.protected:
            result["has_protected_content"] = True
        return result

    @staticmethod
    def control_user(user: UserRecord) -> dict[str, Any]:
        """A member as the control API shows it."""
        return {
            "id": user.id,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "username": user.username,
            "language_code": user.language_code,
            "label": user.label,
            "blocked": user.blocked,
        }

    @staticmethod
    def timeline_message(message: StoredMessage) -> dict[str, Any]:
        """A message as the control API's timeline shows it."""
        photo = None
        if message.photo is not None:
            photo = {
                "file_id": message.photo.file_id,
                "url": f"/control/files/{message.photo.file_id}",
            }
        document = None
        if message.document is not None:
            document = {
                "file_id": message.document.file_id,
                "file_name": message.document.file_name,
                "mime_type": message.document.mime_type,
                "url": f"/control/files/{message.document.file_id}",
            }
        return {
            "message_id": message.message_id,
            "chat_id": message.chat_id,
            "from_bot": message.from_bot,
            "text": message.text,
            "entities": json.loads(json.dumps(message.entities)),
            "caption": message.caption,
            "caption_entities": json.loads(json.dumps(message.caption_entities)),
            "reply_markup": json.loads(json.dumps(message.reply_markup)),
            "photo": photo,
            "document": document,
            "date": message.date,
            "edit_date": message.edit_date,
            "deleted": message.deleted,
            "protected": message.protected,
            "rev": message.rev,
        }

    @staticmethod
    def toast_dict(toast: Toast) -> dict[str, Any]:
        """A toast as the control API shows it."""
        return {
            "text": toast.text,
            "show_alert": toast.show_alert,
            "rev": toast.rev,
            "callback_query_id": toast.callback_query_id,
        }

    def chat_changes(self, chat_id: int, since: int) -> dict[str, Any]:
        """Messages and toasts of a chat with a revision greater than since."""
        return {
            "rev": self.rev,
            "messages": [
                self.timeline_message(m) for m in self.timelines[chat_id] if m.rev > since
            ],
            "toasts": [
                self.toast_dict(t)
                for t in self.toast_list
                if t.chat_id == chat_id and t.rev > since
            ],
        }
