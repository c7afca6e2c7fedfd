"""Test helpers: play the controller (write an EdgeTask's status) and the container (publish
its result) on the real apiserver and broker, for tests that check the Airflow side alone."""

from __future__ import annotations

import json
from typing import Any

from confluent_kafka import Producer

from edge_operators.hooks.edge_cluster import EdgeClusterHook
from gridedge.contract import messages
from gridedge.contract.names import GROUP, PLURAL, VERSION


def set_status(hook: EdgeClusterHook, name: str, namespace: str, **status: Any) -> None:
    hook.objects.patch_namespaced_custom_object_status(GROUP, VERSION, namespace, PLURAL, name, {"status": status})


def publish_result(
    bootstrap: str,
    namespace: str,
    name: str,
    uid: str | None,
    rank: int = 0,
    world_size: int = 1,
    payload: dict[str, Any] | None = None,
    error: messages.ErrorInfo | None = None,
    topic: str = "gridedge.results",
) -> dict[str, Any]:
    task = messages.TaskIdentity(namespace, name, uid)
    message = messages.build_message(
        kind=messages.Kind.RESULT,
        task=task,
        airflow=messages.AirflowIdentity(),
        rank=rank,
        world_size=world_size,
        algorithm="test",
        sequence=0,
        payload=payload or {"metrics": {"rmse": 0.5}},
        bytes_read=1000,
        bytes_sent=100,
        error=error,
    )
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all"})
    producer.produce(topic, key=messages.message_key(task), value=messages.encode(message))
    assert producer.flush(30) == 0
    decoded: dict[str, Any] = json.loads(messages.encode(message))
    return decoded
