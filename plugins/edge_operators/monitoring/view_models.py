"""Frozen records the monitoring page shows; the readers build them, the renderer reads them.

Used by :mod:`.cluster_view`, :mod:`.airflow_view`, :mod:`.registry_view` and
:mod:`.page_render`. Pure data: no I/O, no HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NodeUsage:
    """One Kubernetes node: what it offers (allocatable) against what its Pods request."""

    name: str
    ready: bool
    labels: dict[str, str]
    cpu_allocatable_m: int
    cpu_requested_m: int
    memory_allocatable: int
    memory_requested: int
    pods_allocatable: int
    pods: int


@dataclass(frozen=True)
class EdgeTaskRow:
    """One EdgeTask as the controller reports it, with the Airflow task it serves."""

    site: str
    namespace: str
    name: str
    phase: str
    world_size: int
    running: int
    succeeded: int
    failed: int
    restarts: int
    reason: str
    message: str
    dag_id: str
    run_id: str
    task_id: str
    created: str


@dataclass(frozen=True)
class ClusterView:
    """One site's edge cluster; ``error`` says why it could not be read."""

    site: str
    connection_id: str
    namespace: str
    description: str
    version: str = ""
    error: str | None = None
    nodes: tuple[NodeUsage, ...] = ()
    tasks: tuple[EdgeTaskRow, ...] = ()


@dataclass(frozen=True)
class ForecastSeries:
    """Predicted against actual load for a chart (``payload.forecast`` of a forecast result)."""

    time: tuple[str, ...]
    actual: tuple[float, ...]
    predicted: tuple[float, ...]
    baseline: tuple[float, ...] = ()
    unit: str = ""


@dataclass(frozen=True)
class ResultRow:
    """One EdgeTaskOperator result (rank 0's result message, the task's XCom)."""

    dag_id: str
    run_id: str
    task_id: str
    map_index: int
    site: str
    edge_task: str
    algorithm: str
    status: str
    time: str
    metrics: dict[str, float]
    bytes_read: int
    bytes_sent: int
    forecast: ForecastSeries | None = None


@dataclass(frozen=True)
class WarningRow:
    """One early warning about a grid asset."""

    time: str
    severity: str
    asset_id: str
    asset_type: str
    code: str
    value: float
    threshold: float
    unit: str
    edge_task: str
    dag_id: str
    source: str
    site: str = ""


@dataclass(frozen=True)
class ByteAccount:
    """Bytes read at the edge (kept there) against bytes sent to the centre, per site."""

    site: str
    results: int
    bytes_read: int
    bytes_sent: int

    @property
    def kept_ratio(self) -> float | None:
        return self.bytes_read / self.bytes_sent if self.bytes_sent else None


@dataclass(frozen=True)
class CatalogueRow:
    """A registered algorithm, application or workflow, as one table row."""

    name: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    algorithms: tuple[CatalogueRow, ...] = ()
    applications: tuple[CatalogueRow, ...] = ()
    workflows: tuple[CatalogueRow, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class PageData:
    """Everything one rendering of the page needs, read once per request."""

    generated_at: str
    clusters: tuple[ClusterView, ...]
    catalogue: Catalogue
    results: tuple[ResultRow, ...]
    warnings: tuple[WarningRow, ...]
    bytes: tuple[ByteAccount, ...]
    problems: tuple[str, ...] = field(default=())
