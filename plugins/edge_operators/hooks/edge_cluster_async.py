"""Async hook to one edge cluster, for triggers: read and watch one EdgeTask.

Used by EdgeTaskStatusTrigger (and through it EdgeTaskTrigger and the deferrable
sensor) inside the triggerer. Over the provider's AsyncKubernetesHook, so the same
``kubernetes`` connection serves sync and async code. It never blocks the event loop
and keeps no state between calls: a trigger may be run twice at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from airflow.providers.cncf.kubernetes.hooks.kubernetes import AsyncKubernetesHook
from kubernetes_asyncio import client as async_client
from kubernetes_asyncio import watch as async_watch

from edge_operators.errors import edge_task_ref
from edge_operators.hooks.edge_cluster import raise_for
from gridedge.contract.names import GROUP, PLURAL, VERSION


class AsyncEdgeClusterHook(AsyncKubernetesHook):
    conn_name_attr = "edge_cluster_conn_id"
    default_conn_name = "edge_default"
    conn_type = "kubernetes"
    hook_name = "GridEdge edge cluster (async)"

    def __init__(self, edge_cluster_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(conn_id=edge_cluster_conn_id, **kwargs)
        self.edge_cluster_conn_id = edge_cluster_conn_id

    async def get_edge_task(self, name: str, namespace: str) -> dict[str, Any]:
        try:
            async with self.get_conn() as api_client:
                api = async_client.CustomObjectsApi(api_client)
                result: dict[str, Any] = await api.get_namespaced_custom_object(
                    GROUP, VERSION, namespace, PLURAL, name, _request_timeout=30
                )
                return result
        except Exception as e:
            raise_for(self.edge_cluster_conn_id, f"reading {edge_task_ref(namespace, name)}", e)
            raise

    async def watch_edge_task(
        self, name: str, namespace: str, resource_version: str, timeout_seconds: int
    ) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        """Watch events of one EdgeTask from ``resource_version`` for at most ``timeout_seconds``.

        Ends quietly when the server closes the watch; raises (translated) on errors,
        including HTTP 410 when ``resource_version`` is too old: the caller resyncs.
        """
        what = f"watching {edge_task_ref(namespace, name)}"
        try:
            async with self.get_conn() as api_client:
                api = async_client.CustomObjectsApi(api_client)
                watcher = async_watch.Watch()
                try:
                    async for event in watcher.stream(
                        api.list_namespaced_custom_object,
                        GROUP,
                        VERSION,
                        namespace,
                        PLURAL,
                        field_selector=f"metadata.name={name}",
                        resource_version=resource_version,
                        timeout_seconds=timeout_seconds,
                        # a partitioned network sends no FIN: the client gives up too
                        _request_timeout=timeout_seconds + 15,
                        allow_watch_bookmarks=True,
                    ):
                        kind = str(event["type"])
                        if kind == "BOOKMARK":
                            continue
                        yield kind, event["object"] if isinstance(event["object"], dict) else event["raw_object"]
                finally:
                    await watcher.close()
        except Exception as e:
            raise_for(self.edge_cluster_conn_id, what, e)
            raise
