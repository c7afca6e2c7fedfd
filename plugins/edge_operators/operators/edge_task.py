"""EdgeTaskOperator: run one EdgeTask on one edge cluster; its XCom is the task's result.

Used by DAG authors, the DAG factory (one mapped task per site) and the example DAGs.
``__init__`` assigns the templated fields verbatim and does no I/O; ``execute`` labels the
EdgeTask with dag_id, task_id, run_id, map index and try number, re-attaches to an
EdgeTask of this try (or a still-live one of an earlier try) instead of creating a
second, then defers to EdgeTaskTrigger (or waits in the worker when not deferrable).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any, ClassVar

from airflow.sdk import BaseOperator, Context
from airflow.sdk.exceptions import AirflowException

from edge_operators.errors import EdgeClusterError, EdgeTaskInvalid, edge_task_ref
from edge_operators.hooks.edge_cluster import EdgeClusterHook
from edge_operators.identity import TaskInstanceKey, creation_ms
from edge_operators.links import EDGE_TASK_XCOM_KEY, EdgeTaskLink
from edge_operators.manifest import build_manifest, check_manifest, env_entries
from edge_operators.results import ResultScanner, TaskKey, kafka_config
from edge_operators.triggers.edge_task import EdgeTaskTrigger
from edge_operators.triggers.events import ERROR, SUCCESS, TIMEOUT, event, is_terminal, phase_of, status_event
from gridedge.contract.names import LABEL_SITE, RESULTS_TOPIC


class EdgeTaskOperator(BaseOperator):
    """Submit an EdgeTask and wait until it Succeeded and its result arrived on Kafka.

    :param image: the algorithm image (templated).
    :param command: entrypoint (templated); :param arguments: its arguments (templated).
    :param env: ``{name: value}`` (``${placeholder}`` values become templates) or EdgeTask env entries.
    :param task_params: the task's parameters, passed to every rank as ``GRIDEDGE_PARAMS``.
    :param edge_cluster_conn_id: the ``kubernetes`` connection of the target edge cluster (templated).
    :param namespace: namespace on that cluster (templated).
    :param data: ``spec.data`` (``claimName``, ``path`` …): where the site's data lives.
    :param site: registry site name, recorded as a label.
    :param deferrable: wait in the triggerer (default) or in the worker.
    :param wait_for_result: also require the result message (default True).
    :param result_timeout: seconds to wait for the result after the EdgeTask succeeded.
    :param reattach_on_restart: adopt a still-live EdgeTask of an earlier try instead of starting another.
    :param delete_on_kill: delete the EdgeTask when the Airflow task is killed.
    """

    template_fields: Sequence[str] = (
        "image",
        "command",
        "arguments",
        "env",
        "task_params",
        "edge_cluster_conn_id",
        "namespace",
        "data",
        "node_selector",
        "pod_annotations",
    )
    template_fields_renderers: ClassVar[dict[str, str]] = {"env": "json", "task_params": "json", "data": "json"}
    operator_extra_links = (EdgeTaskLink(),)
    ui_color = "#d7ecf7"

    def __init__(
        self,
        *,
        image: str,
        command: Sequence[str] = (),
        arguments: Sequence[str] = (),
        env: Mapping[str, str] | Sequence[Mapping[str, Any]] | None = None,
        task_params: Mapping[str, Any] | None = None,
        edge_cluster_conn_id: str = EdgeClusterHook.default_conn_name,
        namespace: str = "default",
        framework: str = "generic",
        world_size: int = 1,
        container_resources: Mapping[str, Mapping[str, str]] | None = None,
        node_selector: Mapping[str, str] | None = None,
        data: Mapping[str, Any] | None = None,
        result_sink: Mapping[str, Any] | None = None,
        run_policy: Mapping[str, Any] | None = None,
        pod_labels: Mapping[str, str] | None = None,
        pod_annotations: Mapping[str, str] | None = None,
        site: str | None = None,
        kafka_config_id: str = "gridedge_kafka",
        results_topic: str = RESULTS_TOPIC,
        deferrable: bool = True,
        wait_for_result: bool = True,
        result_timeout: float = 600.0,
        poll_interval: float = 2.0,
        reattach_on_restart: bool = True,
        delete_on_kill: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.image = image
        self.command = command
        self.arguments = arguments
        self.env = env
        self.task_params = task_params
        self.edge_cluster_conn_id = edge_cluster_conn_id
        self.namespace = namespace
        self.framework = framework
        self.world_size = world_size
        self.container_resources = container_resources
        self.node_selector = node_selector
        self.data = data
        self.result_sink = result_sink
        self.run_policy = run_policy
        self.pod_labels = pod_labels
        self.pod_annotations = pod_annotations
        self.site = site
        self.kafka_config_id = kafka_config_id
        self.results_topic = results_topic
        self.deferrable = deferrable
        self.wait_for_result = wait_for_result
        self.result_timeout = result_timeout
        self.poll_interval = poll_interval
        self.reattach_on_restart = reattach_on_restart
        self.delete_on_kill = delete_on_kill
        self._edge_task: dict[str, Any] | None = None

    @cached_property
    def hook(self) -> EdgeClusterHook:
        return EdgeClusterHook(self.edge_cluster_conn_id)

    # ---- building ---------------------------------------------------------------------
    def _key(self, context: Context) -> TaskInstanceKey:
        ti = context["ti"]
        map_index = ti.map_index if ti.map_index is not None else -1
        return TaskInstanceKey(ti.dag_id, ti.task_id, ti.run_id, int(ti.try_number), int(map_index))

    def _result_sink(self) -> dict[str, Any]:
        if self.result_sink is not None:
            return dict(self.result_sink)
        sink: dict[str, Any] = {"resultsTopic": self.results_topic}
        if self.wait_for_result:
            sink["bootstrapServers"] = kafka_config(self.kafka_config_id)["bootstrap.servers"]
        return sink

    def build_edge_task(self, key: TaskInstanceKey) -> dict[str, Any]:
        labels = key.labels()
        if self.site:
            labels[LABEL_SITE] = self.site
        pod_meta = {k: dict(v) for k, v in (("labels", self.pod_labels), ("annotations", self.pod_annotations)) if v}
        spec = {
            "image": self.image,
            "command": list(self.command),
            "args": list(self.arguments),
            "framework": self.framework,
            "worldSize": int(self.world_size),
            "env": env_entries(self.env or {}),
            "params": dict(self.task_params or {}),
            "resources": {k: dict(v) for k, v in (self.container_resources or {}).items()},
            "nodeSelector": dict(self.node_selector or {}),
            "data": dict(self.data) if self.data else None,
            "resultSink": self._result_sink(),
            "runPolicy": dict(self.run_policy or {}),
            "podTemplate": {"metadata": pod_meta} if pod_meta else None,
        }
        return build_manifest(
            name=key.edge_task_name(),
            namespace=self.namespace,
            labels=labels,
            annotations=key.annotations(),
            spec=spec,
        )

    # ---- submit or re-attach ------------------------------------------------------------
    def submit_or_reattach(self, context: Context) -> dict[str, Any]:
        key = self._key(context)
        body = self.build_edge_task(key)
        problem = check_manifest(body)
        if problem:
            raise EdgeTaskInvalid(
                self.edge_cluster_conn_id, edge_task_ref(self.namespace, key.edge_task_name()), problem
            )
        mine = [o for o in self.hook.find_edge_tasks(self.namespace, key.selector()) if key.owns(o)]
        same_try = [o for o in mine if o["metadata"]["name"] == key.edge_task_name()]
        live = [o for o in mine if not is_terminal(o)]
        if same_try:
            obj = same_try[0]
            self.log.info("Re-attaching to %s (phase %s) of this try", self._ref(obj), phase_of(obj))
        elif self.reattach_on_restart and live:
            obj = live[-1]
            self.log.info(
                "An earlier try's %s is still %s: re-attaching instead of starting another",
                self._ref(obj),
                phase_of(obj),
            )
        else:
            try:
                obj = self.hook.create_edge_task(body)
            except EdgeClusterError as e:
                if e.status != 409:
                    raise
                obj = self.hook.get_edge_task(key.edge_task_name(), self.namespace)  # lost a race with ourselves
            self.log.info("Created %s on edge cluster %r", self._ref(obj), self.edge_cluster_conn_id)
        self._edge_task = obj
        meta = obj["metadata"]
        context["ti"].xcom_push(
            key=EDGE_TASK_XCOM_KEY,
            value={
                "cluster": self.edge_cluster_conn_id,
                "server": str(self.hook.api_client.configuration.host),
                "namespace": meta["namespace"],
                "name": meta["name"],
                "uid": meta.get("uid"),
            },
        )
        return obj

    @staticmethod
    def _ref(obj: dict[str, Any]) -> str:
        return edge_task_ref(obj["metadata"]["namespace"], obj["metadata"]["name"])

    # ---- execute ------------------------------------------------------------------------
    def execute(self, context: Context) -> Any:
        obj = self.submit_or_reattach(context)
        meta = obj["metadata"]
        if not self.deferrable:
            return self.execute_complete(context, self._wait_in_worker(obj))
        self.defer(
            trigger=EdgeTaskTrigger(
                name=meta["name"],
                namespace=meta["namespace"],
                uid=meta.get("uid"),
                since_ms=creation_ms(obj),
                edge_cluster_conn_id=self.edge_cluster_conn_id,
                kafka_config_id=self.kafka_config_id,
                results_topic=self.results_topic,
                wait_for_result=self.wait_for_result,
                result_timeout=self.result_timeout,
                delete_on_kill=self.delete_on_kill,
            ),
            method_name="execute_complete",
            timeout=self.execution_timeout,
        )

    def execute_complete(self, context: Context, event: dict[str, Any]) -> Any:
        if event.get("status") != SUCCESS:
            raise AirflowException(event.get("message") or f"EdgeTask ended with {event}")
        self.log.info("%s", event["message"])
        return event.get("result")

    def _wait_in_worker(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Non-deferrable mode: poll the status, scanning Kafka for the result meanwhile."""
        meta = obj["metadata"]
        name, namespace = meta["name"], meta["namespace"]
        scanner = None
        if self.wait_for_result:
            key = TaskKey(namespace, name, meta.get("uid"))
            scanner = ResultScanner(kafka_config(self.kafka_config_id), self.results_topic, key, creation_ms(obj))
            scanner.open()
        try:
            result: dict[str, Any] | None = None
            succeeded_at: float | None = None
            while True:
                if scanner is not None and result is None:
                    result = scanner.poll(self.poll_interval)
                else:
                    time.sleep(self.poll_interval)
                if succeeded_at is None:
                    current = self.hook.get_edge_task(name, namespace)
                    if is_terminal(current):
                        done = status_event(self.edge_cluster_conn_id, current)
                        if done["status"] != SUCCESS or scanner is None:
                            return done
                        succeeded_at = time.monotonic()
                if succeeded_at is not None and result is not None:
                    failed = result.get("status") == "failed"
                    text = f"{self._ref(current)} succeeded; result received"
                    return event(
                        ERROR if failed else SUCCESS, self.edge_cluster_conn_id, namespace, name, text, result=result
                    )
                if succeeded_at is not None and time.monotonic() - succeeded_at > self.result_timeout:
                    text = f"{self._ref(current)} succeeded, but no result arrived within {self.result_timeout:.0f}s"
                    return event(TIMEOUT, self.edge_cluster_conn_id, namespace, name, text)
        finally:
            if scanner is not None:
                scanner.close()

    def on_kill(self) -> None:
        if self.delete_on_kill and self._edge_task is not None:
            meta = self._edge_task["metadata"]
            self.log.info("Deleting %s because the task was killed", self._ref(self._edge_task))
            self.hook.delete_edge_task(meta["name"], meta["namespace"])
