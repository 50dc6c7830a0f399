"""User-facing text: a catalog per language (zh/, en/), the same keys and placeholders in each.

Each language is a folder of YAML files, one per feature, merged into one flat catalog.

A message whose wording depends on a number is a mapping of plural forms (CLDR categories:
`one`, `other`) instead of a string, e.g. `uses_n: {one: "{n} person", other: "{n} people"}`;
a language without plural forms (zh) keeps a plain string. The form follows the placeholder
named by `by` (e.g. `by: answered`), or else the first placeholder that holds an integer.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path

import yaml

CATALOG_DIR = Path(__file__).parent
LANGUAGES = ("zh", "en")
# CLDR plural categories; a catalog mapping with only these keys (and `other`) is one message.
PLURAL_CATEGORIES = frozenset({"zero", "one", "two", "few", "many", "other"})
PLURAL_BY = "by"  # in a plural message: the placeholder whose number picks the form

Translate = Callable[..., str]


class CatalogError(Exception):
    """A catalog file is missing, malformed, or disagrees with the other language."""


def _is_plural(value: dict[object, object]) -> bool:
    """Whether a catalog mapping is one message's plural forms rather than a group of keys."""
    return "other" in value and all(k in PLURAL_CATEGORIES or k == PLURAL_BY for k in value)


def _flatten(
    data: dict[str, object], prefix: str = "", plurals: dict[str, dict[str, str]] | None = None
) -> dict[str, str]:
    """Dotted keys to text; plural messages go in as their `other` form (and into `plurals`)."""
    out: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(key, str):
            # YAML reads bare yes/no/true/false keys as booleans.
            raise CatalogError(f"{prefix}{key}: keys must be text (quote yes/no/true/false)")
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and _is_plural(value):
            forms = {k.rsplit(".", 1)[1]: text for k, text in _flatten(value, f"{dotted}.").items()}
            if PLURAL_BY in forms and forms[PLURAL_BY] not in placeholders(forms["other"]):
                raise CatalogError(f"{dotted}.{PLURAL_BY}: {forms[PLURAL_BY]!r} is no placeholder")
            if plurals is not None:
                plurals[dotted] = forms
            out[dotted] = forms["other"]
        elif isinstance(value, dict):
            out.update(_flatten(value, f"{dotted}.", plurals))
        elif isinstance(value, str):
            out[dotted] = value.rstrip("\n") if value.endswith("\n") else value
        else:
            raise CatalogError(f"{dotted}: expected text, got {value!r}")
    return out


def placeholders(text: str) -> frozenset[str]:
    """The {names} a message expects."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


def load_catalog(language: str) -> dict[str, str]:
    """One language's messages by key (a plural message as its `other` form)."""
    return _load(language)[0]


def plural_forms(language: str) -> dict[str, dict[str, str]]:
    """One language's plural messages: key → {category: text}."""
    return _load(language)[1]


def plural_category(language: str, n: int) -> str:
    """The CLDR plural category of `n`: English has one and other, Chinese only other."""
    return "one" if language == "en" and n == 1 else "other"


@cache
def _load(language: str) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Read one language's catalog files and merge them (cached for the process)."""
    merged: dict[str, str] = {}
    plurals: dict[str, dict[str, str]] = {}
    for path in sorted((CATALOG_DIR / language).glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise CatalogError(f"{path}: cannot load: {exc}") from None
        if not isinstance(data, dict):
            raise CatalogError(f"{path}: expected a mapping of keys to text")
        for key, text in _flatten(data, plurals=plurals).items():
            if key in merged:
                raise CatalogError(f"{path}: {key}: defined in another file of {language}/ too")
            merged[key] = text
    if not merged:
        raise CatalogError(f"{CATALOG_DIR / language}: no catalog files")
    return merged, plurals


def _counted(forms: dict[str, str], values: dict[str, object]) -> int | None:
    """The number that picks a plural form: `by`'s value, or the first integer placeholder's."""
    names = [forms[PLURAL_BY]] if PLURAL_BY in forms else placeholders_in_order(forms["other"])
    for name in names:
        value = values.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def placeholders_in_order(text: str) -> list[str]:
    """The {names} of a message in the order they appear."""
    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


def translate(language: str, key: str, /, **values: object) -> str:
    """The text for `key` in `language`, with placeholders filled in (and its plural form)."""
    language = language if language in LANGUAGES else LANGUAGES[0]
    catalog, plurals = _load(language)
    try:
        text = catalog[key]
        forms = plurals.get(key)
        if forms:
            n = _counted(forms, values)
            if n is not None:
                text = forms.get(plural_category(language, n), text)
        return text.format(**values)
    except KeyError as exc:
        # A missing key or placeholder is a programming error; fail loudly in tests.
        raise CatalogError(f"{language}: {key}: missing {exc}") from None


def days_off(t: Translate, start: date, end: date) -> str:
    """A holiday break's days: one date, or "start to end" (never "5 June to 5 June")."""
    if start == end:
        return t("holiday_days.one", day=start.isoformat())
    return t("holiday_days.range", start=start.isoformat(), end=end.isoformat())


def translator(language: str) -> Translate:
    """A `t(key, **values)` function bound to one language."""

    def t(key: str, /, **values: object) -> str:
        return translate(language, key, **values)

    return t
