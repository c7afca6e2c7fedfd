"""EdgeTaskSensor for EdgeTasks created elsewhere, and deletion of the EdgeTask on kill."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from edge_operators.errors import EdgeTaskNotFound
from edge_operators.hooks.edge_cluster import EdgeClusterHook
from edge_operators.triggers.edge_task import EdgeTaskTrigger
from gridedge.devstack.airflow import AirflowHome
from tests.edge_operators.airflow_env import write_test_dag
from tests.edge_operators.dag_builders import kill_dag, sensor_dag
from tests.edge_operators.fixtures import NAMESPACE
from tests.edge_operators.helpers import set_status
from tests.edge_operators.test_edge_cluster_hook import manifest


def _states(dr: Any) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in dr.get_task_instances()}


@pytest.mark.parametrize(
    ("deferrable", "status", "expected"),
    [
        (False, {"phase": "Succeeded"}, "success"),
        (True, {"phase": "Succeeded"}, "success"),
        (False, {"phase": "Failed", "reason": "DeadlineExceeded", "message": "activeDeadlineSeconds 3"}, "failed"),
    ],
    ids=["poke-succeeded", "deferrable-succeeded", "poke-failed"],
)
def test_sensor_follows_an_edge_task_created_elsewhere(
    deferrable: bool,
    status: dict[str, str],
    expected: str,
    airflow_db: AirflowHome,
    edge_connections: dict[str, str],
    capfd: pytest.CaptureFixture[str],
) -> None:
    conn = edge_connections["edge-north"]
    hook = EdgeClusterHook(conn)
    name = f"elsewhere-{uuid.uuid4().hex[:8]}"
    hook.create_edge_task(manifest(name))
    dag_id = f"sensor_{uuid.uuid4().hex[:6]}"
    write_test_dag(dag_id, "tests.edge_operators.dag_builders:sensor_dag", conn=conn, name=name, deferrable=deferrable)
    timer = threading.Timer(2.0, set_status, (hook, name, NAMESPACE), status)
    timer.start()
    try:
        dr = sensor_dag(dag_id, conn=conn, name=name, deferrable=deferrable).test()
    finally:
        timer.join(10)
    assert _states(dr) == {"wait": expected}
    if expected == "failed":
        out = capfd.readouterr()
        assert f"EdgeTask {NAMESPACE}/{name} failed: DeadlineExceeded: activeDeadlineSeconds 3" in out.out + out.err


def test_killing_the_deferred_task_deletes_its_edge_task(edge_connections: dict[str, str]) -> None:
    conn = edge_connections["edge-south"]
    hook = EdgeClusterHook(conn)
    name = f"killed-{uuid.uuid4().hex[:8]}"
    obj = hook.create_edge_task(manifest(name))
    trigger = EdgeTaskTrigger(name, NAMESPACE, obj["metadata"]["uid"], 0, conn, "unused", "gridedge.results", False)
    asyncio.run(trigger.on_kill())
    # A controller running for this namespace holds a finalizer, so the object may linger
    # until it lets go: wait (bounded) for it to vanish.
    deadline = time.monotonic() + 30
    with pytest.raises(EdgeTaskNotFound):
        while time.monotonic() < deadline:
            hook.get_edge_task(name, NAMESPACE)
            time.sleep(0.5)
    kept = f"{name}-kept"
    hook.create_edge_task(manifest(kept))
    keep = EdgeTaskTrigger(kept, NAMESPACE, None, 0, conn, "unused", "gridedge.results", False, delete_on_kill=False)
    asyncio.run(keep.on_kill())
    assert hook.get_edge_task(kept, NAMESPACE)["metadata"]["name"] == kept


def test_killing_the_in_worker_task_deletes_its_edge_task(
    airflow_db: AirflowHome, edge_connections: dict[str, str], kafka_connection: str, tmp_path: Path
) -> None:
    dag_id = f"kill_{uuid.uuid4().hex[:6]}"
    out = tmp_path / "killed.json"
    kwargs = {"conn": edge_connections["edge-north"], "kafka": kafka_connection, "out": str(out)}
    write_test_dag(dag_id, "tests.edge_operators.dag_builders:kill_dag", **kwargs)
    dr = kill_dag(dag_id, **kwargs).test()
    assert _states(dr) == {"submit_then_kill": "success"}
    record = json.loads(out.read_text())
    assert record["gone"] is True and record["name"].startswith("kill-")
