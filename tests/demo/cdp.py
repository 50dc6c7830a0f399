"""A minimal Chrome DevTools Protocol client over aiohttp, for driving headless Chromium."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
    "--window-size=1280,800",
]


def find_chromium() -> str | None:
    """The Chromium binary, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Page:
    """One browser tab: evaluate JavaScript and wait for conditions in it."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self._ws = ws
        self._ids = itertools.count(1)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one CDP command and return its result (events are skipped)."""
        call_id = next(self._ids)
        await self._ws.send_json({"id": call_id, "method": method, "params": params})
        while True:
            message = await self._ws.receive_json(timeout=15)
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    async def evaluate(self, expression: str) -> Any:
        """Evaluate JavaScript (awaiting promises) and return the value."""
        result = await self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(json.dumps(result["exceptionDetails"])[:500])
        return result["result"].get("value")

    async def navigate(self, url: str) -> None:
        """Load `url` and wait until its document has loaded."""
        await self.call("Page.navigate", url=url)
        # The page may rewrite its #fragment as it starts: compare what comes before it.
        document = json.dumps(url.split("#", 1)[0])
        await self._loaded(f"location.href.split('#')[0] === {document}")

    async def reload(self) -> None:
        """Load the page again (a fresh document, the same storage) and wait for it."""
        await self.evaluate("window.__beforeReload = true")
        await self.call("Page.reload", ignoreCache=True)
        await self._loaded("window.__beforeReload === undefined")

    async def _loaded(self, condition: str, timeout: float = 15.0) -> None:
        """Wait for a loaded document that meets `condition` (navigation destroys contexts)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            try:
                if await self.evaluate(f"document.readyState === 'complete' && {condition}"):
                    return
            except RuntimeError:
                pass  # the old document went away mid-evaluation
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"page never loaded: {condition}")
            await asyncio.sleep(0.1)

    async def set_viewport(self, width: int, height: int, *, mobile: bool = False) -> None:
        """Emulate a screen of this size (a phone: `mobile`, with touch and no scrollbars)."""
        await self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=2 if mobile else 1,
            mobile=mobile,
        )
        await self.call("Emulation.setTouchEmulationEnabled", enabled=mobile)

    async def screenshot(self) -> bytes:
        """What the tab shows, as a PNG (to look at a layout while working on the page)."""
        result = await self.call("Page.captureScreenshot", format="png")
        return base64.b64decode(result["data"])

    async def wait_for(self, expression: str, timeout: float = 10.0) -> Any:
        """Re-evaluate until truthy: the page updates on its own schedule, outside our loop."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            value = await self.evaluate(expression)
            if value:
                return value
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"page never satisfied: {expression}")
            await asyncio.sleep(0.1)


@contextlib.asynccontextmanager
async def open_page(binary: str, url: str) -> AsyncIterator[Page]:
    """Start headless Chromium on `url` and yield its tab."""
    with tempfile.TemporaryDirectory(
        prefix="qinglian-chromium-", ignore_cleanup_errors=True
    ) as profile:
        process = await asyncio.create_subprocess_exec(
            binary,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            url,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            port_file = Path(profile) / "DevToolsActivePort"
            for _ in range(300):
                if port_file.exists() and port_file.read_text().strip():
                    break
                await asyncio.sleep(0.05)
            port = int(port_file.read_text().split()[0])
            async with aiohttp.ClientSession() as session:
                async with session.get(f"http://127.0.0.1:{port}/json/list") as response:
                    targets = await response.json()
                target = next(t for t in targets if t["type"] == "page")
                async with session.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                    yield Page(ws)
        finally:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()
