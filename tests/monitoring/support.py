"""EdgeTasks for the monitoring page's tests, finished by KWOK the way a kubelet would.

Used by tests/monitoring/conftest.py. Each site gets tasks whose Pods end the way their
annotations say (see docs/development.md, "KWOK stages"), so the page shows real phases,
reasons and resource requests written by the real controller. Every wait is bounded.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from gridedge.devstack.kube import ControlPlane
from gridedge.devstack.storage import add_local_data

NAMESPACE = "gridedge-monitoring"
DATA_CLAIM = "gridedge-data"  # config/sites.yaml's claim name


@dataclass(frozen=True)
class EdgeSite:
    name: str
    connection_id: str
    plane: ControlPlane
    expected: dict[str, str]  # EdgeTask name → the phase it must settle in


def _task(name: str, world_size: int, annotations: dict[str, str], cpu: str, memory: str) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "image": "gridedge/statistics:0.1.0",
        "command": ["python", "-m", "gridedge_sdk.algorithms.statistics"],
        "worldSize": world_size,
        "resources": {"requests": {"cpu": cpu, "memory": memory}},
    }
    if annotations:
        spec["podTemplate"] = {"metadata": {"annotations": annotations}}
    return {
        "apiVersion": "gridedge.io/v1alpha1",
        "kind": "EdgeTask",
        "metadata": {"name": name, "namespace": NAMESPACE, "labels": {"gridedge.io/site": name.split("-")[-1]}},
        "spec": spec,
    }


def add_site_data(plane: ControlPlane, node: str) -> None:
    """The sites' data claim, bound to a local PersistentVolume on ``node`` (idempotent)."""
    add_local_data(plane, NAMESPACE, node, DATA_CLAIM)


def create_tasks(plane: ControlPlane, cluster: str) -> dict[str, str]:
    """north: a 2-rank task that succeeds and one that keeps running; south: one OOM-killed."""
    if cluster == "edge-north":
        tasks = {
            "load-forecast-north": (
                "Succeeded",
                _task("load-forecast-north", 2, _outcome("Succeeded"), "500m", "512Mi"),
            ),
            "live-statistics-north": ("Running", _task("live-statistics-north", 1, {}, "750m", "1Gi")),
        }
    else:
        oom = _outcome("Failed", **{"kwok.gridedge.io/exit-code": "137", "kwok.gridedge.io/reason": "OOMKilled"})
        task = _task("load-statistics-south", 1, oom, "250m", "256Mi")
        task["spec"]["runPolicy"] = {"backoffLimit": 0}
        tasks = {"load-statistics-south": ("Failed", task)}
    manifest = plane.workdir / f"monitoring-tasks-{cluster}.json"
    manifest.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [t for _, t in tasks.values()]}))
    plane.kubectl("apply", "-f", str(manifest))
    return {name: phase for name, (phase, _) in tasks.items()}


def _outcome(result: str, **extra: str) -> dict[str, str]:
    return {"kwok.gridedge.io/outcome": result, "kwok.gridedge.io/delay": "1s", **extra}


def phases(site: EdgeSite) -> dict[str, str]:
    listing = json.loads(site.plane.kubectl("get", "edgetasks", "-n", NAMESPACE, "-o", "json"))
    return {o["metadata"]["name"]: (o.get("status") or {}).get("phase", "") for o in listing["items"]}


def wait_phases(site: EdgeSite, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    seen: dict[str, str] = {}
    while time.monotonic() < deadline:
        seen = phases(site)
        if all(seen.get(name) == phase for name, phase in site.expected.items()):
            return
        time.sleep(0.5)
    raise AssertionError(f"EdgeTasks on {site.name} did not settle in {timeout:.0f}s: want {site.expected}, got {seen}")


def edge_task_ref(site: EdgeSite, name: str) -> dict[str, Any]:
    obj = json.loads(site.plane.kubectl("get", "edgetask", name, "-n", NAMESPACE, "-o", "json"))
    return {
        "site": site.name,
        "cluster": site.connection_id,
        "server": site.plane.server,
        "namespace": NAMESPACE,
        "name": name,
        "uid": obj["metadata"]["uid"],
    }
