"""Small DAGs the operator tests run with dag.test(); each is also written as a DAG file in
the test bundle (see airflow_env.write_test_dag), since Airflow 3.3 runs bundle DAGs only."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from airflow.sdk import DAG, get_current_context, task

from edge_operators.errors import EdgeClusterUnreachable
from edge_operators.operators.edge_task import EdgeTaskOperator
from tests.edge_operators.fixtures import NAMESPACE

IMAGE = "gridedge/statistics:0.1.0"


def edge_op(task_id: str, conn: str, kafka: str, **kw: Any) -> EdgeTaskOperator:
    return EdgeTaskOperator(
        task_id=task_id,
        image=IMAGE,
        command=["python", "-m", "gridedge_sdk.algorithms.statistics"],
        env=kw.pop("env", {"THRESHOLD": "0.9", "PEERS": "${worker_addrs}"}),
        edge_cluster_conn_id=conn,
        namespace=NAMESPACE,
        kafka_config_id=kafka,
        result_timeout=30,
        **kw,
    )


def edge_task_dag(dag_id: str, conn: str, kafka: str, out: str = "", deferrable: bool = True, retries: int = 0) -> DAG:
    with DAG(dag_id, schedule=None, catchup=False, default_args={"retries": retries, "retry_delay": 0}) as dag:
        run = edge_op("stats", conn, kafka, site="north", deferrable=deferrable)
        if out:

            @task
            def keep(result: dict[str, Any]) -> None:
                Path(out).write_text(json.dumps(result))

            keep(run.output)  # type: ignore[arg-type]  # an XComArg resolves to the result at run time
    return dag


def reattach_dag(dag_id: str, conn: str, kafka: str, out: str) -> DAG:
    with DAG(dag_id, schedule=None, catchup=False, default_args={"retries": 1, "retry_delay": 0}) as dag:

        @task
        def submit() -> None:
            ctx = get_current_context()
            path = Path(out)
            uids = json.loads(path.read_text()) if path.exists() else []
            for _ in range(2):  # the second operator instance stands for a restarted worker
                op = edge_op("submit", conn, kafka, wait_for_result=False)
                uids.append(op.submit_or_reattach(ctx)["metadata"]["uid"])
            path.write_text(json.dumps(uids))
            if ctx["ti"].try_number == 1:
                raise RuntimeError("worker lost after submitting")

        submit()
    return dag


def probe_dag(dag_id: str, conn: str, kafka: str, out: str, env: str = "") -> DAG:
    """Runs the operator inside a task and records the exception it raised."""
    with DAG(dag_id, schedule=None, catchup=False, default_args={"retries": 0}) as dag:

        @task
        def submit() -> None:
            from airflow.sdk.exceptions import AirflowFailException

            kw: dict[str, Any] = {"env": json.loads(env)} if env else {}
            op = edge_op("submit", conn, kafka, **kw)
            try:
                op.execute(get_current_context())
            except Exception as e:
                record = {
                    "type": type(e).__name__,
                    "fail": isinstance(e, AirflowFailException),
                    "unreachable": isinstance(e, EdgeClusterUnreachable),
                    "text": str(e),
                }
                Path(out).write_text(json.dumps(record))

        submit()
    return dag


def sensor_dag(dag_id: str, conn: str, name: str, deferrable: bool = False) -> DAG:
    from edge_operators.sensors.edge_task import EdgeTaskSensor

    with DAG(dag_id, schedule=None, catchup=False, default_args={"retries": 0}) as dag:
        EdgeTaskSensor(
            task_id="wait",
            edge_task_name=name,
            namespace=NAMESPACE,
            edge_cluster_conn_id=conn,
            deferrable=deferrable,
            poke_interval=0.5,
            timeout=60,
        )
    return dag


def kill_dag(dag_id: str, conn: str, kafka: str, out: str) -> DAG:
    """Submits, then calls on_kill as Airflow does when the in-worker task is killed."""
    from edge_operators.errors import EdgeTaskNotFound

    with DAG(dag_id, schedule=None, catchup=False, default_args={"retries": 0}) as dag:

        @task
        def submit_then_kill() -> None:
            op = edge_op("submit_then_kill", conn, kafka, deferrable=False, wait_for_result=False)
            meta = op.submit_or_reattach(get_current_context())["metadata"]
            op.on_kill()
            # A controller running for this namespace holds a finalizer: deletion completes
            # once it has let go, so wait for the object to vanish (bounded).
            gone, deadline = False, time.monotonic() + 30
            while not gone and time.monotonic() < deadline:
                try:
                    op.hook.get_edge_task(meta["name"], meta["namespace"])
                    time.sleep(0.5)
                except EdgeTaskNotFound:
                    gone = True
            Path(out).write_text(json.dumps({"name": meta["name"], "gone": gone}))

        submit_then_kill()
    return dag


def unreachable_dag(dag_id: str, kafka: str) -> DAG:
    """The operator against a cluster that is down, with one retry."""
    with DAG(dag_id, schedule=None, catchup=False, default_args={"retries": 1, "retry_delay": 0}) as dag:
        edge_op("stats", "edge_unreachable", kafka)
    return dag
