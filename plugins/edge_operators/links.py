"""Operator extra link: from a task instance to its EdgeTask on the edge cluster.

Registered by :mod:`edge_operators.plugin`; read by the Airflow UI. It reads the XCom that
EdgeTaskOperator pushes when it submits or re-attaches; it never calls the cluster.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseOperatorLink
from airflow.sdk.execution_time.xcom import XCom

from gridedge.contract.names import GROUP, PLURAL, VERSION

EDGE_TASK_XCOM_KEY = "edge_task"


def edge_task_url(ref: dict[str, Any]) -> str:
    return f"{ref['server']}/apis/{GROUP}/{VERSION}/namespaces/{ref['namespace']}/{PLURAL}/{ref['name']}"


class EdgeTaskLink(BaseOperatorLink):
    name = "EdgeTask status"

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        ref = XCom.get_value(ti_key=ti_key, key=EDGE_TASK_XCOM_KEY)
        return edge_task_url(ref) if isinstance(ref, dict) and ref.get("server") else ""
