"""`python -m bot demo`: the sandbox, the bot on a throw-away database, and a web chat page."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.config import Config, parse_config
from bot.demo.activity import seed_demo_activity
from bot.demo.members import DemoMember, MembersEndpoint
from bot.runtime import running
from bot.sandbox import Sandbox
from bot.tg import schedule

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
DEMO_TOKEN = "1000000001:demo-token-not-a-secret-0000000000"
BOT_USERNAME = "qinglian_demo_bot"
DEMO_INVITE = "demo-join-office"


DEPARTMENTS = [
    {"id": "office", "name": "办公室"},
    {"id": "command", "name": "应急指挥科"},
    {"id": "safety", "name": "安全生产监督管理科"},
    {"id": "disaster", "name": "防灾减灾科"},
]

MEMBERS = [
    DemoMember(20001, "王建国", "wang_admin", "管理员", "Admin", "demo-join-office"),
    DemoMember(20002, "李局长", "li_leader", "领导", "Leader", "demo-join-office"),
    DemoMember(
        20003, "赵纪检", "zhao_jijian", "纪检监察组", "Discipline inspection", "demo-join-office"
    ),
    DemoMember(
        20004, "张明", "zhang_ming", "干部 · 应急指挥科", "Staff · 应急指挥科", "demo-join-command"
    ),
    DemoMember(
        20005,
        "陈芳",
        "chen_fang",
        "干部 · 安全生产监督管理科",
        "Staff · 安全生产监督管理科",
        "demo-join-safety",
    ),
    DemoMember(20006, "新同事", "new_colleague", "访客（尚未加入）", "Visitor (not joined)", None),
]


def demo_config(sandbox: Sandbox, db_path: Path, content_dir: str | None = None) -> Config:
    """A config for the demo: the sandbox as Telegram, one member of each role."""
    raw: dict[str, Any] = {
        "telegram": {
            "token": DEMO_TOKEN,
            "api_base_url": sandbox.base_url,
            "file_base_url": sandbox.base_file_url,
        },
        "storage": {"path": str(db_path)},
        # Reports are stored at a tick every minute (ten in production), so a visitor sees
        # "saving at the next tick" and then the receipt code without a long wait.
        "reports": {"write_every_minutes": 1},
        # Backups of the throw-away database stay beside it, not in the working directory.
        "backup": {"dir": str(db_path.parent / "backups")},
        "organization": {"name": "示例县应急管理局", "departments": DEPARTMENTS},
        "roles": {"admins": [20001], "leaders": [20002], "reviewers": [20003]},
        "access": {
            "registration": "invite",
            "invites": [
                {"code": "demo-join-office", "department": "office"},
                {"code": "demo-join-command", "department": "command"},
                {"code": "demo-join-safety", "department": "safety"},
            ],
        },
    }
    if content_dir:
        raw["content"] = {"dir": content_dir}
    return parse_config(raw, source="<demo>")


async def _index(_request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/demo/")


@contextlib.asynccontextmanager
async def demo_environment(
    host: str = "127.0.0.1",
    port: int = 0,
    db_dir: Path | None = None,
    content_dir: str | None = None,
) -> Any:
    """Start the sandbox (with the page) and the bot; seed members; yield (sandbox, application)."""
    sandbox = Sandbox(token=DEMO_TOKEN, bot_username=BOT_USERNAME)
    sandbox.add_route("GET", "/", _index)
    # Before the static files, which would otherwise claim every path under /demo/.
    members_endpoint = MembersEndpoint(MEMBERS)
    sandbox.add_route("GET", "/demo/api/members", members_endpoint.handle)
    sandbox.add_static("/demo/", STATIC_DIR)
    for m in MEMBERS:
        sandbox.add_user(
            m.user_id, m.first_name, username=m.username, language_code="zh-hans", label=m.label
        )
    await sandbox.start(host=host, port=port)
    with tempfile.TemporaryDirectory(prefix="qinglian-demo-") as tmp:
        config = demo_config(sandbox, Path(db_dir or tmp) / "demo.db", content_dir)
        try:
            async with running(config) as application:
                members_endpoint.services = application.bot_data["services"]
                # Reviewers normally hear of new reports in one batch at the full hour; the
                # demo announces at every one-minute tick so a visitor sees the notice arrive.
                schedule.schedule_ticks(application, datetime.now(UTC), announce_every=None)
                for m in MEMBERS:
                    # Each member opens the bot once, so every chat starts with its greeting.
                    sandbox.send_text(m.user_id, f"/start {m.invite}" if m.invite else "/start")
                # A few weeks of quiz activity, so the leader's /digest has a chart to show.
                await seed_demo_activity(
                    application.bot_data["services"],
                    datetime.now(UTC),
                    [m.user_id for m in MEMBERS if m.invite],
                )
                yield sandbox, application
        finally:
            await sandbox.stop()


def _usable_port(host: str, port: int) -> int:
    """The requested port if it is free, else 0 (any free port)."""
    if port == 0:
        return 0
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            log.warning("port %d is busy; using a free port instead", port)
            return 0
    return port


async def run_demo(
    host: str = "127.0.0.1", port: int = 8080, content_dir: str | None = None
) -> None:
    """Run the demo until Ctrl+C, printing the page's address."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with demo_environment(host, _usable_port(host, port), content_dir=content_dir) as (
        sandbox,
        _application,
    ):
        url = f"http://{host}:{sandbox.port}/demo/"
        print(f"\n  清廉助手演示已启动 / demo running:  {url}\n", flush=True)
        print(
            "  选择左侧身份（管理员、领导、纪检监察组、干部、访客）即可对话。按 Ctrl+C 退出。\n",
            flush=True,
        )
        await stop.wait()
