"""Plays the algorithm container for Pods that KWOK "runs" (KWOK runs no process).

A bounded thread watches the task Pods in a namespace; when a Pod is Running and its
KWOK outcome annotation says it will succeed, it publishes the result message the
container would, reading everything from the Pod's own environment as the SDK does
(task identity, Airflow identity, rank, Kafka bootstrap and topic injected by the
controller). So the test checks the controller's injection and the operator's filter.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from confluent_kafka import Producer
from kubernetes import client

from gridedge.contract import messages
from gridedge.contract import names as n
from gridedge.devstack.kube import ControlPlane

OUTCOME = "kwok.gridedge.io/outcome"


def _api(plane: ControlPlane) -> client.CoreV1Api:
    cfg = client.Configuration()
    cfg.host = plane.server
    cfg.ssl_ca_cert = str(plane.ca_file)
    cfg.api_key = {"authorization": f"Bearer {plane.token}"}
    return client.CoreV1Api(client.ApiClient(cfg))


class ContainerStandIn(threading.Thread):
    def __init__(self, planes: list[ControlPlane], namespace: str, seconds: float = 240) -> None:
        super().__init__(daemon=True)
        self.apis = [_api(p) for p in planes]
        self.namespace = namespace
        self.deadline = time.monotonic() + seconds
        self.published: list[dict[str, Any]] = []
        self.errors: list[BaseException] = []
        self._done: set[str] = set()
        self._stop_event = threading.Event()

    def run(self) -> None:
        try:
            while not self._stop_event.is_set() and time.monotonic() < self.deadline:
                for api in self.apis:
                    for pod in api.list_namespaced_pod(self.namespace, label_selector=n.LABEL_RANK).items:
                        self._maybe_publish(pod)
                self._stop_event.wait(0.2)
        except BaseException as e:
            self.errors.append(e)

    def _maybe_publish(self, pod: Any) -> None:
        key = f"{pod.metadata.uid}"
        annotations = pod.metadata.annotations or {}
        if key in self._done or pod.status.phase != "Running" or annotations.get(OUTCOME) != "Succeeded":
            return
        self._done.add(key)
        env = {e.name: e.value for e in pod.spec.containers[0].env or [] if e.value is not None}
        task = messages.TaskIdentity(env[n.ENV_TASK_NAMESPACE], env[n.ENV_TASK_NAME], env.get(n.ENV_TASK_UID))
        airflow = messages.AirflowIdentity(
            env.get(n.ENV_DAG_ID),
            env.get(n.ENV_RUN_ID),
            env.get(n.ENV_AIRFLOW_TASK_ID),
            int(env[n.ENV_TRY_NUMBER]) if env.get(n.ENV_TRY_NUMBER) else None,
        )
        rank = int(env[n.ENV_RANK])
        message = messages.build_message(
            kind=messages.Kind.RESULT,
            task=task,
            airflow=airflow,
            rank=rank,
            world_size=int(env[n.ENV_WORLD_SIZE]),
            algorithm=pod.spec.containers[0].command[-1],
            sequence=0,
            payload={"metrics": {"rmse": 0.1 * (rank + 1)}, "pod": pod.metadata.name},
            bytes_read=4096,
            bytes_sent=256,
        )
        producer = Producer(
            {"bootstrap.servers": env[n.ENV_KAFKA_BOOTSTRAP], "enable.idempotence": True, "acks": "all"}
        )
        producer.produce(env[n.ENV_RESULTS_TOPIC], key=messages.message_key(task), value=messages.encode(message))
        if producer.flush(30) != 0:
            raise RuntimeError(f"result of {pod.metadata.name} not delivered")
        self.published.append(message)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(10)
