"""quarter_hour_statistics with the real statistics algorithm on real SimBench site data,
run through Kubernetes: the controller creates the Pod, the scheduler binds it to a Node
played by :class:`~tests.dags.kubelet.ProcessKubelet`, which runs the container's command
as a local process; the algorithm reads its site's data, publishes its result and early
warnings on Kafka, and the operator's XCom holds the result. The south site runs on KWOK
with the test publishing its container's result, as in test_example_dags."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from confluent_kafka import Consumer

from edge_operators.factory import build_dag
from edge_operators.hooks.edge_cluster import EdgeClusterHook
from gridedge.contract.names import LABEL_DAG_ID
from gridedge.devstack.kafka import KafkaBroker
from gridedge.devstack.kube import ControlPlane
from gridedge.devstack.storage import add_local_data
from gridedge.registry import load_registry, load_workflows
from tests.dags.conftest import registry_copy
from tests.dags.container import ContainerStandIn
from tests.dags.kubelet import ProcessKubelet
from tests.dags.test_example_dags import SUCCEED, _states, _xcom
from tests.edge_operators.fixtures import NAMESPACE

NODE = "north-proc-1"
CLAIM = "gridedge-data-proc"


def _guard(kubelet: ProcessKubelet, plane: ControlPlane, dag_id: str, seconds: float) -> None:
    """Bound the run: if the kubelet dies or time runs out, delete the DAG's EdgeTasks, which
    ends the operator's wait with an error instead of a hang."""
    deadline = time.monotonic() + seconds
    while kubelet.is_alive() and not kubelet.errors and time.monotonic() < deadline:
        if kubelet.finished:
            return
        time.sleep(0.5)
    if kubelet.finished:
        return
    hook = EdgeClusterHook("edge_north")
    for obj in hook.find_edge_tasks(NAMESPACE, {LABEL_DAG_ID: dag_id}):
        hook.delete_edge_task(obj["metadata"]["name"], NAMESPACE)


def _warnings_for(bootstrap: str, task_name: str, seconds: float = 30) -> list[dict[str, Any]]:
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"t-{uuid.uuid4().hex}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe(["gridedge.warnings"])
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            record = consumer.poll(1.0)
            if record is None:
                if found:
                    break
                continue
            value = record.value()
            if record.error() or value is None:
                continue
            message = json.loads(value)
            if message["task"]["name"] == task_name:
                found.append(message)
    finally:
        consumer.close()
    return found


def test_statistics_run_for_real_through_kubernetes_and_send_result_and_warnings(
    stack: dict[str, ControlPlane],
    kafka_broker: KafkaBroker,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = tmp_path / "site-data"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "gridedge.data",
            "--out",
            str(data),
            "--sites",
            "2",
            "--site-names",
            "north,south",
            "--resolution",
            "15min",
        ],
        check=True,
        timeout=300,
        capture_output=True,
    )
    north = stack["edge-north"]
    add_local_data(north, NAMESPACE, NODE, CLAIM)
    kubelet = ProcessKubelet(north, NODE, {"gridedge.io/site": "north"}, {CLAIM: data}, tmp_path / "pods").register()
    config = registry_copy(tmp_path, {"south": SUCCEED}, retries=0, result_timeout_seconds=120)
    sites = yaml.safe_load((config / "sites.yaml").read_text())
    sites["sites"]["north"]["data"] = {"claim_name": CLAIM, "path": "north"}
    sites["sites"]["north"]["node_selector"] = {"kubernetes.io/hostname": NODE}
    (config / "sites.yaml").write_text(yaml.safe_dump(sites))
    monkeypatch.setenv("GRIDEDGE_CONFIG_DIR", str(config))
    registry = load_registry(config)
    workflow = next(
        f.workflow for f in load_workflows(registry) if f.workflow and f.workflow.name == "quarter_hour_statistics"
    )
    container = ContainerStandIn([stack["edge-south"]], NAMESPACE)
    kubelet.start()
    container.start()
    guard = threading.Thread(target=_guard, args=(kubelet, north, workflow.name, 150), daemon=True)
    guard.start()
    try:
        dr = build_dag(workflow, registry).test()
    finally:
        container.stop()
        kubelet.stop()
        # The cluster is shared by the whole session: leave it with the nodes it started with.
        north.kubectl("delete", "node", NODE, "--ignore-not-found", "--wait=true")
    assert not kubelet.errors and not container.errors, (kubelet.errors, container.errors)
    logs = {p.parent.name: p.read_text()[-2000:] for p in (tmp_path / "pods").rglob("container.log")}
    assert _states(dr) == {
        ("load_statistics", 0): "success",
        ("load_statistics", 1): "success",
        ("load_statistics_results", -1): "success",
    }, logs
    assert list(kubelet.finished.values()) == [0], logs
    result = _xcom(dr, "load_statistics_results")["north"]
    assert result["algorithm"] and result["bytes"]["read"] > 0 and result["bytes"]["sent"] > 0
    assets = json.dumps(result["payload"])
    assert "trafo-HS0" in assets, result["payload"]
    warnings = _warnings_for(kafka_broker.bootstrap, result["task"]["name"])
    assert warnings and all(w["kind"] == "warning" for w in warnings)
    assert {w["warning"]["code"] for w in warnings} & {"TRANSFORMER_OVERLOAD", "MISSING_DATA"}
