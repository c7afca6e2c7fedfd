"""EdgeTaskStatusTrigger: wait until an EdgeTask is Succeeded or Failed.

Runs in the triggerer (for the operator and the deferrable sensor). Each round reads the
object (so no transition between watches is missed), then watches from its
resourceVersion for ``resync_seconds``; HTTP 410 or a closed watch starts a new round, and
an unreachable apiserver is retried until ``unreachable_timeout`` has passed. Stateless
between rounds: two copies may run at once. It never changes the EdgeTask.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import TriggerEvent

from edge_operators.errors import EdgeClusterError, EdgeTaskNotFound, edge_task_ref
from edge_operators.hooks.edge_cluster_async import AsyncEdgeClusterHook
from edge_operators.triggers.base import GridEdgeTrigger
from edge_operators.triggers.events import ERROR, event, is_terminal, status_event


class EdgeTaskStatusTrigger(GridEdgeTrigger):
    serialized_fields = (
        "name",
        "namespace",
        "edge_cluster_conn_id",
        "resync_seconds",
        "unreachable_timeout",
        "retry_delay",
    )

    def __init__(
        self,
        name: str,
        namespace: str,
        edge_cluster_conn_id: str,
        resync_seconds: int = 60,
        unreachable_timeout: float = 300.0,
        retry_delay: float = 2.0,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.name = name
        self.namespace = namespace
        self.edge_cluster_conn_id = edge_cluster_conn_id
        self.resync_seconds = resync_seconds
        self.unreachable_timeout = unreachable_timeout
        self.retry_delay = retry_delay

    async def run(self) -> AsyncIterator[TriggerEvent]:
        yield TriggerEvent(await self.wait_for_terminal())  # type: ignore[no-untyped-call]

    def _error(self, message: str) -> dict[str, Any]:
        return event(ERROR, self.edge_cluster_conn_id, self.namespace, self.name, message)

    async def wait_for_terminal(self) -> dict[str, Any]:
        hook = AsyncEdgeClusterHook(self.edge_cluster_conn_id)
        ref = edge_task_ref(self.namespace, self.name)
        outage_since: float | None = None
        while True:
            try:
                obj = await hook.get_edge_task(self.name, self.namespace)
                outage_since = None
                if is_terminal(obj):
                    return status_event(self.edge_cluster_conn_id, obj)
                rv = str(obj["metadata"]["resourceVersion"])
                async for kind, changed in hook.watch_edge_task(self.name, self.namespace, rv, self.resync_seconds):
                    if kind == "DELETED":
                        return self._error(f"{ref} was deleted before it finished")
                    if kind == "ERROR":
                        break  # e.g. 410 Gone delivered as an event: resync
                    if is_terminal(changed):
                        return status_event(self.edge_cluster_conn_id, changed)
            except asyncio.CancelledError:
                raise
            except EdgeTaskNotFound:
                return self._error(f"{ref} does not exist on edge cluster {self.edge_cluster_conn_id!r} (deleted?)")
            except EdgeClusterError as e:
                if e.status == 410:
                    continue  # resourceVersion too old: read again and watch from the new one
                now = time.monotonic()
                outage_since = outage_since or now
                if now - outage_since > self.unreachable_timeout:
                    return self._error(f"{e} (for more than {self.unreachable_timeout:.0f}s)")
                self.log.warning("%s; retrying in %.1fs", e, self.retry_delay)
                await asyncio.sleep(self.retry_delay)
