"""Update handling: K members answer quiz questions concurrently; beside a bare PTB echo bot.

Each simulated member presses a button, waits until its message is edited, and presses
again (closed loop). Latency is press → edit as the sandbox sees it; throughput is presses
handled per second. Run: python -m bench.bench_updates [--members 50] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.common import INVITE, TOKEN, LatencySummary, bot_process, machine, write_config
from bot.sandbox import Sandbox

MEMBER_BASE = 100_000


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def _message(sandbox: Sandbox, chat: int, message_id: int) -> dict[str, Any]:
    return next(m for m in sandbox.messages(chat) if m["message_id"] == message_id)


def _rev(sandbox: Sandbox, chat: int, message_id: int) -> int:
    """A message's revision, read without building timeline dicts: the driver shares the
    machine with the bots, so its own cost per check must not grow with a chat's length."""
    stored = sandbox.state.find_message(chat, message_id)
    return stored.rev if stored is not None else -1


async def _press_and_wait(sandbox: Sandbox, chat: int, message_id: int, data: str) -> float:
    """Press a button; return seconds until the message changes."""
    before = _rev(sandbox, chat, message_id)
    start = time.perf_counter()
    sandbox.press_button(chat, message_id, data)
    await sandbox.wait_for(lambda: _rev(sandbox, chat, message_id) > before, timeout=30)
    return time.perf_counter() - start


async def _run_members(
    members: list[int],
    step: Callable[[int], Awaitable[float]],
    warmup: float,
    seconds: float,
    think: float,
    pid: int,
) -> LatencySummary:
    latencies: list[float] = []
    cpu: dict[str, float] = {}
    loop = asyncio.get_running_loop()
    measure_from = loop.time() + warmup
    stop_at = measure_from + seconds
    rng = random.Random(2)

    async def account() -> None:
        await asyncio.sleep(max(0.0, measure_from - loop.time()))
        cpu["bot"], cpu["driver"] = cpu_seconds(pid), time.process_time()
        await asyncio.sleep(max(0.0, stop_at - loop.time()))
        cpu["bot"] = cpu_seconds(pid) - cpu["bot"]
        cpu["driver"] = time.process_time() - cpu["driver"]

    async def member(chat: int) -> None:
        if think:
            await asyncio.sleep(rng.uniform(0, 2 * think))  # members do not start in step
        while loop.time() < stop_at:
            latency = await step(chat)
            if loop.time() >= measure_from:
                latencies.append(latency)
            if think:
                # A person reads the explanation before the next tap: think time.
                await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))

    await asyncio.gather(account(), *(member(chat) for chat in members))
    summary = LatencySummary.of(latencies, seconds)
    count = max(1, summary.count)
    return replace(
        summary,
        bot_cpu_ms=1000 * cpu["bot"] / count,
        driver_cpu_ms=1000 * cpu["driver"] / count,
    )


async def _wait_ready(sandbox: Sandbox, process: asyncio.subprocess.Process) -> None:
    async def polled() -> None:
        await sandbox.wait_for(
            lambda: any(method == "getUpdates" for _, method, _ in sandbox.calls), timeout=30
        )

    try:
        await polled()
    except TimeoutError:
        stderr = await process.stderr.read() if process.stderr else b""
        raise SystemExit(f"bot did not start: {stderr.decode()[-2000:]}") from None


