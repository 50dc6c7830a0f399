"""zh and en catalogs: the same keys, the same placeholders, and every key the code uses."""

from __future__ import annotations

import re
from pathlib import Path

from bot.i18n import load_catalog, placeholders
from bot.tg.commands import COMMANDS

BOT = Path(__file__).resolve().parents[2] / "bot"


def test_same_keys_and_placeholders() -> None:
    zh, en = load_catalog("zh"), load_catalog("en")
    assert set(zh) == set(en), set(zh) ^ set(en)
    mismatched = {
        k: (placeholders(zh[k]), placeholders(en[k]))
        for k in zh
        if placeholders(zh[k]) != placeholders(en[k])
    }
    assert not mismatched


def test_every_literal_key_used_in_code_exists() -> None:
    zh = load_catalog("zh")
    used: set[str] = set()
    pattern = re.compile(r"""\bt(?:ranslate)?\(\s*(?:[a-z_]+,\s*)?"([a-z_]+\.[a-z_.]+)\"""")
    for path in BOT.rglob("*.py"):
        used.update(pattern.findall(path.read_text(encoding="utf-8")))
    assert len(used) > 30
    assert not sorted(used - set(zh))


def test_every_command_has_a_description_in_both_languages() -> None:
    for language in ("zh", "en"):
        catalog = load_catalog(language)
        for spec in COMMANDS:
            description = catalog[f"commands.{spec.name}"]
            assert 3 <= len(description) <= 256  # Telegram's BotCommand limits
