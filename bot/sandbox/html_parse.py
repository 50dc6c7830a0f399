"""Telegram's HTML parse mode: markup to plain text plus entities in UTF-16 offsets."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

__all__ = ["EntityParseError", "parse_html", "strip_text", "utf16_len"]

_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
}
_SUPPORTED_TAGS = {*_SIMPLE_TAGS, "a", "span", "blockquote", "tg-emoji"}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# Telegram (tdlib) decodes numeric references and only these four names; a '&' that starts
# nothing it knows stays literal, and the ';' is optional.
_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8})|([a-zA-Z]+));?")


class EntityParseError(ValueError):
    """The markup is not valid Telegram HTML; the message is tdlib's wording."""


def utf16_len(text: str) -> int:
    """Length of text in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _decode_entity(match: re.Match[str]) -> str:
    """Replace one character reference the way tdlib does."""
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        if name in _NAMED_ENTITIES:
            return _NAMED_ENTITIES[name]
        return match.group(0)
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return match.group(0)
    return chr(code)


class _TagScanner(HTMLParser):
    """Collect the positions of start and end tags; text between them is sliced from source."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.source = source
        self.line_starts = [0, *(m.end() for m in re.finditer("\n", source))]
        self.tags: list[tuple[int, int, bool, str, dict[str, str]]] = []

    def _position(self) -> int:
        """Index in source of the construct being handled."""
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Record an opening tag."""
        start = self._position()
        end = start + len(self.get_starttag_text() or "")
        self.tags.append((start, end, True, tag, {k: v or "" for k, v in attrs}))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Record `<x/>` as an opening tag immediately closed."""
        self.handle_starttag(tag, attrs)
        end = self.tags[-1][1]
        self.tags.append((end, end, False, tag, {}))

    def handle_endtag(self, tag: str) -> None:
        """Record a closing tag."""
        start = self._position()
        end = self.source.find(">", start) + 1 or len(self.source)
        self.tags.append((start, end, False, tag, {}))


class _Builder:
    """Turn the tag stream into plain text and entities."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.parts: list[str] = []
        self.offset = 0
        self.stack: list[tuple[str, int, dict[str, str], int]] = []
        self.entities: list[dict[str, Any]] = []

    def byte_offset(self, index: int) -> int:
        """UTF-8 byte offset of a source index, as tdlib reports positions."""
        return len(self.source[:index].encode("utf-8"))

    def add_text(self, start: int, end: int) -> None:
        """Append the source text between two tags, decoding character references."""
        raw = self.source[start:end]
        bracket = raw.find("<")
        if bracket >= 0:
            name = re.match(r"[^\s>]*", raw[bracket + 1 :])
            tag = name.group(0) if name else ""
            raise EntityParseError(
                f'Unsupported start tag "{tag}" at byte offset {self.byte_offset(start + bracket)}'
            )
        text = _ENTITY_RE.sub(_decode_entity, raw)
        self.parts.append(text)
        self.offset += utf16_len(text)

    def open_tag(self, position: int, tag: str, attrs: dict[str, str]) -> None:
        """Push an opening tag after checking that Telegram supports it."""
        if tag not in _SUPPORTED_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{tag}" at byte offset {self.byte_offset(position)}'
            )
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset '
                f"{self.byte_offset(position)}"
            )
        self.stack.append((tag, self.offset, attrs, position))

    def close_tag(self, position: int, tag: str) -> None:
        """Pop the matching opening tag and emit its entity."""
        if not self.stack:
            raise EntityParseError(
                f"Unexpected end tag at byte offset {self.byte_offset(position)}"
            )
        open_name, start, attrs, _ = self.stack.pop()
        if open_name != tag:
            raise EntityParseError(
                f"Unmatched end tag at byte offset {self.byte_offset(position)}, "
                f'expected "</{open_name}>", found "</{tag}>"'
            )
        length = self.offset - start
        if length <= 0:
            return
        entity = self.entity_for(tag, attrs, start, length)
        if entity is not None:
            self.entities.append(entity)

    def entity_for(
        self, tag: str, attrs: dict[str, str], start: int, length: int
    ) -> dict[str, Any] | None:
        """The entity dict for a closed tag, or None when the tag produces none."""
        entity: dict[str, Any] = {"offset": start, "length": length}
        if tag in _SIMPLE_TAGS:
            entity["type"] = _SIMPLE_TAGS[tag]
            if tag == "code" and attrs.get("class", "").startswith("language-"):
                entity["_language"] = attrs["class"].removeprefix("language-")
            if tag == "pre":
                self.merge_pre_code(entity)
        elif tag == "span":
            entity["type"] = "spoiler"
        elif tag == "a":
            url = attrs.get("href", "").strip()
            if not url:
                return None
            entity.update(type="text_link", url=url)
        elif tag == "blockquote":
            entity["type"] = "expandable_blockquote" if "expandable" in attrs else "blockquote"
        else:
            emoji_id = attrs.get("emoji-id", "")
            if not emoji_id:
                return None
            entity.update(type="custom_emoji", custom_emoji_id=emoji_id)
        return entity

    def merge_pre_code(self, pre: dict[str, Any]) -> None:
        """Fold `<pre><code class="language-x">` into one pre entity with a language."""
        if not self.entities:
            return
        last = self.entities[-1]
        same_span = last["offset"] == pre["offset"] and last["length"] == pre["length"]
        if last["type"] == "code" and same_span:
            self.entities.pop()
            if "_language" in last:
                pre["language"] = last["_language"]

    def finish(self) -> tuple[str, list[dict[str, Any]]]:
        """Check that every tag was closed and return text and sorted entities."""
        if self.stack:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1][0]}"'
            )
        for entity in self.entities:
            entity.pop("_language", None)
        ordered = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), ordered


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into plain text and entities; raise EntityParseError when invalid."""
    scanner = _TagScanner(source)
    scanner.feed(source)
    scanner.close()
    builder = _Builder(source)
    cursor = 0
    for start, end, is_open, tag, attrs in scanner.tags:
        builder.add_text(cursor, start)
        if is_open:
            builder.open_tag(start, tag, attrs)
        else:
            builder.close_tag(start, tag)
        cursor = end
    builder.add_text(cursor, len(source))
    return builder.finish()


def strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Trim surrounding whitespace as Telegram does and shift or clip entities to match."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    limit = utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, limit)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result
