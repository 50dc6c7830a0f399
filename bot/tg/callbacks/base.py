"""Typed, versioned callback data: `v1:<prefix>:<field>:<field>…`, at most 64 bytes.

Fields with a fixed set of values are enums (domain enums where they exist), so a value
outside the set fails to decode; each encodes as its value, as the plain strings did.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, ClassVar, Self, get_type_hints

VERSION = "v1"
MAX_BYTES = 64  # Telegram's limit for InlineKeyboardButton.callback_data
SEP = ":"


class CallbackDataError(ValueError):
    """Callback data that does not parse: forged, truncated, or from an old version."""


@dataclasses.dataclass(frozen=True)
class CallbackData:
    """Base for button payloads; subclasses are frozen dataclasses with a unique `prefix`."""

    prefix: ClassVar[str] = ""
    registry: ClassVar[dict[str, type[CallbackData]]] = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.prefix or SEP in cls.prefix:
            raise TypeError(f"{cls.__name__} needs a prefix without {SEP!r}")
        if cls.prefix in CallbackData.registry:
            raise TypeError(f"callback prefix {cls.prefix!r} is used twice")
        CallbackData.registry[cls.prefix] = cls

    def encode(self) -> str:
        """Serialise for a button; raises if it would exceed Telegram's 64 bytes."""
        parts = [VERSION, self.prefix]
        for name, _kind in _field_types(type(self)):
            value = getattr(self, name)
            text = ("1" if value else "0") if isinstance(value, bool) else str(value)
            if SEP in text:
                raise ValueError(f"{self.prefix}.{name}: {SEP!r} not allowed in {text!r}")
            parts.append(text)
        data = SEP.join(parts)
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def decode(cls, data: str) -> Self:
        """Parse data made by `encode` for this class."""
        parts = data.split(SEP)
        fields = _field_types(cls)
        if len(parts) != len(fields) + 2 or parts[0] != VERSION or parts[1] != cls.prefix:
            raise CallbackDataError(f"not {cls.__name__} data")
        values: dict[str, object] = {}
        for (name, kind), raw in zip(fields, parts[2:], strict=True):
            try:
                if kind is bool:
                    if raw not in ("0", "1"):
                        raise ValueError(raw)
                    values[name] = raw == "1"
                elif kind is int:
                    values[name] = int(raw)
                else:
                    values[name] = kind(raw)
            except ValueError:
                raise CallbackDataError(f"{cls.__name__}.{name}: bad value") from None
        return cls(**values)

    @classmethod
    def pattern(cls) -> re.Pattern[str]:
        """The regex a CallbackQueryHandler uses to route this class's buttons."""
        return re.compile(rf"^{VERSION}{SEP}{re.escape(cls.prefix)}(?:{SEP}|$)")


_FIELD_TYPES: dict[type, tuple[tuple[str, Any], ...]] = {}


def _field_types(cls: type[CallbackData]) -> tuple[tuple[str, Any], ...]:
    """Each field's name and type, in order: resolved once per class, not on every press
    (get_type_hints evaluates the string annotations each time it is called)."""
    fields = _FIELD_TYPES.get(cls)
    if fields is None:
        hints = get_type_hints(cls)
        fields = _FIELD_TYPES[cls] = tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))
    return fields
