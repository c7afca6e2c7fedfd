"""Prometheus metrics of the controller: tasks by phase, reconcile latency, restarts, Pods created.

Updated by :mod:`edge_controller.tick`; served by :func:`serve` (started by the CLI). The
phase gauge is kept from an in-memory book of the tasks this replica reconciles, so a
standby replica reports none. No Kubernetes calls here.
"""

from __future__ import annotations

import threading

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from gridedge.contract.edgetask import Phase

REGISTRY = CollectorRegistry()
TASKS = Gauge("gridedge_edgetasks", "EdgeTasks this controller reconciles, by phase", ["phase"], registry=REGISTRY)
RECONCILE_SECONDS = Histogram(
    "gridedge_reconcile_seconds",
    "Time of one reconcile tick of one EdgeTask",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
    registry=REGISTRY,
)
RECONCILE_ERRORS = Counter(
    "gridedge_reconcile_errors_total", "Reconcile ticks that failed and will be retried", registry=REGISTRY
)
PODS_CREATED = Counter("gridedge_pods_created_total", "Pods created for EdgeTask ranks", registry=REGISTRY)
GROUP_RESTARTS = Counter("gridedge_group_restarts_total", "Whole-group restarts after a failed rank", registry=REGISTRY)
TRANSITIONS = Counter(
    "gridedge_phase_transitions_total", "EdgeTask phase transitions", ["phase", "reason"], registry=REGISTRY
)

_book: dict[str, str] = {}
_lock = threading.Lock()
for _phase in Phase:
    TASKS.labels(phase=str(_phase)).set(0)


def record_phase(key: str, phase: str | None) -> None:
    """Remember the phase of ``namespace/name`` (None forgets it) and refresh the gauge."""
    with _lock:
        if phase is None:
            _book.pop(key, None)
        else:
            _book[key] = phase
        totals = {str(p): 0 for p in Phase}
        for value in _book.values():
            totals[value] = totals.get(value, 0) + 1
    for name, count in totals.items():
        TASKS.labels(phase=name).set(count)


def serve(port: int, addr: str = "0.0.0.0") -> None:
    start_http_server(port, addr=addr, registry=REGISTRY)
