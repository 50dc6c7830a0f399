"""User-facing text: a catalog per language (zh/, en/), the same keys and placeholders in each.

Each language is a folder of YAML files, one per feature, merged into one flat catalog.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from functools import cache
from pathlib import Path

import yaml

CATALOG_DIR = Path(__file__).parent
LANGUAGES = ("zh", "en")

Translate = Callable[..., str]


class CatalogError(Exception):
    """A catalog file is missing, malformed, or disagrees with the other language."""


def _flatten(data: dict[str, object], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(key, str):
            # YAML reads bare yes/no/true/false keys as booleans.
            raise CatalogError(f"{prefix}{key}: keys must be text (quote yes/no/true/false)")
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{dotted}."))
        elif isinstance(value, str):
            out[dotted] = value.rstrip("\n") if value.endswith("\n") else value
        else:
            raise CatalogError(f"{dotted}: expected text, got {value!r}")
    return out


def placeholders(text: str) -> frozenset[str]:
    """The {names} a message expects."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


@cache
def load_catalog(language: str) -> dict[str, str]:
    """Read one language's catalog files and merge them (cached for the process)."""
    merged: dict[str, str] = {}
    for path in sorted((CATALOG_DIR / language).glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise CatalogError(f"{path}: cannot load: {exc}") from None
        if not isinstance(data, dict):
            raise CatalogError(f"{path}: expected a mapping of keys to text")
        for key, text in _flatten(data).items():
            if key in merged:
                raise CatalogError(f"{path}: {key}: defined in another file of {language}/ too")
            merged[key] = text
    if not merged:
        raise CatalogError(f"{CATALOG_DIR / language}: no catalog files")
    return merged


def translate(language: str, key: str, /, **values: object) -> str:
    """The text for `key` in `language`, with placeholders filled in."""
    catalog = load_catalog(language if language in LANGUAGES else LANGUAGES[0])
    try:
        return catalog[key].format(**values)
    except KeyError as exc:
        # A missing key or placeholder is a programming error; fail loudly in tests.
        raise CatalogError(f"{language}: {key}: missing {exc}") from None


def translator(language: str) -> Translate:
    """A `t(key, **values)` function bound to one language."""

    def t(key: str, /, **values: object) -> str:
        return translate(language, key, **values)

    return t
