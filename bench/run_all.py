"""Run every benchmark in one run and write BENCHMARKS.md.

Run: python -m bench.run_all            (about 8 minutes on 2 cores)
"""

from __future__ import annotations

import asyncio
import json
import platform
import sys
from datetime import UTC, datetime
from typing import Any

from bench import bench_broadcast, bench_digest, bench_startup, bench_updates
from bench.common import ROOT, machine


def _check(ok: bool) -> str:
    return "met" if ok else "**missed**"


def render(results: dict[str, Any], when: datetime) -> str:
    """BENCHMARKS.md from one run's figures."""
    updates = {r["mode"]: r for r in results["updates"]["runs"]}
    cap, paced = updates["capacity"], updates["paced"]
    b, d, s = results["broadcast"], results["digest"], results["startup"]
    lines = [
        "# Benchmarks",
        "",
        f"Measured {when:%Y-%m-%d %H:%M} UTC on {machine()} ({platform.platform()}), in one run",
        "of `python -m bench.run_all`, against the Bot API sandbox (`bot/sandbox/`) with the bot",
        "as a separate process. Each benchmark also runs alone: `python -m bench.bench_updates`,",
        "`bench_broadcast`, `bench_digest`, `bench_startup`. Raw figures: `bench/results.json`.",
        "",
        "| benchmark | figure | target | result |",
        "|---|---|---|---|",
        f"| update handling, paced ({paced['members']} members, ~{paced['think_seconds']:g} s "
        f"think time) | p50 {paced['ours']['p50_ms']} ms, p95 {paced['ours']['p95_ms']} ms, "
        f"p99 {paced['ours']['p99_ms']} ms; {paced['ours']['per_second']}/s (echo bot: p95 "
        f"{paced['echo']['p95_ms']} ms, {paced['echo']['per_second']}/s) | p95 < 50 ms | "
        f"{_check(paced['ours']['p95_ms'] < 50)} |",
        f"| update handling, capacity ({cap['members']} members, no think time) | "
        f"{cap['ours']['per_second']}/s vs echo {cap['echo']['per_second']}/s, ratio "
        f"{cap['ratio']}; p95 {cap['ours']['p95_ms']} ms (echo {cap['echo']['p95_ms']} ms); CPU "
        f"per answer: bot {cap['ours']['bot_cpu_ms_per_press']} ms (echo "
        f"{cap['echo']['bot_cpu_ms_per_press']} ms), sandbox "
        f"{cap['ours']['sandbox_cpu_ms_per_press']} ms (echo "
        f"{cap['echo']['sandbox_cpu_ms_per_press']} ms) | ratio ≥ 0.8 | "
        f"{_check((cap['ratio'] or 0) >= 0.8)} |",
        f"| broadcast to {b['audience']} members (limits enforced) | {b['achieved_per_second']}/s "
        f"= {b['achieved_over_limit']} of 30/s; wall {b['wall_seconds']} s vs physical minimum "
        f"{b['physical_minimum_seconds']} s; 429s {b['rejected_429']}, duplicates "
        f"{b['duplicates']}, missing {b['missing']} | ≥ 0.95, 0, 0, 0 | "
        f"{_check(b['achieved_over_limit'] >= 0.95 and not b['rejected_429'] and not b['duplicates'] and not b['missing'])} |",  # noqa: E501
        f"| memory ({b['members']} members, {b['answers']} answers) | RSS idle "
        f"{b['rss_idle_mb']} MB, during the broadcast {b['rss_broadcast_peak_mb']} MB | < 100 MB "
        f"| {_check(max(b['rss_idle_mb'], b['rss_broadcast_peak_mb']) < 100)} |",
        f"| digest ({d['members']} members, {d['answers']} answers) | build "
        f"{d['build_median_s']} s median, {d['build_max_s']} s max; text and chart "
        f"{d['chart_and_text_s']} s | < 2 s | {_check(d['build_max_s'] < 2)} |",
        f"| start-up to first getUpdates | first start (migrations) {s['first_start_s']} s, then "
        f"median {s['warm_median_s']} s, max {s['warm_max_s']} s | < 2 s | "
        f"{_check(max(s['first_start_s'], s['warm_max_s']) < 2)} |",
        "",
        "## Query plans of the digest's big queries",
        "",
    ]
    for name, plan in d["query_plans"].items():
        lines += [f"- {name}:", *[f"  - `{step}`" for step in plan]]
    lines += ["", "## Notes", "", *NOTES]
    return "\n".join(lines) + "\n"


