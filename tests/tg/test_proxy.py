"""telegram.proxy (and the environment's proxy): every Bot API request goes through it.

Two small proxies run inside the test, both forwarding only to 127.0.0.1: an HTTP forward
proxy (absolute-form requests, as httpx sends them to an http:// proxy) and a SOCKS5 one. Each
counts the Bot API methods it carried; the sandbox counts what reached it. No internet.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import ClientSession, web

from bot.sandbox import Sandbox
from tests.harness import ADMIN, Harness, make_config

_METHOD = re.compile(r"/bot[^/]+/(\w+)$")
_HOP_BY_HOP = {"host", "connection", "proxy-connection", "keep-alive", "content-length"}
_HOP_BY_HOP |= {"transfer-encoding", "proxy-authorization", "te", "trailer", "upgrade"}


class HttpForwardProxy:
    """An HTTP proxy for http:// targets on 127.0.0.1, counting the methods it forwards."""

    def __init__(self) -> None:
        self.methods: Counter[str] = Counter()
        self.refused = 0
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None
        self.port = 0

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = int(self._runner.addresses[0][1])
        self._session = ClientSession(auto_decompress=False)

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        target = request.url
        # Only requests for another server on this machine (a client using us as its proxy).
        if target.host != "127.0.0.1" or target.port == self.port:
            self.refused += 1
            return web.Response(status=403, text="this test proxy forwards to 127.0.0.1 only")
        match = _METHOD.search(target.path)
        self.methods[match.group(1) if match else target.path] += 1
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
        assert self._session is not None
        async with self._session.request(
            request.method, str(target), data=await request.read(), headers=headers
        ) as answer:
            body = await answer.read()
            kept = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP_BY_HOP}
            return web.Response(body=body, status=answer.status, headers=kept)


class Socks5Proxy:
    """A SOCKS5 proxy (no auth, CONNECT only) to 127.0.0.1, counting tunnels and methods."""

    def __init__(self) -> None:
        self.tunnels: list[tuple[str, int]] = []
        self._streams: list[bytearray] = []  # what clients sent through each tunnel
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    @property
    def url(self) -> str:
        return f"socks5://127.0.0.1:{self.port}"

    @property
    def methods(self) -> Counter[str]:
        """Bot API methods in the request lines that went through the tunnels."""
        found: Counter[str] = Counter()
        for stream in self._streams:
            for match in re.finditer(rb"POST /bot[^/ ]+/(\w+) HTTP/1\.1\r\n", stream):
                found[match.group(1).decode()] += 1
        return found

    def clear(self) -> None:
        self._streams.clear()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            version, count = await reader.readexactly(2)
            await reader.readexactly(count)  # offered auth methods
            writer.write(b"\x05\x00")  # version 5, no authentication
            _, command, _, kind = await reader.readexactly(4)
            if kind == 1:
                host = socket.inet_ntoa(await reader.readexactly(4))
            elif kind == 3:
                host = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
            else:
                host = socket.inet_ntop(socket.AF_INET6, await reader.readexactly(16))
            port = int.from_bytes(await reader.readexactly(2), "big")
            if version != 5 or command != 1 or host not in ("127.0.0.1", "localhost"):
                writer.write(b"\x05\x02\x00\x01" + bytes(6))  # connection not allowed
                return
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1") + port.to_bytes(2))
            self.tunnels.append((host, port))
            sent = bytearray()
            self._streams.append(sent)
            await asyncio.gather(self._pipe(reader, up_writer, sent), self._pipe(up_reader, writer))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _pipe(
        self,
        source: asyncio.StreamReader,
        sink: asyncio.StreamWriter,
        record: bytearray | None = None,
    ) -> None:
        try:
            while chunk := await source.read(65536):
                if record is not None:
                    record += chunk
                sink.write(chunk)
                await sink.drain()
        finally:
            with contextlib.suppress(Exception):
                sink.close()


@pytest.fixture
async def http_proxy() -> AsyncIterator[HttpForwardProxy]:
    proxy = HttpForwardProxy()
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.stop()


@pytest.fixture
async def socks_proxy() -> AsyncIterator[Socks5Proxy]:
    proxy = Socks5Proxy()
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.stop()


@pytest.fixture(autouse=True)
def _no_proxy_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


async def _use_the_bot(h: Harness) -> None:
    """Start-up (getMe, menus, polling), an admin's /start and /help, then stop."""
    await h.start()
    h.user(ADMIN, "王管理")
    [welcome] = await h.send(ADMIN, "/start")
    assert "欢迎你，王管理" in welcome["text"]
    [reply] = await h.send(ADMIN, "/help")
    assert "/invite" in reply["text"]
    await h.stop()


def _reached_the_sandbox(sandbox: Sandbox) -> Counter[str]:
    return Counter(sandbox.stats()["calls"])


def _all_through(proxied: Counter[str], sandbox: Sandbox) -> None:
    """Every call the sandbox saw could have come through the proxy (none came around it)."""
    reached = _reached_the_sandbox(sandbox)
    assert {"getMe", "setMyCommands", "getUpdates", "sendMessage"} <= set(reached)
    around = {m: n - proxied[m] for m, n in reached.items() if n > proxied[m]}
    assert not around, f"calls that did not go through the proxy: {around}"


async def test_configured_http_proxy_carries_every_request(
    sandbox: Sandbox, tmp_path: Path, http_proxy: HttpForwardProxy
) -> None:
    config = make_config(sandbox, tmp_path / "bot.db", telegram__proxy=http_proxy.url)
    h = Harness(sandbox=sandbox, db_path=tmp_path / "bot.db", config=config)
    await _use_the_bot(h)
    assert http_proxy.methods["sendMessage"] >= 2
    assert http_proxy.refused == 0
    _all_through(http_proxy.methods, sandbox)


async def test_configured_socks5_proxy_carries_every_request(
    sandbox: Sandbox, tmp_path: Path, socks_proxy: Socks5Proxy
) -> None:
    config = make_config(sandbox, tmp_path / "bot.db", telegram__proxy=socks_proxy.url)
    h = Harness(sandbox=sandbox, db_path=tmp_path / "bot.db", config=config)
    await _use_the_bot(h)
    assert ("127.0.0.1", sandbox.port) in socks_proxy.tunnels
    assert socks_proxy.methods["sendMessage"] >= 2
    _all_through(socks_proxy.methods, sandbox)


async def test_environment_proxy_is_used_when_the_key_is_unset_and_the_key_wins(
    sandbox: Sandbox,
    tmp_path: Path,
    http_proxy: HttpForwardProxy,
    socks_proxy: Socks5Proxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The sandbox is http://, so ALL_PROXY applies (HTTPS_PROXY is for https:// Telegram).
    monkeypatch.setenv("ALL_PROXY", http_proxy.url)
    h = Harness(
        sandbox=sandbox,
        db_path=tmp_path / "bot.db",
        config=make_config(sandbox, tmp_path / "bot.db"),
    )
    await _use_the_bot(h)
    _all_through(http_proxy.methods, sandbox)

    # With telegram.proxy set, the environment is not consulted.
    sandbox.reset_stats()
    http_proxy.methods.clear()
    socks_proxy.clear()
    h.db_path = tmp_path / "second.db"
    h.config = make_config(sandbox, h.db_path, telegram__proxy=socks_proxy.url)
    await _use_the_bot(h)
    assert sum(http_proxy.methods.values()) == 0
    _all_through(socks_proxy.methods, sandbox)
