"""Command line: `python -m bot run|demo|…`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from bot.config import Config, ConfigError, load_config, parse_config
from bot.content.problems import ContentError, Problem
from bot.logs import setup_logging
from bot.runtime import StartupError, serve
from bot.storage.database import Database, DatabaseError
from bot.storage.files import private_umask


def _cmd_run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    setup_logging(
        config.log_level,
        secrets=[
            config.telegram.token,
            config.telegram.webhook.secret_token,
            config.telegram.proxy,
        ],
    )
    for warning in config.warnings:
        logging.getLogger("bot.config").warning("%s", warning)
    # The database, WAL, backups and the heartbeat: readable by this user only.
    with private_umask():
        asyncio.run(serve(config))
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    setup_logging("INFO")
    asyncio.run(run_demo(host=args.host, port=args.port, content_dir=args.content))
    return 0


def _optional_config(path: str | None) -> Config:
    """The config if one is given or found; defaults otherwise (offline tools need no token)."""
    if path or os.environ.get("BOT_CONFIG") or Path("config.yaml").exists():
        return load_config(path, require_token=False)
    return parse_config({}, require_token=False)


def _today(config: Config, given: date | None) -> date:
    """The date checks run for: --today if given (tests), else today in the configured zone."""
    return given or datetime.now(UTC).astimezone(config.timezone).date()


def _cmd_content_check(args: argparse.Namespace) -> int:
    from bot.content.quizzes import bank_files, load_library
    from bot.content.reminders import load_reminders, load_schedule, warning_lines
    from bot.domain.holidays import schedule_warning

    config = _optional_config(args.config)
    quiz_dir = Path(args.quizzes or config.quiz.content_dir)
    library = load_library(bank_files(quiz_dir))
    problems = list(library.problems)
    if not bank_files(quiz_dir):
        problems.append(Problem(str(quiz_dir), 0, "-", "no question banks (*.yaml) found"))
    try:
        load_reminders(config.reminders.content_dir)
    except ContentError as exc:
        problems.extend(exc.problems)
    warnings: list[str] = []
    try:
        schedule = load_schedule(config.reminders.holidays_file)
    except ContentError as exc:
        problems.extend(exc.problems)
    else:
        r = config.reminders
        warning = schedule_warning(
            _today(config, args.today), schedule, r.lead_days, r.warn_missing_schedule_from
        )
        if warning is not None:
            warnings = warning_lines(warning, str(r.holidays_file))
    for problem in problems:
        print(problem)
    for line in warnings:
        print(line, file=sys.stderr)
    questions = sum(len(b.questions) for b in library.banks)
    summary = f"{len(library.banks)} banks, {questions} questions, {len(problems)} problems"
    if warnings:
        summary += f", {len(warnings)} warning" + ("s" if len(warnings) > 1 else "")
    failed = bool(problems) or (args.strict and bool(warnings))
    print(summary, file=sys.stderr if failed else sys.stdout)
    return 1 if failed else 0


def _cmd_content_lint(args: argparse.Namespace) -> int:
    from bot.content.lint import (
        RULES,
        default_rules_path,
        format_figures,
        format_notes,
        lint,
        load_rules,
    )
    from bot.content.quizzes import bank_files, load_library

    config = _optional_config(args.config)
    quiz_dir = Path(args.quizzes or config.quiz.content_dir)
    rules = load_rules(Path(args.rules) if args.rules else default_rules_path(quiz_dir))
    files = bank_files(quiz_dir)
    if not files:
        print(f"{quiz_dir}:0: -: no question banks (*.yaml) found", file=sys.stderr)
        return 1
    library = load_library(files)
    for problem in library.problems:
        print(problem)
    report = lint(library.banks, rules, where=str(quiz_dir))
    print(format_figures(report))
    if args.details:
        for line in format_notes(report):
            print(line)
    for problem in report.failures:
        print(problem)
    failing = [r for r in RULES if r in report.failed_rules]
    summary = (
        f"lint: {len(library.banks)} banks, {report.overall.questions} questions, "
        f"{len(RULES) - len(failing)} of {len(RULES)} rules pass"
        + (f"; failing: {', '.join(failing)}" if failing else "")
    )
    bad = bool(failing or library.problems)
    if library.problems:
        summary += f"; {len(library.problems)} content problems (see content check)"
    print(summary, file=sys.stderr if bad else sys.stdout)
    return 1 if bad else 0


def _cmd_content_import(args: argparse.Namespace) -> int:
    from bot.content.importers import ImportFailed, UnsupportedFormat, import_file

    source = Path(args.file)
    try:
        result = import_file(
            source,
            bank_id=args.id,
            title=args.title,
            id_prefix=args.id_prefix,
            default_source=args.source,
            default_explanation=args.explanation,
        )
    except (ImportFailed, UnsupportedFormat) as exc:
        for rejected in getattr(exc, "rejected", []):
            print(
                f"{source}: {rejected.location}: not imported: {rejected.reason}", file=sys.stderr
            )
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for rejected in result.rejected:
        print(f"{source}: {rejected.location}: not imported: {rejected.reason}", file=sys.stderr)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(result.bank_yaml, encoding="utf-8")
        print(f"{out}: {result.imported} questions written, {len(result.rejected)} rejected")
    else:
        sys.stdout.write(result.bank_yaml)
    return 1 if result.rejected else 0


def _cmd_reminders_plan(args: argparse.Namespace) -> int:
    from bot.content.reminders import format_plan
    from bot.services.reminders import ReminderContent, plan_year

    config = _optional_config(args.config)
    content = ReminderContent.load(config)
    year = args.year or _today(config, None).year
    path = str(config.reminders.holidays_file)
    print(format_plan(plan_year(config, content, year), year, content.schedule, path))
    return 0


async def _open_existing(config: Config) -> Database:
    """The configured database, which must exist (offline tools never create an empty one)."""
    if not config.storage_path.is_file():
        raise DatabaseError(f"{config.storage_path}: no database here (storage.path)")
    db = Database(config.storage_path)
    await db.open()
    return db


def _cmd_export(args: argparse.Namespace) -> int:
    from bot.progress import ProgressBar
    from bot.services.exports import export_table, format_for

    config = _optional_config(args.config)
    out = Path(args.out)
    fmt = format_for(out, args.format)

    async def export() -> int:
        db = await _open_existing(config)
        try:
            progress = ProgressBar.for_terminal(f"{args.kind} → {out.name}")
            return await export_table(config, db, args.kind, fmt, out, progress)
        finally:
            await db.close()

    with private_umask():
        rows = asyncio.run(export())
    print(f"{out}: {rows} rows ({args.kind}, {fmt})")
    return 0


def _cmd_backup(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from bot.services.backup import backup_database

    config = _optional_config(args.config)
    with private_umask():
        result = asyncio.run(backup_database(config, args.dest, datetime.now(UTC)))
    if not result.ok:
        # The copy is kept (it may still be the best there is), but the source is damaged.
        first = result.integrity.splitlines()[0] if result.integrity else "no answer"
        raise DatabaseError(
            f"{config.storage_path}: the database is damaged (integrity_check of the copy "
            f"{result.path}: {first})"
        )
    print(f"{result.path}: {result.size} bytes, integrity_check: {result.integrity}")
    return 0


def _cmd_health(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime, timedelta

    from bot.services.health import heartbeat_path, judge

    try:
        config = _optional_config(args.config)
    except ConfigError as exc:
        # Docker's HEALTHCHECK knows 0 and 1 only.
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    verdict = judge(heartbeat_path(config), datetime.now(UTC), timedelta(seconds=args.max_age))
    print(verdict.line, file=sys.stdout if verdict.healthy else sys.stderr)
    return 0 if verdict.healthy else 1


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
    demo.add_argument(
        "--content", metavar="DIR", help="content folder, as content.dir (default: ./content)"
    )
    demo.set_defaults(func=_cmd_demo)

    content = sub.add_parser("content", help="check or import question banks and reminder texts")
    content_sub = content.add_subparsers(dest="content_command", required=True, metavar="ACTION")
    check = content_sub.add_parser(
        "check", help="validate every bank, reminder text and the holiday schedule"
    )
    check.add_argument("--config", metavar="PATH", help="take content paths from this config")
    check.add_argument("--quizzes", metavar="DIR", help="question-bank folder to check")
    check.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 on warnings too (e.g. next year's holiday schedule not yet in holidays.yaml)",
    )
    # The date warnings are judged on (default today); for tests and for checking ahead.
    check.add_argument("--today", type=date.fromisoformat, help=argparse.SUPPRESS)
    check.set_defaults(func=_cmd_content_check)
    lint = content_sub.add_parser(
        "lint",
        help="figures on guessable answers, duplicates, trivia and superseded versions; "
        "exit 1 if a rule fails",
    )
    lint.add_argument("--config", metavar="PATH", help="take the quiz folder from this config")
    lint.add_argument("--quizzes", metavar="DIR", help="question-bank folder to lint")
    lint.add_argument(
        "--rules",
        metavar="FILE",
        help="word lists and patterns (default: lint.yaml beside the quiz folder, else the "
        "shipped content/lint.yaml)",
    )
    lint.add_argument(
        "--details",
        action="store_true",
        help="also list every question counted in a figure (trivia, longest key, cues …)",
    )
    lint.set_defaults(func=_cmd_content_lint)
    imp = content_sub.add_parser(
        "import", help="convert .xlsx, .csv, Moodle Aiken or GIFT into a YAML bank"
    )
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--out", metavar="PATH", help="write the bank here (default: stdout)")
    imp.add_argument("--id", help="bank id (default: from the file name)")
    imp.add_argument("--title", help="bank title (default: the file name)")
    imp.add_argument("--id-prefix", help="question id prefix (default: the bank id)")
    imp.add_argument("--source", help="出处 for questions that have none (Aiken)")
    imp.add_argument("--explanation", help="解析 for questions that have none (Aiken)")
    imp.set_defaults(func=_cmd_content_import)

    reminders = sub.add_parser("reminders", help="holiday integrity reminders")
    reminders_sub = reminders.add_subparsers(
        dest="reminders_command", required=True, metavar="ACTION"
    )
    plan = reminders_sub.add_parser(
        "plan", help="print every planned reminder send of a year (date, time, holiday, break)"
    )
    plan.add_argument("--year", type=int, help="the year to plan (default: this year)")
    plan.add_argument("--config", metavar="PATH", help="lead days, send time and content paths")
    plan.set_defaults(func=_cmd_reminders_plan)

    export = sub.add_parser(
        "export",
        help="write quiz results, report summaries, members or question statistics to CSV or XLSX",
    )
    export.add_argument("kind", choices=("quiz", "reports", "members", "items"))
    export.add_argument(
        "--format", choices=("csv", "xlsx"), help="file format (default: from --out, else csv)"
    )
    export.add_argument("--out", metavar="FILE", required=True, help="file to write")
    export.add_argument("--config", metavar="PATH", help="take storage.path from this config")
    export.set_defaults(func=_cmd_export)

    backup = sub.add_parser(
        "backup", help="online backup of the database (safe while the bot runs), verified"
    )
    backup.add_argument(
        "dest", metavar="DEST", help="backup file, or a folder for a timestamped file"
    )
    backup.add_argument("--config", metavar="PATH", help="take storage.path from this config")
    backup.set_defaults(func=_cmd_backup)

    health = sub.add_parser(
        "health",
        help="exit 0 if the running bot's heartbeat is fresh and healthy, else 1 (for Docker)",
    )
    health.add_argument("--config", metavar="PATH", help="take storage.path from this config")
    health.add_argument(
        "--max-age",
        type=int,
        default=90,
        metavar="SECONDS",
        help="oldest heartbeat still taken as alive (default 90; the bot beats every 30)",
    )
    health.set_defaults(func=_cmd_health)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a subcommand; configuration problems end with one line on stderr and exit code 2."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (ConfigError, DatabaseError, StartupError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ContentError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
