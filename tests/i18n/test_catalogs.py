"""zh and en catalogs: the same keys, the same placeholders, and every key the code uses."""

from __future__ import annotations

import re
from pathlib import Path

from bot.i18n import load_catalog, placeholders, plural_forms, translate
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


def test_plural_forms_fit_their_message() -> None:
    for language in ("zh", "en"):
        for key, forms in plural_forms(language).items():
            other = placeholders(forms["other"])
            for category, text in forms.items():
                if category == "by":
                    assert text in other, (language, key)
                else:
                    assert placeholders(text) <= other, (language, key, category)


def test_english_picks_the_singular_for_one_and_chinese_has_one_form() -> None:
    assert translate("en", "invite.uses_n", n=1) == "1 person"
    assert translate("en", "invite.uses_n", n=2) == "2 people"
    assert translate("en", "invite.uses_n", n=0) == "0 people"
    assert translate("zh", "invite.uses_n", n=1) == "限 1 人使用"
    # `by` names the number that counts, not the first one in the message.
    item = {"number": 1, "stem": "S", "accuracy": 20}
    assert translate("en", "digest.weak_question_item", **item, answered=1).endswith("1 answer)")
    assert translate("en", "digest.weak_question_item", **item, answered=5).endswith("5 answers)")
    assert "reports" not in translate("en", "reports.export_caption", count=1)
    assert "1 report " in translate("en", "reports.export_caption", count=1)


def test_english_messages_are_written_without_chinese() -> None:
    chinese = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef\u2018\u2019\u201c\u201d]")
    catalog = load_catalog("en")
    texts = dict(catalog)
    for key, forms in plural_forms("en").items():
        texts.update({f"{key}.{c}": text for c, text in forms.items() if c != "by"})
    written = {k: v for k, v in texts.items() if chinese.search(v)}
    assert not written
    # The holidays are keyed by their Chinese names (as in holidays.yaml), named in English.
    assert catalog["holiday.春节"] == "Spring Festival"
