"""The sandbox server: Bot API and control API on one aiohttp application."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from bot.sandbox.botapi import ApiError, BotApi, Upload
from bot.sandbox.control import ControlApi, control_errors
from bot.sandbox.state import SandboxState, upload_file_name

__all__ = ["Sandbox"]

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_MAX_BODY_BYTES = 64 * 1024 * 1024
_TOKEN_RE = re.compile(r"\d+:[A-Za-z0-9_-]+")
_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_WEBHOOK_RETRY_SECONDS = 0.2


def _api_error(error: ApiError) -> web.Response:
    """A Bot API error as an HTTP response."""
    return web.json_response(error.payload(), status=error.status)


async def _read_params(request: web.Request) -> dict[str, Any]:
    """The parameters of a Bot API request: query, form, multipart or JSON."""
    params: dict[str, Any] = dict(request.query)
    if request.method != "POST" or not request.can_read_body:
        return params
    content_type = request.content_type
    try:
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    name = upload_file_name(value.filename)
                    params[key] = Upload(name, value.content_type, value.file.read())
                elif isinstance(value, bytes | bytearray):
                    params[key] = bytes(value).decode("utf-8", errors="replace")
                else:
                    params[key] = value
            return params
        raw = await request.read()
        if not raw.strip():
            return params
        body = json.loads(raw)
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "Request Entity Too Large") from None
    except ValueError:
        raise ApiError(400, "Bad Request: can't parse the request body") from None
    if not isinstance(body, dict):
        raise ApiError(400, "Bad Request: the JSON body must be an object")
    params.update(body)
    return params


class Sandbox:
    """A local Telegram Bot API plus a control API for tests, the demo and benchmarks."""

    def __init__(
        self,
        token: str = "123456789:SANDBOX-TOKEN",
        bot_username: str = "qinglian_bot",
        *,
        bot_first_name: str = "清廉助手",
        fault_hold_seconds: float = 10.0,
    ) -> None:
        self.token = token
        self.state = SandboxState(token, bot_username, bot_first_name)
        self.api = BotApi(self.state, fault_hold_seconds)
        self.control = ControlApi(self.state, self.api)
        self.app = web.Application(client_max_size=_MAX_BODY_BYTES, middlewares=[control_errors])
        self.app.add_routes(
            [
                web.post("/bot{token}/{method}", self._bot_api),
                web.get("/bot{token}/{method}", self._bot_api),
                web.get("/file/bot{token}/{file_path:.+}", self._download),
                *self.control.routes(),
            ]
        )
        self._runner: web.AppRunner | None = None
        self._host = "127.0.0.1"
        self._port: int | None = None
        self._webhook_task: asyncio.Task[None] | None = None

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Bind and serve; port 0 picks a free port, read it from .port."""
        if self._runner is not None:
            raise RuntimeError("the sandbox is already running")
        runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._host = "127.0.0.1" if host in ("", "0.0.0.0") else host
        self._port = int(runner.addresses[0][1])
        self._webhook_task = asyncio.create_task(self._deliver_to_webhook())

    async def stop(self) -> None:
        """Wake every held request and long poll, then close the server."""
        self.state.close()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        """Start on a free port."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop."""
        await self.stop()

    @property
    def port(self) -> int:
        """The bound port."""
        if self._port is None:
            raise RuntimeError("the sandbox is not started")
        return self._port

    @property
    def url(self) -> str:
        """The server root, e.g. http://127.0.0.1:PORT."""
        return f"http://{self._host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What to pass as the bot's base_url."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """What to pass as the bot's base_file_url."""
        return f"{self.url}/file/bot"

    def add_static(self, prefix: str, directory: Path) -> None:
        """Serve a directory under prefix (before start); prefix/ serves its index.html."""
        self._check_not_started()
        prefix = "/" + prefix.strip("/")
        index = Path(directory) / "index.html"
        if index.is_file():

            async def serve_index(request: web.Request) -> web.FileResponse:
                """The directory's index page."""
                return web.FileResponse(index)

            async def redirect(request: web.Request) -> web.StreamResponse:
                """Send the bare prefix to prefix/."""
                raise web.HTTPFound(prefix + "/")

            self.app.router.add_get(prefix + "/", serve_index)
            self.app.router.add_get(prefix, redirect)
        self.app.router.add_static(prefix, Path(directory))

    def add_route(self, method: str, path: str, handler: Handler) -> None:
        """Add a route to the application (before start)."""
        self._check_not_started()
        self.app.router.add_route(method, path, handler)

    def _check_not_started(self) -> None:
        """Routes can only change before the application is frozen by start()."""
        if self.app.frozen:
            raise RuntimeError("add routes before start()")

    # -- webhook delivery ----------------------------------------------------------------

    async def _deliver_to_webhook(self) -> None:
        """While a webhook is set, POST waiting updates to it one at a time, in order.

        As Telegram does: the secret token goes in X-Telegram-Bot-Api-Secret-Token, an update
        is dropped once the bot answers 2xx, and any other answer (or no answer) is retried.
        """
        state = self.state
        async with ClientSession(timeout=ClientTimeout(total=10)) as session:
            while not state.closing:
                hook = state.webhook
                if hook is None:
                    # Polling (the usual case): sleep until setWebhook, not on every change.
                    await state.wait_webhook()
                    continue
                wanted = set(hook.allowed_updates)
                if wanted:
                    # Telegram never delivers kinds the bot did not ask for.
                    state.updates[:] = [u for u in state.updates if wanted & u.keys()]
                if not state.updates:
                    await state.wait_changed(1.0)
                    continue
                update = state.updates[0]
                headers = {_SECRET_HEADER: hook.secret_token} if hook.secret_token else {}
                try:
                    async with session.post(hook.url, json=update, headers=headers) as answer:
                        status = answer.status
                        await answer.read()
                except (ClientError, TimeoutError) as error:
                    status, problem = 0, f"Connection failed: {type(error).__name__}"
                else:
                    problem = f"Wrong response from the webhook: {status}"
                if 200 <= status < 300:
                    if state.updates and state.updates[0] is update:
                        state.updates.pop(0)
                    hook.delivered += 1
                    state.changed()
                    continue
                hook.last_error_date = int(time.time())
                hook.last_error_message = problem
                await state.sleep_unless_closing(_WEBHOOK_RETRY_SECONDS)

    def webhook_info(self) -> dict[str, Any] | None:
        """The registered webhook with delivery counts, or None while the bot polls."""
        return self.state.webhook_view()

    # -- HTTP handlers -------------------------------------------------------------------

    async def _bot_api(self, request: web.Request) -> web.Response:
        """POST /bot<token>/<method>."""
        method = request.match_info["method"]
        try:
            token = request.match_info["token"]
            if token != self.token:
                if _TOKEN_RE.fullmatch(token):
                    raise ApiError(401, "Unauthorized")
                raise ApiError(404, "Not Found")
            params = await _read_params(request)
            result = await self.api.call(method, params)
        except ApiError as error:
            return _api_error(error)
        except Exception as error:
            logger.exception("sandbox failure in Bot API method %s", method)
            return _api_error(ApiError(500, f"Internal Server Error: sandbox failure: {error!r}"))
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.Response:
        """GET /file/bot<token>/<file_path>."""
        if request.match_info["token"] != self.token:
            return _api_error(ApiError(401, "Unauthorized"))
        stored = self.state.file_by_path(request.match_info["file_path"])
        if stored is None:
            return _api_error(ApiError(404, "Not Found"))
        return web.Response(body=stored.data, headers={"Content-Type": stored.mime_type})

    # -- in-process use ------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        label: str | None = None,
    ) -> dict[str, Any]:
        """Create or update a member; returns the control API User."""
        user = self.state.add_user(user_id, first_name, last_name, username, language_code, label)
        return self.state.control_user(user)

    def users(self) -> list[dict[str, Any]]:
        """Every member as a control API User."""
        return [self.state.control_user(u) for u in self.state.users.values()]

    def send_text(self, user_id: int, text: str) -> dict[str, Any]:
        """The member sends text (a /command gets a bot_command entity); returns the Message."""
        return self.state.timeline_message(self.state.send_text(user_id, text))

    def edit_text(self, user_id: int, message_id: int, text: str) -> dict[str, Any]:
        """The member edits one of their text messages; returns the Message."""
        return self.state.timeline_message(self.state.edit_text(user_id, message_id, text))

    def press_button(
        self, user_id: int, message_id: int, data: str, *, require_button: bool = True
    ) -> str:
        """The member presses a button of a bot message; returns the callback_query_id."""
        return self.state.press_button(user_id, message_id, data, require_button)

    def send_file(
        self,
        user_id: int,
        data: bytes,
        filename: str,
        kind: str = "photo",
        caption: str | None = None,
        mime_type: str | None = None,
    ) -> dict[str, Any]:
        """The member sends a photo or document; returns the Message."""
        message = self.state.send_file(user_id, data, filename, kind, caption, mime_type)
        return self.state.timeline_message(message)

    def block(self, user_id: int, blocked: bool = True) -> None:
        """The member blocks (or unblocks) the bot; sends to them answer 403."""
        self.state.set_blocked(user_id, blocked)

    def messages(self, chat_id: int) -> list[dict[str, Any]]:
        """The chat's timeline in order, deleted entries included with deleted=True."""
        self.state.user(chat_id)
        return [self.state.timeline_message(m) for m in self.state.timelines[chat_id]]

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """What the bot sent to the chat and has not deleted."""
        return [m for m in self.messages(chat_id) if m["from_bot"] and not m["deleted"]]

    def toasts(self, chat_id: int) -> list[dict[str, Any]]:
        """The callback answers with text shown in the chat."""
        return [self.state.toast_dict(t) for t in self.state.toast_list if t.chat_id == chat_id]

    def callback_answered(self, callback_query_id: str) -> bool:
        """Whether the bot answered this button press."""
        record = self.state.callbacks.get(callback_query_id)
        return record is not None and record.answered

    def file_bytes(self, file_id: str) -> bytes:
        """The content of a stored file."""
        return self.state.files[file_id].data

    def my_commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        """The commands set by setMyCommands for a scope (default scope) and language."""
        key = json.dumps(scope or {"type": "default"}, sort_keys=True)
        return list(self.state.commands.get((key, language_code), []))

    def menu(self, user_id: int) -> dict[str, Any]:
        """The command menu a user sees in their chat: {"commands", "scope", "language_code"}."""
        return self.state.menu(user_id)

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates the bot has not confirmed yet."""
        copied: list[dict[str, Any]] = json.loads(json.dumps(self.state.updates))
        return copied

    def changed(self) -> None:
        """Wake wait_for and long polls, e.g. after state outside the sandbox changed."""
        self.state.changed()

    async def wait_for(
        self,
        predicate: Callable[[], Any],
        timeout: float = 5.0,  # noqa: ASYNC109 -- the name is part of the API.md contract
    ) -> Any:
        """Re-check predicate on every change; its truthy value, or TimeoutError with context."""
        return await self.state.wait_for(predicate, timeout)

    def inject_fault(
        self,
        kind: str,
        count: int = 1,
        method: str | None = None,
        retry_after: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Make the next count matching calls fail: 429, 500, 502, timeout or 403."""
        self.api.inject_fault(kind, count, method, retry_after, chat_id)

    def clear_faults(self) -> None:
        """Drop every queued fault."""
        self.api.faults.clear()

    def set_limits(
        self, enforce: bool = True, global_per_second: int = 30, per_chat_per_second: int = 1
    ) -> None:
        """Enforce Telegram-like flood limits on sends and edits (off by default)."""
        self.api.set_limits(enforce, global_per_second, per_chat_per_second)

    def stats(self) -> dict[str, Any]:
        """Call counts per method, 429 rejections, injected faults, maximal observed rates."""
        return self.api.stats()

    def reset_stats(self) -> None:
        """Start counting afresh (calls, rates, rejections)."""
        self.api.reset_stats()

    @property
    def calls(self) -> list[tuple[float, str, int | None]]:
        """Every Bot API call as (monotonic time, method, chat id or None)."""
        return self.api.calls