async def measure_ours(
    members: int, warmup: float, seconds: float, think: float, budget: float
) -> LatencySummary:
    """Our bot: members join, open /quiz and answer questions as fast as the bot replies."""
    sandbox = Sandbox(token=TOKEN, bot_username="bench_bot")
    await sandbox.start()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        config = write_config(sandbox, Path(tmp) / "bench.db", budget=budget)
        async with bot_process("-m", "bot", "run", "--config", str(config)) as process:
            await _wait_ready(sandbox, process)
            chats = [MEMBER_BASE + i for i in range(members)]
            quiz_message: dict[int, int] = {}

            async def join(chat: int) -> None:
                sandbox.add_user(chat, f"成员{chat}")
                sandbox.send_text(chat, f"/start {INVITE}")
                await sandbox.wait_for(lambda: sandbox.bot_messages(chat), timeout=30)
                sandbox.send_text(chat, "/quiz")
                await sandbox.wait_for(lambda: len(sandbox.bot_messages(chat)) >= 2, timeout=30)
                picker = sandbox.bot_messages(chat)[-1]
                quiz_message[chat] = picker["message_id"]
                mixed = next(b for b in _buttons(picker) if "综合" in b["text"])
                await _press_and_wait(sandbox, chat, picker["message_id"], mixed["callback_data"])

            await asyncio.gather(*(join(chat) for chat in chats))

            async def step(chat: int) -> float:
                message = _message(sandbox, chat, quiz_message[chat])
                options = _buttons(message)
                submit = next((b for b in options if "提交" in b["text"]), None)
                again = next((b for b in options if "再测一组" in b["text"]), None)
                if again is not None:
                    choice = again
                elif submit is not None and any(b["text"].startswith("☑") for b in options):
                    choice = submit
                else:
                    toggles = [b for b in options if b is not submit and "复习" not in b["text"]]
                    choice = rng.choice(toggles)
                return await _press_and_wait(
                    sandbox, chat, quiz_message[chat], choice["callback_data"]
                )

            summary = await _run_members(chats, step, warmup, seconds, think, process.pid)
    await sandbox.stop()
    return summary


async def measure_echo(members: int, warmup: float, seconds: float, think: float) -> LatencySummary:
    """A bare PTB bot answering each press with one edit, on the same sandbox."""
    sandbox = Sandbox(token=TOKEN, bot_username="echo_bot")
    await sandbox.start()
    async with bot_process(
        str(Path(__file__).with_name("echo_bot.py")), TOKEN, sandbox.base_url
    ) as process:
        await _wait_ready(sandbox, process)
        chats = [MEMBER_BASE + i for i in range(members)]
        message_ids: dict[int, int] = {}
        for chat in chats:
            sandbox.add_user(chat, f"成员{chat}")
            seeded = sandbox.state.add_message(
                chat,
                True,
                text="press",
                reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "0"}]]},
            )
            message_ids[chat] = seeded.message_id

        async def step(chat: int) -> float:
            message = _message(sandbox, chat, message_ids[chat])
            data = _buttons(message)[0]["callback_data"]
            return await _press_and_wait(sandbox, chat, message_ids[chat], data)

        summary = await _run_members(chats, step, warmup, seconds, think, process.pid)
    await sandbox.stop()
    return summary


def _figures(summary: LatencySummary) -> dict[str, Any]:
    return {
        "per_second": round(summary.per_second, 1),
        "p50_ms": round(summary.p50_ms, 1),
        "p95_ms": round(summary.p95_ms, 1),
        "p99_ms": round(summary.p99_ms, 1),
        "presses": summary.count,
        "bot_cpu_ms_per_press": round(summary.bot_cpu_ms, 2),
        "sandbox_cpu_ms_per_press": round(summary.driver_cpu_ms, 2),
    }


def report(
    mode: str, members: int, think: float, ours: LatencySummary, echo: LatencySummary
) -> dict[str, Any]:
    """The figures of one mode."""
    return {
        "mode": mode,
        "members": members,
        "think_seconds": think,
        "ours": _figures(ours),
        "echo": _figures(echo),
        "ratio": round(ours.per_second / echo.per_second, 3) if echo.per_second else None,
    }


async def main_async(members: int, warmup: float, seconds: float, think: float) -> dict[str, Any]:
    """Both modes, both bots, one run.

    capacity: no think time, and our send budget lifted, so both bots run flat out and the
    ratio compares handling cost. paced: members pause `think` seconds between taps (a
    person reading the explanation), under the production budget of 30 calls/s.
    """
    runs = []
    for mode, pause, budget in (("capacity", 0.0, 100_000.0), ("paced", think, 30.0)):
        echo = await measure_echo(members, warmup, seconds, pause)
        ours = await measure_ours(members, warmup, seconds, pause, budget)
        runs.append(report(mode, members, pause, ours, echo))
    return {"benchmark": "update handling", "machine": machine(), "runs": runs}


def main() -> None:
    """Command line entry."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--think", type=float, default=2.0, help="mean think time, paced mode")
    args = parser.parse_args()
    result = asyncio.run(main_async(args.members, args.warmup, args.seconds, args.think))
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    print()


if __name__ == "__main__":
    main()
