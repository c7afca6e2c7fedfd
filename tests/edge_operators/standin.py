"""Stand-ins for the two parties outside Airflow, for operator tests that run without the
controller: a thread that writes each new EdgeTask's status the way the controller would,
and publishes the rank-0 result message the way the container would.

Only for tests of the Airflow side alone; tests/dags runs the real controller instead.
Bounded: the thread stops after ``seconds`` or when stopped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from edge_operators.hooks.edge_cluster import EdgeClusterHook
from gridedge.contract.names import LABEL_DAG_ID
from tests.edge_operators.helpers import publish_result, set_status

Decide = Callable[[dict[str, Any]], tuple[dict[str, Any], bool]]  # EdgeTask → (status, publish result?)


class ControllerStandIn(threading.Thread):
    def __init__(
        self, conn_id: str, namespace: str, dag_id: str, bootstrap: str, decide: Decide, seconds: float = 120
    ) -> None:
        super().__init__(daemon=True)
        self.hook = EdgeClusterHook(conn_id)
        self.namespace, self.dag_id, self.bootstrap, self.decide = namespace, dag_id, bootstrap, decide
        self.deadline = time.monotonic() + seconds
        self.handled: list[str] = []
        self._stop_event = threading.Event()
        self.errors: list[BaseException] = []

    def run(self) -> None:
        try:
            while not self._stop_event.is_set() and time.monotonic() < self.deadline:
                for obj in self.hook.find_edge_tasks(self.namespace, {LABEL_DAG_ID: self.dag_id}):
                    meta = obj["metadata"]
                    if meta["name"] in self.handled:
                        continue
                    self.handled.append(meta["name"])
                    status, publish = self.decide(obj)
                    if publish:
                        publish_result(
                            self.bootstrap,
                            meta["namespace"],
                            meta["name"],
                            meta["uid"],
                            payload={
                                "metrics": {"rmse": 1.5},
                                "site": obj["metadata"]["labels"].get("gridedge.io/site"),
                            },
                        )
                    set_status(self.hook, meta["name"], meta["namespace"], **status)
                self._stop_event.wait(0.2)
        except BaseException as e:  # surfaced by the test
            self.errors.append(e)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(10)
