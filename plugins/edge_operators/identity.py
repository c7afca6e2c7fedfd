"""Who an EdgeTask belongs to: its deterministic name, labels and annotations.

Used by EdgeTaskOperator to label what it creates and to find it again on retry or
restart. Label values are sanitised (Kubernetes allows 63 characters of [A-Za-z0-9_.-]);
the exact Airflow values go into annotations. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from gridedge.contract import names
from gridedge.contract.edgetask import MAX_TASK_NAME_LENGTH

_LABEL_BAD = re.compile(r"[^A-Za-z0-9_.-]+")
_NAME_BAD = re.compile(r"[^a-z0-9-]+")
UNMAPPED = "none"


def label_value(value: str) -> str:
    cleaned = _LABEL_BAD.sub("_", value)[:63].strip("_.-")
    return cleaned or "x"


@dataclass(frozen=True)
class TaskInstanceKey:
    """The Airflow task instance an EdgeTask serves (map_index -1 when not mapped)."""

    dag_id: str
    task_id: str
    run_id: str
    try_number: int
    map_index: int = -1

    @property
    def digest(self) -> str:
        raw = "\x1f".join((self.dag_id, self.task_id, self.run_id, str(self.map_index)))
        return hashlib.sha256(raw.encode()).hexdigest()[:10]

    def edge_task_name(self) -> str:
        """``<dag>-<task>-<digest>-t<try>``: stable per try, unique per run and map index."""
        stem = _NAME_BAD.sub("-", f"{self.dag_id}-{self.task_id}".lower().replace("_", "-")).strip("-")
        suffix = f"-{self.digest}-t{self.try_number}"
        room = MAX_TASK_NAME_LENGTH - len(suffix)
        return (stem[:room].rstrip("-") or "task") + suffix

    def selector(self) -> dict[str, str]:
        """Labels every try of this task instance shares (for re-attach)."""
        return {
            names.LABEL_DAG_ID: label_value(self.dag_id),
            names.LABEL_TASK_ID: label_value(self.task_id),
            names.LABEL_RUN_ID: label_value(self.run_id),
            names.LABEL_MAP_INDEX: str(self.map_index) if self.map_index >= 0 else UNMAPPED,
        }

    def labels(self) -> dict[str, str]:
        return {**self.selector(), names.LABEL_TRY_NUMBER: str(self.try_number)}

    def annotations(self) -> dict[str, str]:
        return {
            names.ANNOTATION_DAG_ID: self.dag_id,
            names.ANNOTATION_TASK_ID: self.task_id,
            names.ANNOTATION_RUN_ID: self.run_id,
        }

    def owns(self, obj: dict[str, object]) -> bool:
        """True when the annotations carry exactly this dag, task and run (labels are lossy)."""
        meta = obj.get("metadata")
        annotations = meta.get("annotations") if isinstance(meta, dict) else None
        if not isinstance(annotations, dict):
            return False
        return all(annotations.get(k) == v for k, v in self.annotations().items())


def creation_ms(obj: dict[str, object]) -> int:
    """``metadata.creationTimestamp`` in epoch milliseconds (where the result scan starts)."""
    meta = obj.get("metadata")
    stamp = meta.get("creationTimestamp") if isinstance(meta, dict) else None
    if not isinstance(stamp, str):
        return 0
    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1000)
