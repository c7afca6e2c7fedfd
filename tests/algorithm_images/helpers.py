"""Shared helpers for the algorithm and local-runtime tests: env, manifests, Kafka reading."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

from gridedge.contract import messages
from gridedge.contract import names as n
from gridedge.contract.network import local_network
from gridedge.data.features import feature_columns
from gridedge.devstack.ports import free_ports


def task_env(
    world: int, rank: int, data: Path, bootstrap: str, params: dict[str, Any] | None = None, **extra: str
) -> dict[str, str]:
    """The env a rank gets, built straight from local_network (for SDK-level tests)."""
    ports = free_ports(world + 1)
    net = local_network("grid", "sdk-test", world, ports[0], ports[1:])
    env = {
        n.ENV_NETWORK_INFO: net.to_json(rank),
        n.ENV_RANK: str(rank),
        n.ENV_WORLD_SIZE: str(world),
        n.ENV_TASK_NAMESPACE: "grid",
        n.ENV_TASK_NAME: "sdk-test",
        n.ENV_KAFKA_BOOTSTRAP: bootstrap,
        n.ENV_DATA_PATH: str(data),
        n.ENV_PARAMS: json.dumps(params or {}),
    }
    env.update(extra)
    return env


def topics(prefix: str) -> dict[str, str]:
    tag = uuid.uuid4().hex[:8]
    return {kind: f"test.{prefix}.{tag}.{kind}" for kind in ("results", "warnings", "progress")}


def manifest(
    name: str,
    algorithm: str,
    world: int,
    params: dict[str, Any],
    data_path: str,
    bootstrap: str,
    topic_names: dict[str, str],
    framework: str | None = None,
    **spec: Any,
) -> dict[str, Any]:
    """An EdgeTask as the Airflow side would submit it, for the algorithm images."""
    framework = framework or {"xgboost_train": "xgboost", "lightgbm_train": "lightgbm"}.get(algorithm, "generic")
    body: dict[str, Any] = {
        "image": f"gridedge/{algorithm}:0.1.0",
        "command": ["python", "-m", f"gridedge_sdk.algorithms.{algorithm}"],
        "framework": framework,
        "worldSize": world,
        "params": params,
        "data": {"claimName": "site-data", "path": data_path},
        "output": {"claimName": "models", "subPath": name},
        "resultSink": {
            "bootstrapServers": bootstrap,
            "resultsTopic": topic_names["results"],
            "warningsTopic": topic_names["warnings"],
            "progressTopic": topic_names["progress"],
        },
    }
    body.update(spec)
    return {
        "apiVersion": "gridedge.io/v1alpha1",
        "kind": "EdgeTask",
        "metadata": {"name": name, "namespace": "grid", "uid": str(uuid.uuid4())},
        "spec": body,
    }


def forecast_params(**extra: Any) -> dict[str, Any]:
    """Day-ahead load forecast: Jan–Oct train, Nov–Dec held out."""
    return {"label": "target", "features": feature_columns(), "test_from": "2016-11-01", **extra}


def consume(bootstrap: str, topic: str, expected: int, timeout: float = 30.0) -> list[dict[str, Any]]:
    """Read (and validate) at least ``expected`` messages from ``topic``, within ``timeout``."""
    from confluent_kafka import Consumer, TopicPartition

    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": f"test-{uuid.uuid4().hex}", "auto.offset.reset": "earliest"}
    )
    # Assign every partition directly: no group join, so reading starts at once.
    partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
    out: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    try:
        while len(out) < expected and time.monotonic() < deadline:
            record = consumer.poll(0.5)
            if record is None or record.error():
                continue
            value, key = record.value(), record.key()
            assert value is not None and key is not None
            message = messages.decode(value)
            assert key.decode() == messages.message_key(
                messages.TaskIdentity(message["task"]["namespace"], message["task"]["name"])
            )
            out.append(message)
        # Catch anything beyond ``expected`` that is already there.
        while len(out) < 10_000 and (record := consumer.poll(0.2)) is not None:
            value = record.value()
            if not record.error() and value is not None:
                out.append(messages.decode(value))
    finally:
        consumer.close()
    return out
