"""Read one site's edge cluster for the page: nodes with their resource usage, and EdgeTasks.

Called by :mod:`.page_data` once per page request, one thread per site. Goes through the
issue-5 :class:`~edge_operators.hooks.edge_cluster.EdgeClusterHook` (the site's Airflow
connection), so credentials and kubeconfig handling are the cncf.kubernetes provider's.
It only lists: it must never create, patch or delete anything on a cluster. A cluster that
cannot be read becomes a :class:`ClusterView` with ``error`` set, never an exception.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from kubernetes import client
from kubernetes.utils.quantity import parse_quantity

from edge_operators.hooks.edge_cluster import REQUEST_TIMEOUT, EdgeClusterHook
from edge_operators.monitoring.view_models import ClusterView, EdgeTaskRow, NodeUsage
from gridedge.contract import names
from gridedge.registry import Site

ACTIVE_PODS = "status.phase!=Succeeded,status.phase!=Failed"  # finished Pods no longer hold requests
MAX_TASKS = 50


def _quantity(value: object) -> Decimal:
    try:
        return Decimal(parse_quantity(str(value))) if value not in (None, "") else Decimal(0)
    except ValueError:
        return Decimal(0)


def pod_requests(pod: Mapping[str, Any]) -> tuple[Decimal, Decimal]:
    """CPU (cores) and memory (bytes) a Pod requests, as the scheduler counts them:
    the sum over its containers, or the largest init container if that is larger."""
    spec = pod.get("spec") or {}

    def total(containers: Iterable[Mapping[str, Any]]) -> tuple[Decimal, Decimal]:
        cpu = mem = Decimal(0)
        for c in containers:
            req = (c.get("resources") or {}).get("requests") or {}
            cpu += _quantity(req.get("cpu"))
            mem += _quantity(req.get("memory"))
        return cpu, mem

    cpu, mem = total(spec.get("containers") or [])
    for init in spec.get("initContainers") or []:
        icpu, imem = total([init])
        cpu, mem = max(cpu, icpu), max(mem, imem)
    return cpu, mem


def node_usage(node: Mapping[str, Any], pods: Iterable[Mapping[str, Any]]) -> NodeUsage:
    """Pure: one node's allocatable resources against the requests of the Pods bound to it."""
    meta = node.get("metadata") or {}
    status = node.get("status") or {}
    allocatable = status.get("allocatable") or {}
    mine = [p for p in pods if (p.get("spec") or {}).get("nodeName") == meta.get("name")]
    cpu = mem = Decimal(0)
    for pod in mine:
        pcpu, pmem = pod_requests(pod)
        cpu, mem = cpu + pcpu, mem + pmem
    ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or [])
    return NodeUsage(
        name=str(meta.get("name", "")),
        ready=ready,
        labels={str(k): str(v) for k, v in (meta.get("labels") or {}).items()},
        cpu_allocatable_m=int(_quantity(allocatable.get("cpu")) * 1000),
        cpu_requested_m=int(cpu * 1000),
        memory_allocatable=int(_quantity(allocatable.get("memory"))),
        memory_requested=int(mem),
        pods_allocatable=int(_quantity(allocatable.get("pods"))),
        pods=len(mine),
    )


def task_row(site: str, obj: Mapping[str, Any]) -> EdgeTaskRow:
    """Pure: one EdgeTask's identity and the controller's account of where it is and why."""
    meta = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    annotations = meta.get("annotations") or {}
    labels = meta.get("labels") or {}
    reason = str(status.get("reason") or "")
    message = str(status.get("message") or "")
    if not (reason or message) and not status:
        message = "no status yet: the edge controller has not seen this task"
    return EdgeTaskRow(
        site=site,
        namespace=str(meta.get("namespace", "")),
        name=str(meta.get("name", "")),
        phase=str(status.get("phase") or "Unknown"),
        world_size=int(spec.get("worldSize") or 1),
        running=int(status.get("running") or 0),
        succeeded=int(status.get("succeeded") or 0),
        failed=int(status.get("failed") or 0),
        restarts=int(status.get("restarts") or 0),
        reason=reason,
        message=message,
        dag_id=str(annotations.get(names.ANNOTATION_DAG_ID) or labels.get(names.LABEL_DAG_ID) or ""),
        run_id=str(annotations.get(names.ANNOTATION_RUN_ID) or labels.get(names.LABEL_RUN_ID) or ""),
        task_id=str(annotations.get(names.ANNOTATION_TASK_ID) or labels.get(names.LABEL_TASK_ID) or ""),
        created=str(meta.get("creationTimestamp") or ""),
    )


def read_cluster(site: Site) -> ClusterView:
    """Nodes, their usage and the newest EdgeTasks of ``site``'s namespace."""
    base = ClusterView(
        site=site.name, connection_id=site.connection_id, namespace=site.namespace, description=site.description
    )
    try:
        hook = EdgeClusterHook(site.connection_id)
        api = hook.api_client
        core = client.CoreV1Api(api)
        version = client.VersionApi(api).get_code(_request_timeout=REQUEST_TIMEOUT).git_version
        nodes = api.sanitize_for_serialization(core.list_node(_request_timeout=REQUEST_TIMEOUT))["items"]
        pods = api.sanitize_for_serialization(
            core.list_pod_for_all_namespaces(field_selector=ACTIVE_PODS, _request_timeout=REQUEST_TIMEOUT)
        )["items"]
        tasks = hook.find_edge_tasks(site.namespace, {})
    except Exception as e:  # a site that is down must not take the page down with it
        return replace(base, error=f"{type(e).__name__}: {e}")
    newest = sorted(tasks, key=lambda o: str(o["metadata"].get("creationTimestamp", "")), reverse=True)
    return replace(
        base,
        version=str(version),
        nodes=tuple(node_usage(n, pods) for n in sorted(nodes, key=lambda n: n["metadata"]["name"])),
        tasks=tuple(task_row(site.name, t) for t in newest[:MAX_TASKS]),
    )
