"""EdgeTaskOperator in real Airflow (dag.test) against the real apiservers and broker.

The controller's part (writing status) and the container's part (publishing the result)
are played by :mod:`tests.edge_operators.standin`; tests/dags runs the real controller.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from airflow.sdk import DAG

from edge_operators.hooks.edge_cluster import EdgeClusterHook
from edge_operators.identity import TaskInstanceKey
from edge_operators.operators.edge_task import EdgeTaskOperator
from gridedge.contract import names
from gridedge.devstack.airflow import AirflowHome
from gridedge.devstack.kafka import KafkaBroker
from tests.edge_operators import dag_builders
from tests.edge_operators.airflow_env import write_test_dag
from tests.edge_operators.dag_builders import edge_op as _op
from tests.edge_operators.fixtures import NAMESPACE
from tests.edge_operators.standin import ControllerStandIn


def test_init_does_no_io_and_keeps_templated_fields_verbatim() -> None:
    op = EdgeTaskOperator(
        task_id="t",
        image="img:{{ ds }}",
        arguments=["--day", "{{ ds }}"],
        edge_cluster_conn_id="edge_{{ params.site }}",
        kafka_config_id="does-not-exist",
    )
    assert op.image == "img:{{ ds }}" and op.arguments == ["--day", "{{ ds }}"]
    assert op.edge_cluster_conn_id == "edge_{{ params.site }}"
    assert {"image", "command", "arguments", "env", "edge_cluster_conn_id", "namespace"} <= set(op.template_fields)


def test_labels_name_and_env_templates_of_the_built_edge_task() -> None:
    op = _op("t", "c", "k", site="north", deferrable=True, wait_for_result=False)
    key = TaskInstanceKey("daily_load", "train", "manual__2026-01-01T00:00:00+00:00", 2, 3)
    body = op.build_edge_task(key)
    labels = body["metadata"]["labels"]
    assert labels[names.LABEL_DAG_ID] == "daily_load" and labels[names.LABEL_TASK_ID] == "train"
    assert labels[names.LABEL_RUN_ID] == "manual__2026-01-01T00_00_00_00_00"
    assert labels[names.LABEL_TRY_NUMBER] == "2" and labels[names.LABEL_MAP_INDEX] == "3"
    assert labels[names.LABEL_SITE] == "north"
    assert body["metadata"]["annotations"][names.ANNOTATION_RUN_ID] == key.run_id
    assert len(body["metadata"]["name"]) <= 53 and body["metadata"]["name"].endswith("-t2")
    assert {"name": "PEERS", "template": "${worker_addrs}"} in body["spec"]["env"]
    assert {"name": "THRESHOLD", "value": "0.9"} in body["spec"]["env"]


def _make(builder: str, dag_id: str, **kwargs: Any) -> DAG:
    write_test_dag(dag_id, f"tests.edge_operators.dag_builders:{builder}", **kwargs)
    dag: DAG = getattr(dag_builders, builder)(dag_id, **kwargs)
    return dag


def _states(dr: Any) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in dr.get_task_instances()}


def _test_with_standin(dag: DAG, standin: ControllerStandIn) -> Any:
    standin.start()
    try:
        return dag.test()
    finally:
        standin.stop()
        assert not standin.errors, standin.errors


@pytest.mark.parametrize("deferrable", [True, False], ids=["deferrable", "in-worker"])
def test_xcom_is_the_result_from_kafka(
    deferrable: bool,
    airflow_db: AirflowHome,
    edge_connections: dict[str, str],
    kafka_connection: str,
    kafka_broker: KafkaBroker,
    tmp_path: Path,
) -> None:
    dag_id = f"op_ok_{uuid.uuid4().hex[:6]}"
    out = tmp_path / "xcom.json"
    conn = edge_connections["edge-north"]
    dag = _make("edge_task_dag", dag_id, conn=conn, kafka=kafka_connection, out=str(out), deferrable=deferrable)
    standin = ControllerStandIn(
        conn, NAMESPACE, dag_id, kafka_broker.bootstrap, lambda obj: ({"phase": "Succeeded"}, True)
    )
    dr = _test_with_standin(dag, standin)
    assert _states(dr) == {"stats": "success", "keep": "success"}
    result = json.loads(out.read_text())
    assert result["kind"] == "result" and result["payload"]["metrics"] == {"rmse": 1.5}
    assert result["task"]["name"] == standin.handled[0]


def test_failed_edge_task_fails_the_airflow_task_with_the_controllers_reason(
    airflow_db: AirflowHome,
    edge_connections: dict[str, str],
    kafka_connection: str,
    kafka_broker: KafkaBroker,
    capfd: pytest.CaptureFixture[str],
) -> None:
    dag_id = f"op_fail_{uuid.uuid4().hex[:6]}"
    conn = edge_connections["edge-north"]
    dag = _make("edge_task_dag", dag_id, conn=conn, kafka=kafka_connection)
    reason = {"phase": "Failed", "reason": "BackoffLimitExceeded", "message": "rank 0 failed 4 times (exit code 3)"}
    dr = _test_with_standin(
        dag, ControllerStandIn(conn, NAMESPACE, dag_id, kafka_broker.bootstrap, lambda o: (reason, False))
    )
    assert _states(dr) == {"stats": "failed"}
    captured = capfd.readouterr()
    text = captured.out + captured.err
    ref = f"EdgeTask {NAMESPACE}/"
    assert "AirflowException: " + ref in text
    assert "failed: BackoffLimitExceeded: rank 0 failed 4 times (exit code 3)" in text


def test_retry_after_failure_creates_exactly_one_edge_task_per_try(
    airflow_db: AirflowHome, edge_connections: dict[str, str], kafka_connection: str, kafka_broker: KafkaBroker
) -> None:
    dag_id = f"op_retry_{uuid.uuid4().hex[:6]}"
    conn = edge_connections["edge-south"]
    dag = _make("edge_task_dag", dag_id, conn=conn, kafka=kafka_connection, retries=1)
    seen: list[str] = []

    def decide(obj: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        seen.append(obj["metadata"]["labels"][names.LABEL_TRY_NUMBER])
        if len(seen) == 1:
            return {"phase": "Failed", "reason": "RankFailed", "message": "rank 0 exited with 1"}, False
        return {"phase": "Succeeded"}, True

    dr = _test_with_standin(dag, ControllerStandIn(conn, NAMESPACE, dag_id, kafka_broker.bootstrap, decide))
    assert _states(dr) == {"stats": "success"}
    tasks = EdgeClusterHook(conn).find_edge_tasks(NAMESPACE, {names.LABEL_DAG_ID: dag_id})
    assert sorted(o["metadata"]["labels"][names.LABEL_TRY_NUMBER] for o in tasks) == ["1", "2"]


def test_restart_and_retry_reattach_instead_of_creating_a_second_edge_task(
    airflow_db: AirflowHome, edge_connections: dict[str, str], kafka_connection: str, tmp_path: Path
) -> None:
    """A restarted worker (a fresh operator, same try) and a retry while the EdgeTask still
    runs both find the existing EdgeTask through its labels."""
    dag_id = f"op_reattach_{uuid.uuid4().hex[:6]}"
    conn = edge_connections["edge-north"]
    out = tmp_path / "uids.json"
    dr = _make("reattach_dag", dag_id, conn=conn, kafka=kafka_connection, out=str(out)).test()
    assert _states(dr) == {"submit": "success"}
    uids = json.loads(out.read_text())
    assert len(uids) == 4 and len(set(uids)) == 1
    assert len(EdgeClusterHook(conn).find_edge_tasks(NAMESPACE, {names.LABEL_DAG_ID: dag_id})) == 1


def test_unreachable_cluster_is_a_clear_retryable_task_error(
    airflow_db: AirflowHome, edge_connections: dict[str, str], kafka_connection: str, tmp_path: Path
) -> None:
    dag_id = f"op_down_{uuid.uuid4().hex[:6]}"
    out = tmp_path / "error.json"
    _make("probe_dag", dag_id, conn="edge_unreachable", kafka=kafka_connection, out=str(out)).test()
    err = json.loads(out.read_text())
    assert err["unreachable"] and not err["fail"], err
    assert "edge cluster 'edge_unreachable'" in err["text"] and "unreachable" in err["text"]


def test_unreachable_cluster_is_retried_by_airflow(
    airflow_db: AirflowHome, edge_connections: dict[str, str], kafka_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    dag_id = f"op_down_retry_{uuid.uuid4().hex[:6]}"
    dr = _make("unreachable_dag", dag_id, kafka=kafka_connection).test()
    (ti,) = dr.get_task_instances()
    assert str(ti.state) == "failed" and ti.try_number == 2  # retried once, then failed
    out = capfd.readouterr()
    assert (
        out.out.count("EdgeClusterUnreachable: edge cluster 'edge_unreachable'")
        + out.err.count("EdgeClusterUnreachable: edge cluster 'edge_unreachable'")
        >= 2
    )


def test_invalid_spec_fails_early_with_the_field_path(
    airflow_db: AirflowHome, edge_connections: dict[str, str], kafka_connection: str, tmp_path: Path
) -> None:
    dag_id = f"op_bad_{uuid.uuid4().hex[:6]}"
    out = tmp_path / "error.json"
    conn = edge_connections["edge-north"]
    _make("probe_dag", dag_id, conn=conn, kafka=kafka_connection, out=str(out), env=json.dumps({"RANK": "7"})).test()
    err = json.loads(out.read_text())
    assert err["fail"], err
    assert "is invalid" in err["text"] and "spec.env" in err["text"] and "RANK" in err["text"]
