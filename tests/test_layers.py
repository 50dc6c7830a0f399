"""The layers hold: checked on the source's syntax tree, so a violation fails here, not in review.

- `bot/tg/` reaches storage only through service methods: no import from `bot.storage`, no
  repository attribute (`.repo`, `._repo`, `.members`, `.outbox`, …) called, no SQL, no
  connection or transaction calls, no `services.db`.
- SQL (statement-shaped string literals) appears only in `bot/storage/`.
- `telegram` is imported only by the Telegram-facing modules: `bot/tg/`, the wiring
  (`bot/app.py`) and the process runner (`bot/runtime.py`, which starts PTB's application and
  turns the Bot API's start-up errors into one line for the operator).
- The domain is pure: it imports no storage, services, Telegram layer, PTB or database driver.
- Services import nothing from the Telegram layer.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"

TELEGRAM_FACING = ("bot/tg/", "bot/app.py", "bot/runtime.py")
REPOSITORY_ATTRIBUTES = {
    "repo",
    "_repo",
    "members",
    "invites",
    "outbox",
    "campaigns",
    "assignments",
    "acks",
    "audit",
}
STORAGE_CALLS = {"execute", "executemany", "executescript", "fetchone", "fetchall", "transaction"}
SQL = re.compile(
    r"^\s*(SELECT\b[\s\S]+\bFROM\b|INSERT\s+(OR\s+\w+\s+)?INTO\b|UPDATE\s+\w+\s+SET\b|"
    r"DELETE\s+FROM\b|CREATE\s+(TABLE|INDEX|UNIQUE|VIEW|TRIGGER)\b|ALTER\s+TABLE\b|"
    r"DROP\s+(TABLE|INDEX)\b|PRAGMA\s+\w+|WITH\s+\w+\s+AS\s*\(|BEGIN\b|COMMIT\b)"
)
PURE_DOMAIN_FORBIDS = ("bot.storage", "bot.services", "bot.tg", "telegram", "aiosqlite", "sqlite3")


def _imports(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def violations(relative: str, source: str) -> list[str]:
    """What breaks the layering in one module (`relative`: its path from the repository root)."""
    tree = ast.parse(source)
    found: list[str] = []
    in_tg = relative.startswith("bot/tg/")
    in_storage = relative.startswith("bot/storage/")
    for module in _imports(tree):
        if _within(module, "telegram") and not relative.startswith(TELEGRAM_FACING):
            found.append(f"{relative}: imports {module} outside the Telegram-facing modules")
        if in_tg and _within(module, "bot.storage"):
            found.append(f"{relative}: the Telegram layer imports {module}")
        if relative.startswith("bot/domain/") and any(
            _within(module, p) for p in PURE_DOMAIN_FORBIDS
        ):
            found.append(f"{relative}: the domain imports {module}")
        if relative.startswith("bot/services/") and _within(module, "bot.tg"):
            found.append(f"{relative}: a service imports {module}")
    for node in ast.walk(tree):
        if (
            not in_storage
            and isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and SQL.match(node.value)
        ):
            found.append(f"{relative}:{node.lineno}: SQL outside bot/storage/")
        if not in_tg:
            continue
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Attribute) and owner.attr in REPOSITORY_ATTRIBUTES:
                found.append(f"{relative}:{node.lineno}: calls a repository (.{owner.attr})")
            if node.func.attr in STORAGE_CALLS:
                found.append(f"{relative}:{node.lineno}: storage call .{node.func.attr}()")
        if isinstance(node, ast.Attribute) and node.attr == "db":
            found.append(f"{relative}:{node.lineno}: reaches the database (.db)")
    return found


def _modules() -> list[Path]:
    return sorted(p for p in BOT.rglob("*.py") if "__pycache__" not in p.parts)


def test_the_code_base_keeps_its_layers() -> None:
    modules = _modules()
    assert len(modules) > 80  # the walk found the package
    problems = [
        v
        for path in modules
        for v in violations(path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"))
    ]
    assert problems == []


@pytest.mark.parametrize(
    ("relative", "source", "expected"),
    [
        (
            "bot/tg/handlers/x.py",
            "async def f(s):\n    await s.quiz.repo.finish(1)\n",
            "calls a repository (.repo)",
        ),
        (
            "bot/tg/handlers/x.py",
            "async def f(s):\n    await s.membership.members.get(1)\n",
            "calls a repository (.members)",
        ),
        (
            "bot/tg/x.py",
            "async def f(s):\n    return await s.db.fetchall('x')\n",
            "reaches the database (.db)",
        ),
        (
            "bot/tg/x.py",
            "from bot.storage.members import MemberRepository\n",
            "imports bot.storage",
        ),
        (
            "bot/services/x.py",
            "Q = 'SELECT user_id FROM members WHERE status = ?'\n",
            "SQL outside bot/storage/",
        ),
        (
            "bot/tg/x.py",
            'Q = """\n    UPDATE members SET status = ? WHERE user_id = ?\n"""\n',
            "SQL outside bot/storage/",
        ),
        ("bot/services/x.py", "from telegram import Bot\n", "outside the Telegram-facing"),
        ("bot/domain/x.py", "import aiosqlite\n", "the domain imports aiosqlite"),
        ("bot/services/x.py", "from bot.tg.context import BotContext\n", "a service imports"),
    ],
)
def test_a_planted_violation_is_found(relative: str, source: str, expected: str) -> None:
    problems = violations(relative, source)
    assert problems
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("relative", "source"),
    [
        ("bot/storage/x.py", "Q = 'SELECT user_id FROM members'\n"),
        ("bot/sandbox/control.py", 'def f():\n    """DELETE /control/faults."""\n'),
        ("bot/tg/x.py", "async def f(s):\n    await s.membership.mark_unreachable(1)\n"),
        ("bot/app.py", "from telegram import Update\n"),
    ],
)
def test_what_is_allowed_is_not_reported(relative: str, source: str) -> None:
    assert violations(relative, source) == []
