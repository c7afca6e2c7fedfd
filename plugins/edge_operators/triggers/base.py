"""The serialize() every GridEdge trigger shares: its classpath and every constructor argument.

Subclasses list their constructor arguments in ``serialized_fields``; the serialize tests
check that the list is complete. No I/O.
"""

from __future__ import annotations

from typing import Any, ClassVar

from airflow.triggers.base import BaseTrigger


class GridEdgeTrigger(BaseTrigger):
    serialized_fields: ClassVar[tuple[str, ...]] = ()

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {field: getattr(self, field) for field in self.serialized_fields},
        )
