"""EdgeTaskSensor: wait until an EdgeTask created elsewhere (another DAG, a planner, kubectl)
has Succeeded; fail with the controller's reason when it Failed.

Poke mode reads the object once per poke; deferrable mode hands the wait to
EdgeTaskStatusTrigger. It never creates, changes or deletes the EdgeTask.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from airflow.sdk import BaseSensorOperator, Context
from airflow.sdk.exceptions import AirflowException

from edge_operators.errors import edge_task_ref
from edge_operators.hooks.edge_cluster import EdgeClusterHook
from edge_operators.triggers.events import SUCCESS, controller_reason, phase_of
from edge_operators.triggers.status import EdgeTaskStatusTrigger
from gridedge.contract.edgetask import Phase


class EdgeTaskSensor(BaseSensorOperator):
    template_fields: Sequence[str] = ("edge_task_name", "namespace", "edge_cluster_conn_id")

    def __init__(
        self,
        *,
        edge_task_name: str,
        namespace: str = "default",
        edge_cluster_conn_id: str = EdgeClusterHook.default_conn_name,
        deferrable: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.edge_task_name = edge_task_name
        self.namespace = namespace
        self.edge_cluster_conn_id = edge_cluster_conn_id
        self.deferrable = deferrable

    @cached_property
    def hook(self) -> EdgeClusterHook:
        return EdgeClusterHook(self.edge_cluster_conn_id)

    def execute(self, context: Context) -> Any:
        if not self.deferrable:
            return super().execute(context)
        if self.poke(context):
            return None
        self.defer(
            trigger=EdgeTaskStatusTrigger(self.edge_task_name, self.namespace, self.edge_cluster_conn_id),
            method_name="execute_complete",
            timeout=self.execution_timeout,
        )

    def poke(self, context: Context) -> bool:
        obj = self.hook.get_edge_task(self.edge_task_name, self.namespace)
        phase = phase_of(obj)
        ref = edge_task_ref(self.namespace, self.edge_task_name)
        if phase == Phase.FAILED:
            raise AirflowException(f"{ref} failed: {controller_reason(obj)}")
        self.log.info("%s is %s", ref, phase)
        return phase == Phase.SUCCEEDED

    def execute_complete(self, context: Context, event: dict[str, Any]) -> None:
        if event.get("status") != SUCCESS:
            raise AirflowException(event.get("message") or f"EdgeTask ended with {event}")
        self.log.info("%s", event["message"])
