"""Start-up: process start to the first getUpdates, for `python -m bot run`.

Run: python -m bench.bench_startup [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import TOKEN, bot_process, machine, write_config
from bot.sandbox import Sandbox


async def one_start(sandbox: Sandbox, config: Path) -> float:
    """Seconds from spawning the process to its first getUpdates."""
    sandbox.reset_stats()
    calls_before = len(sandbox.calls)
    start = time.perf_counter()
    async with bot_process("-m", "bot", "run", "--config", str(config)):
        await sandbox.wait_for(
            lambda: any(m == "getUpdates" for _, m, _ in sandbox.calls[calls_before:]),
            timeout=60,
        )
        elapsed = time.perf_counter() - start
    return elapsed


async def main_async(runs: int) -> dict[str, Any]:
    """Start the bot `runs` times on the same database (first run migrates it)."""
    sandbox = Sandbox(token=TOKEN, bot_username="bench_bot")
    await sandbox.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = write_config(sandbox, Path(tmp) / "bench.db")
            first = await one_start(sandbox, config)
            warm = [await one_start(sandbox, config) for _ in range(runs)]
    finally:
        await sandbox.stop()
    return {
        "benchmark": "start-up",
        "machine": machine(),
        "first_start_s": round(first, 3),
        "warm_median_s": round(statistics.median(warm), 3),
        "warm_max_s": round(max(warm), 3),
        "runs": runs,
    }


def main() -> None:
    """Command line entry."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    json.dump(asyncio.run(main_async(args.runs)), sys.stdout, ensure_ascii=False, indent=2)
    print()


if __name__ == "__main__":
    main()
