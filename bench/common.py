"""Shared benchmark plumbing: a sandbox in this process, the bot (or a baseline) in another."""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import statistics
import sys
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "5555555555:bench-token-for-the-sandbox-only-xyzxyz"
DEPARTMENTS = [{"id": f"d{i}", "name": f"第{i}科"} for i in range(1, 11)]
INVITE = "bench-invite-code"


def write_config(sandbox: Sandbox, db_path: Path, *, budget: float = 30.0, **sections: Any) -> Path:
    """A config file pointing the bot at the sandbox, with a send budget (calls per second)."""
    config: dict[str, Any] = {
        "telegram": {
            "token": TOKEN,
            "api_base_url": sandbox.base_url,
            "file_base_url": sandbox.base_file_url,
            "rate_limits": {"overall_per_second": budget, "per_chat_per_second": 1},
        },
        "storage": {"path": str(db_path)},
        "organization": {"name": "基准测试局", "departments": DEPARTMENTS},
        "roles": {"admins": [1]},
        "access": {"invites": [{"code": INVITE, "department": "d1"}]},
        "logging": {"level": "WARNING"},
        **sections,
    }
    path = db_path.with_suffix(".yaml")
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


@contextlib.asynccontextmanager
async def bot_process(*args: str) -> AsyncIterator[asyncio.subprocess.Process]:
    """Run `python <args>` (the bot or a baseline) and stop it at the end."""
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "BOT_CONFIG")}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0–100) by nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


@dataclass(frozen=True)
class LatencySummary:
    """Throughput and latency of one measured run."""

    count: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    bot_cpu_ms: float = 0.0  # CPU the bot process used per press
    driver_cpu_ms: float = 0.0  # CPU the sandbox and driver process used per press

    @property
    def per_second(self) -> float:
        """Handled per second."""
        return self.count / self.seconds if self.seconds else 0.0

    @classmethod
    def of(cls, latencies: Sequence[float], seconds: float) -> LatencySummary:
        """Summarise latencies in seconds."""
        ms = [x * 1000 for x in latencies]
        return cls(
            count=len(ms),
            seconds=seconds,
            p50_ms=percentile(ms, 50),
            p95_ms=percentile(ms, 95),
            p99_ms=percentile(ms, 99),
            mean_ms=statistics.fmean(ms) if ms else float("nan"),
        )


def machine() -> str:
    """A one-line description of the machine."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            model = next(
                (line.split(":", 1)[1].strip() for line in info if line.startswith("model name")),
                cpu,
            )
    except OSError:
        model = cpu
    return (
        f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, {platform.system()}"
    )
