"""Registry errors that say where: the file, the entry and the field.

Raised by :mod:`gridedge.registry.loader`; shown as Airflow import errors by the DAG
factory and as form errors by the UI plugin. No I/O here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one field of one entry."""

    entry: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"entry {self.entry!r}" if self.entry else "top level"
        return f"{where}, field {self.field!r}: {self.message}" if self.field else f"{where}: {self.message}"


class RegistryError(ValueError):
    """A registry file is invalid. ``str()`` lists every problem with file, entry and field."""

    def __init__(self, file: Path, problems: Sequence[Problem]) -> None:
        self.file = file
        self.problems = tuple(problems)
        lines = [f"{file}: {p}" for p in self.problems]
        super().__init__("invalid GridEdge registry file\n" + "\n".join(lines))

    @property
    def fields(self) -> list[str]:
        return [p.field for p in self.problems]
