"""Strict readers for catalogue JSON: every error names the file, the entry and the field."""

from __future__ import annotations

import math
from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from forecourt.compat.domain.model import Confidence, Sourced, SourcedCurve

E = TypeVar("E", bound=StrEnum)
_NOT_A_MEMBER = "\x00"  # forces the ValueError path for non-strings


class CatalogueError(ValueError):
    """A catalogue file is malformed; ``str()`` says where and what."""

    def __init__(self, file: str, entry: str, field: str, problem: str) -> None:
        self.file, self.entry, self.field, self.problem = file, entry, field, problem
        where = f"{file}: {entry}" + (f", field '{field}'" if field else "")
        super().__init__(f"{where}: {problem}")


class Reader:
    """Reads fields of one JSON object, remembering where it is for error messages."""

    def __init__(self, data: object, file: str, entry: str, path: str = "") -> None:
        self.file, self.entry, self.path = file, entry, path
        if not isinstance(data, Mapping):
            raise self.error("", f"expected an object, got {_kind(data)}")
        self.data: Mapping[str, object] = data

    def error(self, key: str, problem: str) -> CatalogueError:
        return CatalogueError(self.file, self.entry, self._at(key), problem)

    def _at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path and key else (self.path or key)

    def only(self, *allowed: str) -> None:
        """Reject unknown keys, so a typo is an error instead of a silent default."""
        for key in self.data:
            if key not in allowed:
                raise self.error(key, f"unknown field (expected one of: {', '.join(allowed)})")

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def raw(self, key: str) -> object:
        if key not in self.data:
            raise self.error(key, "missing")
        return self.data[key]

    def child(self, key: str) -> Reader:
        return Reader(self.raw(key), self.file, self.entry, self._at(key))

    def text(self, key: str, default: str | None = None) -> str:
        if default is not None and key not in self.data:
            return default
        value = self.raw(key)
        if not isinstance(value, str) or (default is None and not value.strip()):
            raise self.error(key, f"expected a non-empty string, got {_kind(value)}")
        return value

    def flag(self, key: str, default: bool | None = None) -> bool:
        if default is not None and key not in self.data:
            return default
        value = self.raw(key)
        if not isinstance(value, bool):
            raise self.error(key, f"expected true or false, got {_kind(value)}")
        return value

    def number(self, key: str, *, minimum: float = 0.0, maximum: float = math.inf) -> float:
        return self._check_number(key, self.raw(key), minimum, maximum)

    def _check_number(self, key: str, value: object, minimum: float, maximum: float) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise self.error(key, f"expected a number, got {_kind(value)}")
        if not minimum <= value <= maximum:
            raise self.error(key, f"{value} is outside {minimum:g}..{maximum:g}")
        return float(value)

    def choice(self, key: str, enum: type[E]) -> E:
        value = self.raw(key)
        try:
            return enum(str(value)) if isinstance(value, str) else enum(_NOT_A_MEMBER)
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            raise self.error(key, f"{value!r} is not one of: {allowed}") from None

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.error(key, f"expected a list of strings, got {_kind(value)}")
        return tuple(value)

    def provenance(self) -> tuple[str, Confidence, str]:
        return self.text("source"), self.choice("confidence", Confidence), self.text("note", "")

    def sourced(self, key: str, *, minimum: float = 0.0, maximum: float = math.inf) -> Sourced:
        """``{"value": 77.4, "source": "...", "confidence": "published", "note": "..."}``."""
        node = self.child(key)
        node.only("value", "source", "confidence", "note")
        value = node.number("value", minimum=minimum, maximum=maximum)
        return Sourced(value, *node.provenance())

    def curve(self, key: str, *, maximum: float = math.inf) -> SourcedCurve:
        """``{"points": [[soc, value], ...], "source": ..., "confidence": ...}``."""
        node = self.child(key)
        node.only("points", "source", "confidence", "note")
        raw = node.raw("points")
        if not isinstance(raw, list) or len(raw) < 2:
            raise node.error("points", "expected a list of at least two [soc, value] pairs")
        points = tuple(node._point(index, item, maximum) for index, item in enumerate(raw))
        for index in range(1, len(points)):
            if points[index][0] <= points[index - 1][0]:
                raise node.error(f"points[{index}]", "SoC values must strictly increase")
        return SourcedCurve(points, *node.provenance())

    def _point(self, index: int, item: object, maximum: float) -> tuple[float, float]:
        key = f"points[{index}]"
        if not isinstance(item, list) or len(item) != 2:
            raise self.error(key, f"expected a [soc, value] pair, got {_kind(item)}")
        soc = self._check_number(key, item[0], 0.0, 100.0)
        return soc, self._check_number(key, item[1], 0.0, maximum)


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__
