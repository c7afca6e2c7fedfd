"""EdgeTaskTrigger: an EdgeTask is done when it Succeeded AND its result message arrived.

What EdgeTaskOperator defers to. Runs the status trigger and the result trigger side by
side: Failed ends at once with the controller's reason; Succeeded then waits at most
``result_timeout`` for the result. ``on_kill`` (the user marked the task failed or
cleared it) deletes the EdgeTask when ``delete_on_kill``; triggerer restarts do not.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import TriggerEvent

from edge_operators.hooks.edge_cluster import EdgeClusterHook
from edge_operators.triggers.base import GridEdgeTrigger
from edge_operators.triggers.events import ERROR, SUCCESS, event
from edge_operators.triggers.result import EdgeTaskResultTrigger
from edge_operators.triggers.status import EdgeTaskStatusTrigger


class EdgeTaskTrigger(GridEdgeTrigger):
    serialized_fields = (
        "name",
        "namespace",
        "uid",
        "since_ms",
        "edge_cluster_conn_id",
        "kafka_config_id",
        "results_topic",
        "wait_for_result",
        "result_timeout",
        "resync_seconds",
        "unreachable_timeout",
        "delete_on_kill",
    )

    def __init__(
        self,
        name: str,
        namespace: str,
        uid: str | None,
        since_ms: int,
        edge_cluster_conn_id: str,
        kafka_config_id: str,
        results_topic: str,
        wait_for_result: bool = True,
        result_timeout: float = 600.0,
        resync_seconds: int = 60,
        unreachable_timeout: float = 300.0,
        delete_on_kill: bool = True,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.since_ms = since_ms
        self.edge_cluster_conn_id = edge_cluster_conn_id
        self.kafka_config_id = kafka_config_id
        self.results_topic = results_topic
        self.wait_for_result = wait_for_result
        self.result_timeout = result_timeout
        self.resync_seconds = resync_seconds
        self.unreachable_timeout = unreachable_timeout
        self.delete_on_kill = delete_on_kill
        self._status = EdgeTaskStatusTrigger(name, namespace, edge_cluster_conn_id, resync_seconds, unreachable_timeout)
        self._result = EdgeTaskResultTrigger(
            name, namespace, uid, since_ms, kafka_config_id, results_topic, edge_cluster_conn_id
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        yield TriggerEvent(await self.wait())  # type: ignore[no-untyped-call]

    async def wait(self) -> dict[str, Any]:
        if not self.wait_for_result:
            return await self._status.wait_for_terminal()
        # The result may arrive before or after the phase turns Succeeded: listen from the start.
        result_task = asyncio.create_task(self._result.wait_for_result(None))
        try:
            status = await self._status.wait_for_terminal()
            if status["status"] != SUCCESS:
                return status
            try:
                result = await asyncio.wait_for(asyncio.shield(result_task), self.result_timeout)
            except TimeoutError:
                text = (
                    f"{status['message']}, but no result message arrived on {self.results_topic} "
                    f"within {self.result_timeout:.0f}s"
                )
                return event(ERROR, self.edge_cluster_conn_id, self.namespace, self.name, text, status["phase"])
            result["phase"] = status["phase"]
            return result
        finally:
            result_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await result_task
            await self._result.cleanup()

    async def cleanup(self) -> None:
        await self._result.cleanup()

    async def on_kill(self) -> None:
        if self.delete_on_kill:
            hook = EdgeClusterHook(self.edge_cluster_conn_id)
            await asyncio.to_thread(hook.delete_edge_task, self.name, self.namespace)
