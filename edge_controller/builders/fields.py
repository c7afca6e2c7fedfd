"""Typed reads from a raw manifest, each failing with a :class:`SpecError` that names the path.

Used by :mod:`.validate` only. Reads and checks types and bounds; knows nothing about
EdgeTask semantics and does no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, TypeVar

E = TypeVar("E", bound=StrEnum)


class SpecError(ValueError):
    """An EdgeTask manifest is invalid. ``path`` names the field (``spec.env[2].name``)."""

    def __init__(self, path: str, expected: str) -> None:
        super().__init__(f"{path}: {expected}")
        self.path = path
        self.expected = expected


def type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, Sequence):
        return "array"
    return type(value).__name__


def obj(value: object, path: str, known: Sequence[str] | None = None) -> Mapping[str, Any]:
    """An object (``None`` reads as empty); with ``known``, an unknown key is an error."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise SpecError(path, f"expected an object, got {type_name(value)}")
    if known is not None:
        for key in value:
            if key not in known:
                raise SpecError(f"{path}.{key}", f"unknown field; known fields: {', '.join(known)}")
    return value


def array(value: object, path: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise SpecError(path, f"expected an array, got {type_name(value)}")
    return list(value)


def string(value: object, path: str, default: str | None = None, non_empty: bool = False) -> str:
    if value is None:
        if default is None:
            raise SpecError(path, "is required (a string)")
        return default
    if not isinstance(value, str):
        raise SpecError(path, f"expected a string, got {type_name(value)}")
    if non_empty and not value.strip():
        raise SpecError(path, "must not be empty")
    return value


def strings(value: object, path: str) -> tuple[str, ...]:
    return tuple(string(item, f"{path}[{i}]") for i, item in enumerate(array(value, path)))


def string_map(value: object, path: str) -> tuple[tuple[str, str], ...]:
    """A map of strings, sorted by key so that equal maps compare and render equal."""
    items = obj(value, path)
    return tuple(sorted((str(k), string(v, f"{path}.{k}")) for k, v in items.items()))


def integer(value: object, path: str, default: int | None, low: int, high: int | None = None) -> int:
    if value is None:
        if default is None:
            raise SpecError(path, "is required (an integer)")
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise SpecError(path, f"expected an integer, got {type_name(value)}")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise SpecError(path, f"must be {bounds}, got {value}")
    return value


def optional_integer(value: object, path: str, low: int) -> int | None:
    return None if value is None else integer(value, path, None, low)


def boolean(value: object, path: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise SpecError(path, f"expected true or false, got {type_name(value)}")
    return value


def choice(value: object, path: str, enum: type[E], default: E) -> E:
    if value is None:
        return default
    options = [str(member) for member in enum]
    if not isinstance(value, str) or value not in options:
        raise SpecError(path, f"must be one of {', '.join(options)}, got {value!r}")
    return enum(value)
