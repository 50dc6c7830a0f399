"""Command line: `python -m bot run|demo|…`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from bot.config import ConfigError, load_config
from bot.logs import setup_logging
from bot.runtime import StartupError, serve
from bot.storage.database import DatabaseError


def _cmd_run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    setup_logging(config.log_level, secrets=[config.telegram.token])
    asyncio.run(serve(config))
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    setup_logging("INFO")
    asyncio.run(run_demo(host=args.host, port=args.port))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="清廉助手 — integrity-program assistant for Telegram"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run the bot against Telegram (or any Bot API server)")
    run.add_argument(
        "--config", metavar="PATH", help="config file (default: $BOT_CONFIG or ./config.yaml)"
    )
    run.set_defaults(func=_cmd_run)

    demo = sub.add_parser(
        "demo", help="run locally with a built-in Telegram sandbox and a web chat page"
    )
    demo.add_argument("--host", default="127.0.0.1", help="address to serve the page on")
    demo.add_argument("--port", type=int, default=8080, help="port (0: any free port)")
    demo.set_defaults(func=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a subcommand; configuration problems end with one line on stderr and exit code 2."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (ConfigError, DatabaseError, StartupError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