NOTES = [
    "- **The answer path, before and after (this round).** Profiling the bot under",
    "  `bench.bench_updates` (cProfile; py-spy's binary would not start on this machine) showed",
    "  the event loop's largest single cost in `SimpleQueue.put_nowait`, 5.2 s of 35.7 s",
    "  profiled: every call into aiosqlite queues a function to its thread, which wakes it and",
    "  hands the GIL over. An answer made about eleven such hops to grade (each statement one,",
    "  each cursor read three: execute, fetch, close) plus three per read. Now every statement",
    "  and read is one hop, and grading is one: `QuizRepository.grade` runs the whole",
    "  transaction (position guard, answer row, mistake-book read and write, assigned-test",
    "  result, COMMIT and the read after it) as one function on the database thread.",
    "  `python -m bench.bench_updates` alone, same machine, same day: before (14:33 UTC) ours",
    "  83.5 answers/s at 8.54 ms bot CPU per answer, ratio 0.60 against the echo bot, paced",
    "  p95 145.9 ms (echo 45.2 ms); after (14:46 UTC) ours 112.5/s at 6.45 ms per answer, paced",
    "  p95 34.5 ms (echo 33.3 ms); that run's ratio, 1.68, is not a figure to keep: the echo",
    "  bot's own cost rose to 10.7 ms per press during its window, i.e. the machine was busy.",
    "- **This run** (15:58 UTC) had the machine to itself (load average 0.6 at the start,",
    "  nothing else running). Every target is met but the capacity ratio: 0.699 (ours 157.7",
    "  answers/s, echo 225.5/s); a standalone `python -m bench.bench_updates` at 16:08 gave",
    "  0.738. The ratio is close to the quotient of CPU per answer, 4.43 ms for the echo bot",
    "  against 6.27 ms for ours (4.43 / 6.27 = 0.71): the bot spends 1.8 ms more per answer",
    "  than a bare edit. A cProfile of the bot under a 10 s run shows no function of ours",
    "  among the largest own-time costs (they are PTB's object construction and the",
    "  httpx/httpcore/anyio request path, for the answerCallbackQuery and the edit both bots",
    "  make); where the 1.8 ms goes beyond that is not yet measured, so the target is",
    "  recorded as missed. Under production limits this does not show: the paced p95 is",
    "  31.0 ms (echo 9.8 ms), and Telegram's ~30 edits/s cap answers far below 157/s.",
    "  An earlier run today on a busy machine (load 2.1) gave a ratio of 0.849 and a paced",
    "  p95 of 52.2 ms: on this machine the ratio moves by ±0.1 between runs.",
    "- *Update handling* measures press → edit as the sandbox sees it. Paced mode is how",
    "  members use the bot (a few seconds reading each explanation) under the production send",
    "  budget of 30 calls/s. Capacity mode removes think time and lifts our budget so both",
    "  bots run flat out; the echo bot (`bench/echo_bot.py`) answers a press with one edit and",
    "  nothing else, so the ratio prices everything the bot does per answer (the access gate,",
    "  the session read, grading in one database call, the mistake book, rendering, HTML that",
    "  the sandbox parses). In production Telegram's budget (about 30 edits/s for the whole",
    "  bot) caps answers long before CPU does.",
    "- *Broadcast* is paced by the delivery engine's token bucket with a 4% margin, which is",
    "  why it reaches about 0.96 of the limit and, on an idle machine, never draws a 429.",
]


async def main_async() -> dict[str, Any]:
    """Every benchmark, one after another."""
    return {
        "updates": await bench_updates.main_async(50, 3.0, 20.0, 2.0),
        "broadcast": await bench_broadcast.main_async(10_000, 5_000, 100_000),
        "digest": await bench_digest.main_async(10_000, 1_000_000, 3),
        "startup": await bench_startup.main_async(5),
    }


def main() -> None:
    """Run, print the figures, write BENCHMARKS.md and bench/results.json."""
    when = datetime.now(UTC)
    results = asyncio.run(main_async())
    (ROOT / "bench" / "results.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (ROOT / "BENCHMARKS.md").write_text(render(results, when), encoding="utf-8")
    json.dump(results, sys.stdout, ensure_ascii=False, indent=2)
    print()


if __name__ == "__main__":
    main()
