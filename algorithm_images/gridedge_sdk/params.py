"""Typed access to the task's reserved parameters (``GRIDEDGE_PARAMS``, a JSON object).

Used by entrypoints to read their settings. Every getter names the parameter, the type it
expected and what it got, so a malformed parameter is a one-line :class:`ConfigError`.
Must not read the environment itself (:mod:`gridedge_sdk.config` does).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from gridedge.contract.names import ENV_PARAMS
from gridedge_sdk.errors import ConfigError

_MISSING: Any = object()


def parse_params(text: str | None) -> Params:
    if text is None or not text.strip():
        return Params({})
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ConfigError(f"{ENV_PARAMS} is not valid JSON ({e.msg} at position {e.pos})") from e
    if not isinstance(data, dict):
        raise ConfigError(f"{ENV_PARAMS} must be a JSON object, got {type(data).__name__}")
    return Params(data)


class Params:
    """Read-only view of the parameters; getters validate type and range."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = dict(data)

    def __contains__(self, name: str) -> bool:
        return name in self._data

    def as_dict(self) -> dict[str, Any]:
        return dict(self._data)

    def _get(self, name: str, default: Any) -> Any:
        if name in self._data and self._data[name] is not None:
            return self._data[name]
        if default is _MISSING:
            raise ConfigError(f"parameter {name!r} is required in {ENV_PARAMS}")
        return default

    def string(self, name: str, default: Any = _MISSING) -> str:
        value = self._get(name, default)
        if not isinstance(value, str) or not value:
            raise ConfigError(f"parameter {name!r} must be a non-empty string, got {value!r}")
        return value

    def optional_string(self, name: str) -> str | None:
        return self.string(name) if name in self._data and self._data[name] is not None else None

    def integer(
        self, name: str, default: Any = _MISSING, minimum: int | None = None, maximum: int | None = None
    ) -> int:
        value = self._get(name, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"parameter {name!r} must be an integer, got {value!r}")
        _check_range(name, value, minimum, maximum)
        return value

    def number(
        self, name: str, default: Any = _MISSING, minimum: float | None = None, maximum: float | None = None
    ) -> float:
        value = self._get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"parameter {name!r} must be a number, got {value!r}")
        _check_range(name, value, minimum, maximum)
        return float(value)

    def boolean(self, name: str, default: Any = _MISSING) -> bool:
        value = self._get(name, default)
        if not isinstance(value, bool):
            raise ConfigError(f"parameter {name!r} must be true or false, got {value!r}")
        return value

    def choice(self, name: str, options: Sequence[str], default: Any = _MISSING) -> str:
        value = self._get(name, default)
        if value not in options:
            raise ConfigError(f"parameter {name!r} must be one of {', '.join(options)}; got {value!r}")
        return str(value)

    def strings(self, name: str, default: Any = _MISSING) -> list[str]:
        value = self._get(name, default)
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(f"parameter {name!r} must be a list of non-empty strings, got {value!r}")
        return list(value)

    def mapping(self, name: str, default: Any = _MISSING) -> dict[str, Any]:
        value = self._get(name, default)
        if not isinstance(value, dict):
            raise ConfigError(f"parameter {name!r} must be a JSON object, got {value!r}")
        return dict(value)


def _check_range(name: str, value: float, minimum: float | None, maximum: float | None) -> None:
    if minimum is not None and value < minimum:
        raise ConfigError(f"parameter {name!r} must be >= {minimum}, got {value!r}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"parameter {name!r} must be <= {maximum}, got {value!r}")
