"""EdgeClusterHook against the real fixture apiservers with the EdgeTask CRD applied."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from edge_operators.errors import EdgeClusterUnreachable, EdgeTaskInvalid, EdgeTaskNotFound
from edge_operators.hooks.edge_cluster import EdgeClusterHook
from edge_operators.hooks.edge_cluster_async import AsyncEdgeClusterHook
from gridedge.devstack.kube import ControlPlane
from tests.edge_operators.fixtures import NAMESPACE, UNREACHABLE_CONN


def manifest(name: str, **labels: str) -> dict[str, Any]:
    return {
        "apiVersion": "gridedge.io/v1alpha1",
        "kind": "EdgeTask",
        "metadata": {"name": name, "namespace": NAMESPACE, "labels": labels},
        "spec": {"image": "gridedge/statistics:0.1.0", "command": ["python", "-c", "pass"], "worldSize": 1},
    }


def test_create_get_find_delete_on_the_chosen_cluster_only(
    edge_connections: dict[str, str], edge_clusters: dict[str, ControlPlane]
) -> None:
    north = EdgeClusterHook(edge_connections["edge-north"])
    south = EdgeClusterHook(edge_connections["edge-south"])
    name = f"hook-{uuid.uuid4().hex[:8]}"
    created = north.create_edge_task(manifest(name, **{"gridedge.io/dag-id": "d1"}))
    assert created["metadata"]["uid"]
    assert north.get_edge_task(name, NAMESPACE)["metadata"]["uid"] == created["metadata"]["uid"]
    assert [o["metadata"]["name"] for o in north.find_edge_tasks(NAMESPACE, {"gridedge.io/dag-id": "d1"})] == [name]
    assert south.find_edge_tasks(NAMESPACE, {"gridedge.io/dag-id": "d1"}) == []
    assert name in edge_clusters["edge-north"].kubectl("get", "edgetasks", "-n", NAMESPACE, "-o", "name")
    assert north.delete_edge_task(name, NAMESPACE) is True
    for _ in range(100):
        if not north.find_edge_tasks(NAMESPACE, {"gridedge.io/dag-id": "d1"}):
            break
        asyncio.run(asyncio.sleep(0.1))
    assert north.find_edge_tasks(NAMESPACE, {"gridedge.io/dag-id": "d1"}) == []
    assert north.delete_edge_task(name, NAMESPACE) is False


def test_missing_edge_task_error_names_cluster_and_object(edge_connections: dict[str, str]) -> None:
    hook = EdgeClusterHook(edge_connections["edge-south"])
    with pytest.raises(EdgeTaskNotFound) as info:
        hook.get_edge_task("does-not-exist", NAMESPACE)
    assert "edge cluster 'edge_south'" in str(info.value)
    assert f"EdgeTask {NAMESPACE}/does-not-exist" in str(info.value)


def test_schema_rejection_is_a_permanent_error(edge_connections: dict[str, str]) -> None:
    hook = EdgeClusterHook(edge_connections["edge-north"])
    body = manifest("Not_A_DNS_Name")
    with pytest.raises(EdgeTaskInvalid, match=rf"EdgeTask {NAMESPACE}/Not_A_DNS_Name is invalid"):
        hook.create_edge_task(body)


def test_unreachable_cluster_is_a_clear_retryable_error(edge_connections: dict[str, str]) -> None:
    hook = EdgeClusterHook(UNREACHABLE_CONN)
    with pytest.raises(EdgeClusterUnreachable) as info:
        hook.get_edge_task("x", NAMESPACE)
    text = str(info.value)
    assert "edge cluster 'edge_unreachable'" in text and f"EdgeTask {NAMESPACE}/x" in text
    assert "unreachable" in text
    assert not isinstance(info.value, EdgeTaskInvalid)  # AirflowFailException would skip retries


def test_connection_test_for_node_registration(edge_connections: dict[str, str]) -> None:
    ok, message = EdgeClusterHook(edge_connections["edge-north"]).test_connection()
    assert ok, message
    assert "Kubernetes v1." in message
    ok, message = EdgeClusterHook(UNREACHABLE_CONN).test_connection()
    assert not ok and "unreachable" in message


def test_async_get_and_watch_see_a_status_change(edge_connections: dict[str, str]) -> None:
    sync = EdgeClusterHook(edge_connections["edge-north"])
    name = f"watch-{uuid.uuid4().hex[:8]}"
    sync.create_edge_task(manifest(name))

    async def scenario() -> list[str]:
        hook = AsyncEdgeClusterHook(edge_connections["edge-north"])
        current = await hook.get_edge_task(name, NAMESPACE)
        rv = current["metadata"]["resourceVersion"]
        seen: list[str] = []

        async def follow() -> None:
            async for kind, obj in hook.watch_edge_task(name, NAMESPACE, rv, timeout_seconds=20):
                seen.append(f"{kind}:{obj.get('status', {}).get('phase')}")
                if obj.get("status", {}).get("phase") == "Succeeded":
                    return

        watcher = asyncio.create_task(follow())
        await asyncio.sleep(0.5)
        await asyncio.to_thread(
            sync.objects.patch_namespaced_custom_object_status,
            "gridedge.io",
            "v1alpha1",
            NAMESPACE,
            "edgetasks",
            name,
            {"status": {"phase": "Succeeded"}},
        )
        await asyncio.wait_for(watcher, 20)
        return seen

    try:
        assert "MODIFIED:Succeeded" in asyncio.run(scenario())
    finally:
        sync.delete_edge_task(name, NAMESPACE)
