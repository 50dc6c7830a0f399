"""Run every benchmark in one run and write BENCHMARKS.md.

Run: python -m bench.run_all            (about 10 minutes on 2 cores)
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
        f"| update handling, capacity ({cap['members']} members, no think time; "
        f"{len(cap['pairs'])} echo/ours pairs) | ratio {cap['ratio']} (median of the pairs: "
        f"{', '.join(str(pair['ratio']) for pair in cap['pairs'])}); the pair at or just below it: "
        f"{cap['ours']['per_second']}/s vs echo {cap['echo']['per_second']}/s, "
        f"p95 {cap['ours']['p95_ms']} ms (echo {cap['echo']['p95_ms']} ms); CPU "
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
    "- **This run** (18:31 UTC): capacity ratio 0.899, its four pairs close together (0.9,",
    "  0.899, 0.861, 0.91); paced p95 31.9 ms; broadcast, memory and digest met; start-up",
    "  missed (below). Two earlier runs today with the same bot code: 17:54 UTC, ratio 0.975",
    "  (pairs 1.113, 0.904, 1.046, 0.822), paced p95 37.6 ms, one 429 in the broadcast's",
    "  5,000 sends, start-up 2.77 s; 18:08 UTC, ratio 0.86 (pairs 0.833, 0.887, 1.289,",
    "  0.686), paced p95 27.2 ms, start-up 2.10 s.",
    "- **The answer path, this round.** A py-spy profile of the bot under capacity load",
    "  (py-spy from PyPI in an environment of its own, sampling the thread that holds the GIL;",
    "  not a project dependency), set beside the echo bot's, showed three costs of ours:",
    "  - *getUpdates.* The bot polled again the moment a poll came back, so under load a call",
    "    brought one or two updates: 0.70 to 0.90 getUpdates per answer, against the echo",
    "    bot's 0.185. The processor now counts the updates being handled; while more than",
    "    eight are, the next poll waits until they are down to eight, at most 20 ms",
    "    (`bot/tg/processor.py`, `bot/tg/health.py`): 0.18 to 0.22 per answer since (counted",
    "    from the sandbox's call log; not in `results.json`). With few updates being handled",
    "    a poll goes at once, so an idle bot answers as fast as before.",
    "  - *Callback data.* `CallbackData.decode` ran `typing.get_type_hints` on every press",
    "    (it evaluates the string annotations each time); the field types are now resolved",
    "    once per class.",
    "  - *The access gate* ran the full receipt-code check (NFKC and three scans) over the",
    "    bot's own message text on every button press. A button's message is the bot's text",
    "    and a receipt shows its code as `ReceiptCode.formatted` writes it, so one search for",
    "    that form does; a test keeps a press that nothing claims on a receipt a reporter's",
    "    update (nothing about them written).",
    "- **The bot's changes alone**, the previous commit (4f41f03) against this one, both",
    "  driven the new way, alternately, four runs each in ten minutes (18:28 UTC, capacity",
    "  mode, 15 s each): before 121.3 to 154.4 answers/s at 6.33 to 8.07 ms of CPU per",
    "  answer; after 165.1 to 192.6/s at 5.11 to 5.97 ms. Every run after was faster than",
    "  every run before; the medians differ by about a fifth of the CPU per answer.",
    "- **The driver, this round.** Members in the benchmark waited with `sandbox.wait_for`,",
    "  which re-runs every waiter's check in its own task on every sandbox change: in",
    "  capacity mode that took 3.5 to 5 ms of sandbox CPU per answer of ours (2.75 ms per",
    "  echo answer in the last round's run), on the two cores the bots run on. One watcher",
    "  task now serves every member: 1.5 to 2.1 ms per answer of ours, 1.2 to 1.6 ms of the",
    "  echo bot's, in the pairs the three runs today recorded. Both bots are driven the same",
    "  way.",
    "- **Why four pairs.** This machine is a shared VM whose speed drifts from minute to",
    "  minute: the same pure-Python loop took 0.44 to 0.82 s in runs a second apart, and",
    "  single echo/ours pairs of the same code gave ratios from 0.69 to 1.29 within the hour",
    "  (the earlier runs' pairs above). Capacity mode now runs four echo/ours pairs, each bot",
    "  first in two of them, and reports the median ratio beside every pair's; `ours` and",
    "  `echo` in `results.json` are the figures of the pair at or just below the median.",
    "- **Before and after, and why the ratio is not the bots' change alone.** The last",
    "  round's run (15:58 UTC: one pair, the old driver) had the ratio at 0.699, ours at",
    "  6.27 ms and the echo bot at 4.43 ms per answer. Figures from different hours do not",
    "  compare (start-up took 1.6 s then and 1.9 to 3.1 s this evening, on the same code",
    "  path); and the driver's change helped ours more than the echo bot, because it freed",
    "  more of the cores during our runs (4.33 → 1.53 ms of sandbox CPU per answer) than",
    "  during the echo bot's (2.75 → 1.24 ms). The A/B above is the measure of the bot's",
    "  own changes; the ratio is the issue's figure.",
    "- **Start-up missed** in all three runs today (1.86 s first start and 2.39 s median",
    "  here), against 1.6 s at 15:58. Started alternately with the previous commit, three",
    "  times five warm starts each: medians 1.98, 2.51, 1.99 s before and 2.03, 2.79, 2.16 s",
    "  after, the same within the machine's drift; `import bot.app` alone took 0.7 to 0.9 s",
    "  of it this evening.",
    "- **What is left of the gap** is mostly what an answer carries: the bot's updates and",
    "  edit answers hold the quiz message (a multiple-choice question: 382 characters, five",
    "  bold entities, seven buttons) where the echo bot's hold `pressed N` and one button,",
    "  and PTB builds objects from all of it; then three database calls (the gate's caller,",
    "  the session, grading in one call) and rendering. The last round made grading one",
    "  database call instead of eleven hops (8.54 → 6.45 ms per answer that day).",
    "- *Update handling* measures press → edit as the sandbox sees it. Paced mode is how",
    "  members use the bot (a few seconds reading each explanation) under the production send",
    "  budget of 30 calls/s. Capacity mode removes think time and lifts our budget so both",
    "  bots run flat out; the echo bot (`bench/echo_bot.py`) answers a press with one edit and",
    "  nothing else, so the ratio prices everything the bot does per answer (the access gate,",
    "  the session read, grading in one database call, the mistake book, rendering, HTML that",
    "  the sandbox parses). In production Telegram's budget (about 30 edits/s for the whole",
    "  bot) caps answers long before CPU does.",
    "- *Broadcast* is paced by the delivery engine's token bucket with a 4% margin, which is",
    "  why it reaches about 0.96 of the limit and on an idle machine draws no 429 (one of",
    "  5,000 in the 17:54 run).",
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
