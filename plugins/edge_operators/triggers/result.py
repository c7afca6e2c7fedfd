"""EdgeTaskResultTrigger: wait for one EdgeTask's result message on Kafka.

Runs in the triggerer, alone or inside EdgeTaskTrigger. Matching is by task identity
(namespace, name, uid) per the message schema; reading starts at the task's creation time
and never commits offsets (see :mod:`edge_operators.results`), so restarts and duplicate
copies are safe. The blocking Kafka client runs in a worker thread, never on the loop.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import TriggerEvent
from asgiref.sync import sync_to_async

from edge_operators.errors import edge_task_ref
from edge_operators.results import ResultScanner, TaskKey, kafka_config
from edge_operators.triggers.base import GridEdgeTrigger
from edge_operators.triggers.events import ERROR, SUCCESS, TIMEOUT, event


class EdgeTaskResultTrigger(GridEdgeTrigger):
    serialized_fields = (
        "name",
        "namespace",
        "uid",
        "since_ms",
        "kafka_config_id",
        "topic",
        "edge_cluster_conn_id",
        "timeout",
        "poll_timeout",
    )

    def __init__(
        self,
        name: str,
        namespace: str,
        uid: str | None,
        since_ms: int,
        kafka_config_id: str,
        topic: str,
        edge_cluster_conn_id: str = "",
        timeout: float | None = None,
        poll_timeout: float = 1.0,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.since_ms = since_ms
        self.kafka_config_id = kafka_config_id
        self.topic = topic
        self.edge_cluster_conn_id = edge_cluster_conn_id
        self.timeout = timeout
        self.poll_timeout = poll_timeout
        self._scanner: ResultScanner | None = None

    async def run(self) -> AsyncIterator[TriggerEvent]:
        yield TriggerEvent(await self.wait_for_result(self.timeout))  # type: ignore[no-untyped-call]

    async def wait_for_result(self, timeout: float | None) -> dict[str, Any]:
        """A success event holding the message, an error event for a failed rank, or a timeout."""
        ref = edge_task_ref(self.namespace, self.name)
        deadline = None if timeout is None else time.monotonic() + timeout
        if self._scanner is None:
            config = await sync_to_async(kafka_config)(self.kafka_config_id)
            self._scanner = ResultScanner(
                config, self.topic, TaskKey(self.namespace, self.name, self.uid), self.since_ms
            )
            await sync_to_async(self._scanner.open, thread_sensitive=False)()
        poll = sync_to_async(self._scanner.poll, thread_sensitive=False)
        while deadline is None or time.monotonic() < deadline:
            message = await poll(self.poll_timeout)
            if message is None:
                continue
            if message.get("status") == "failed":
                err = message.get("error") or {}
                text = f"{ref} rank {message['rank']} failed: {err.get('reason')}: {err.get('message')}"
                return event(ERROR, self.edge_cluster_conn_id, self.namespace, self.name, text, result=message)
            text = f"result of {ref} received from {self.topic}"
            return event(SUCCESS, self.edge_cluster_conn_id, self.namespace, self.name, text, result=message)
        text = f"no result message for {ref} arrived on {self.topic} within {timeout:.0f}s"
        return event(TIMEOUT, self.edge_cluster_conn_id, self.namespace, self.name, text)

    async def cleanup(self) -> None:
        scanner, self._scanner = self._scanner, None
        if scanner is not None:
            await asyncio.to_thread(scanner.close)
