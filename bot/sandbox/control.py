"""The HTTP control API: act as members and read what each chat shows."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.sandbox.botapi import BotApi
from bot.sandbox.state import ControlError, SandboxState, upload_file_name

__all__ = ["ControlApi", "control_errors"]

logger = logging.getLogger(__name__)
_MAX_WAIT_SECONDS = 25.0


def _error(message: str, status: int) -> web.Response:
    """A control API error answer."""
    return web.json_response({"error": message}, status=status)


def _int(value: Any, name: str) -> int:
    """An integer from a path, query or JSON body, or ControlError 400."""
    if isinstance(value, bool):
        raise ControlError(f"{name} must be an integer")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ControlError(f"{name} must be an integer") from None


async def _json_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object body, or ControlError 400."""
    try:
        body = await request.json()
    except ValueError:
        raise ControlError("the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise ControlError("the body must be a JSON object")
    return body


@web.middleware
async def control_errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Turn misuse of the control API into JSON errors instead of tracebacks."""
    if not request.path.startswith("/control/"):
        return await handler(request)
    try:
        return await handler(request)
    except ControlError as error:
        return _error(str(error), error.status)
    except ValueError as error:
        return _error(str(error), 400)
    except web.HTTPException:
        raise
    except Exception as error:
        logger.exception("sandbox failure in %s %s", request.method, request.path)
        return _error(f"sandbox failure: {error!r}", 500)


class ControlApi:
    """Handlers of the /control/ routes."""

    def __init__(self, state: SandboxState, api: BotApi) -> None:
        self.state = state
        self.api = api

    def routes(self) -> list[web.RouteDef]:
        """The route table to add to the application."""
        return [
            web.get("/control/users", self.list_users),
            web.post("/control/users", self.create_user),
            web.post("/control/users/{id}/messages", self.user_message),
            web.post("/control/users/{id}/callback", self.user_callback),
            web.post("/control/users/{id}/files", self.user_file),
            web.post("/control/users/{id}/block", self.user_block),
            web.get("/control/users/{id}/commands", self.user_commands),
            web.get("/control/chats/{id}/messages", self.chat_messages),
            web.get("/control/files/{file_id}", self.file_bytes),
            web.post("/control/faults", self.add_fault),
            web.delete("/control/faults", self.clear_faults),
            web.post("/control/limits", self.set_limits),
            web.get("/control/stats", self.stats),
            web.get("/control/webhook", self.webhook),
        ]

    def _user_id(self, request: web.Request) -> int:
        """The existing member named in the path."""
        user_id = _int(request.match_info["id"], "user id")
        self.state.user(user_id)
        return user_id

    async def list_users(self, request: web.Request) -> web.Response:
        """GET /control/users."""
        users = [self.state.control_user(u) for u in self.state.users.values()]
        return web.json_response({"users": users})

    async def create_user(self, request: web.Request) -> web.Response:
        """POST /control/users."""
        body = await _json_body(request)
        user = self.state.add_user(
            _int(body.get("id"), "id"),
            str(body.get("first_name") or ""),
            last_name=body.get("last_name"),
            username=body.get("username"),
            language_code=body.get("language_code"),
            label=body.get("label"),
        )
        return web.json_response({"user": self.state.control_user(user)})

    async def user_message(self, request: web.Request) -> web.Response:
        """POST /control/users/{id}/messages."""
        user_id = self._user_id(request)
        body = await _json_body(request)
        text = body.get("text")
        if not isinstance(text, str):
            raise web.HTTPBadRequest(text="text must be a string")
        message = self.state.send_text(user_id, text)
        return web.json_response({"message": self.state.timeline_message(message)})

    async def user_callback(self, request: web.Request) -> web.Response:
        """POST /control/users/{id}/callback."""
        user_id = self._user_id(request)
        body = await _json_body(request)
        data = body.get("data")
        if not isinstance(data, str):
            raise ControlError("data must be a string")
        query_id = self.state.press_button(
            user_id,
            _int(body.get("message_id"), "message_id"),
            data,
            require_button=body.get("require_button", True) is not False,
        )
        return web.json_response({"callback_query_id": query_id})

    async def user_file(self, request: web.Request) -> web.Response:
        """POST /control/users/{id}/files (multipart: file, kind, caption)."""
        user_id = self._user_id(request)
        if not request.content_type.startswith("multipart/"):
            raise ControlError("send multipart/form-data with a file field")
        form = await request.post()
        upload = form.get("file")
        if not isinstance(upload, web.FileField):
            raise ControlError("the file field is missing")
        kind = str(form.get("kind") or "document")
        caption = form.get("caption")
        message = self.state.send_file(
            user_id,
            upload.file.read(),
            upload_file_name(upload.filename) or "file",
            kind=kind,
            caption=caption if isinstance(caption, str) else None,
            mime_type=upload.content_type,
        )
        return web.json_response({"message": self.state.timeline_message(message)})

    async def user_block(self, request: web.Request) -> web.Response:
        """POST /control/users/{id}/block."""
        user_id = self._user_id(request)
        body = await _json_body(request)
        self.state.set_blocked(user_id, body.get("blocked", True) is not False)
        return web.json_response({})

    async def user_commands(self, request: web.Request) -> web.Response:
        """GET /control/users/{id}/commands: the command menu the member sees."""
        return web.json_response(self.state.menu(self._user_id(request)))

    async def chat_messages(self, request: web.Request) -> web.Response:
        """GET /control/chats/{id}/messages?since=&wait=, long-polling until a change."""
        chat_id = self._user_id(request)
        since = _int(request.query.get("since", "0") or "0", "since")
        try:
            wait = min(max(float(request.query.get("wait", "0") or "0"), 0.0), _MAX_WAIT_SECONDS)
        except ValueError:
            raise ControlError("wait must be a number of seconds") from None
        deadline = time.monotonic() + wait
        while True:
            changes = self.state.chat_changes(chat_id, since)
            remaining = deadline - time.monotonic()
            if changes["messages"] or changes["toasts"] or remaining <= 0 or self.state.closing:
                return web.json_response(changes)
            await self.state.wait_changed(remaining)

    async def file_bytes(self, request: web.Request) -> web.Response:
        """GET /control/files/{file_id}."""
        stored = self.state.files.get(request.match_info["file_id"])
        if stored is None:
            raise ControlError("unknown file_id", status=404)
        return web.Response(body=stored.data, content_type=stored.mime_type)

    async def add_fault(self, request: web.Request) -> web.Response:
        """POST /control/faults."""
        body = await _json_body(request)
        chat_id = body.get("chat_id")
        method = body.get("method")
        if method is not None and not isinstance(method, str):
            raise ControlError("method must be a Bot API method name")
        self.api.inject_fault(
            str(body.get("kind", "")),
            count=_int(body.get("count", 1), "count"),
            method=method,
            retry_after=_int(body.get("retry_after", 1), "retry_after"),
            chat_id=None if chat_id is None else _int(chat_id, "chat_id"),
        )
        return web.json_response({})

    async def clear_faults(self, request: web.Request) -> web.Response:
        """DELETE /control/faults."""
        self.api.faults.clear()
        return web.json_response({})

    async def set_limits(self, request: web.Request) -> web.Response:
        """POST /control/limits."""
        body = await _json_body(request)
        self.api.set_limits(
            enforce=body.get("enforce", True) is not False,
            global_per_second=_int(body.get("global_per_second", 30), "global_per_second"),
            per_chat_per_second=_int(body.get("per_chat_per_second", 1), "per_chat_per_second"),
        )
        return web.json_response({})

    async def stats(self, request: web.Request) -> web.Response:
        """GET /control/stats."""
        return web.json_response(self.api.stats())

    async def webhook(self, request: web.Request) -> web.Response:
        """GET /control/webhook."""
        return web.json_response({"webhook": self.state.webhook_view()})
