"""The DAG the monitoring page's test runs in a real ``airflow standalone``.

Stands in for the two EdgeTaskOperator steps of the demo (a forecast and a statistics task)
only in what their XComs hold: it reads a real SimBench substation profile, makes a real
day-ahead forecast (mean of the same quarter hour one day and one week earlier) against
the seasonal-naive baseline, and returns the result message (schema v1) for an EdgeTask
that the test created on the north cluster; the statistics step returns a warning message
when the day's peak crosses the threshold the test passes. Imported by the DAG file that
the test writes into a temporary DAG bundle; runs inside Airflow's task workers.
"""

from __future__ import annotations

import math
from typing import Any

from airflow.sdk import DAG, BaseHook, get_current_context, task
from confluent_kafka import Producer

from gridedge.contract import messages
from gridedge.data.simbench_profiles import profile_file, read_profiles
from gridedge.registry import load_settings

DAY = 96
WEEK = 7 * DAY


def _identity(ref: dict[str, Any]) -> tuple[messages.TaskIdentity, messages.AirflowIdentity]:
    ti = get_current_context()["ti"]
    task_identity = messages.TaskIdentity(ref["namespace"], ref["name"], ref.get("uid"))
    return task_identity, messages.AirflowIdentity(ti.dag_id, ti.run_id, ti.task_id, int(ti.try_number))


def forecast_result(ref: dict[str, Any], profile: str, day: int) -> dict[str, Any]:
    series = read_profiles([profile])[profile]
    start = WEEK + day * DAY
    actual = series.iloc[start : start + DAY]
    day_before = series.iloc[start - DAY : start].to_numpy()
    week_before = series.iloc[start - WEEK : start - WEEK + DAY].to_numpy()
    predicted = (day_before + week_before) / 2
    values = actual.to_numpy()

    def rmse(pred: Any) -> float:
        return math.sqrt(float(((pred - values) ** 2).mean()))

    payload = {
        "site": ref["site"],
        "metrics": {"rmse": rmse(predicted), "baseline_rmse": rmse(week_before), "n_test": DAY},
        "forecast": {
            "time": [t.strftime("%Y-%m-%d %H:%M") for t in actual.index],
            "actual": [round(float(v), 5) for v in values],
            "predicted": [round(float(v), 5) for v in predicted],
            "baseline": [round(float(v), 5) for v in week_before],
            "unit": "p.u.",
        },
    }
    task_identity, airflow_identity = _identity(ref)
    get_current_context()["ti"].xcom_push(key="edge_task", value={"cluster": ref["cluster"], **ref})
    message = messages.build_message(
        kind=messages.Kind.RESULT,
        task=task_identity,
        airflow=airflow_identity,
        rank=0,
        world_size=2,
        algorithm="xgboost_train",
        sequence=1,
        payload=payload,
        bytes_read=profile_file().stat().st_size,
        bytes_sent=0,
    )
    message["bytes"]["sent"] = len(messages.encode(message))
    messages.validate(message)
    return message


def peak_warning(ref: dict[str, Any], profile: str, day: int, threshold: float) -> list[dict[str, Any]]:
    series = read_profiles([profile])[profile]
    start = WEEK + day * DAY
    peak = float(series.iloc[start : start + DAY].max())
    if peak <= threshold:
        return []
    task_identity, airflow_identity = _identity(ref)
    warning = messages.WarningInfo(
        asset_id=f"{profile}-transformer",
        asset_type="transformer",
        severity=messages.Severity.CRITICAL if peak > 1.1 * threshold else messages.Severity.WARNING,
        code="TRANSFORMER_OVERLOAD",
        value=peak,
        threshold=threshold,
        unit="p.u.",
    )
    message = messages.build_message(
        kind=messages.Kind.WARNING,
        task=task_identity,
        airflow=airflow_identity,
        rank=0,
        world_size=1,
        algorithm="statistics",
        sequence=0,
        payload={"site": ref["site"]},
        bytes_read=profile_file().stat().st_size,
        bytes_sent=0,
        warning=warning,
    )
    messages.validate(message)
    return [message]


def publish(found: list[dict[str, Any]], kafka_conn_id: str = "gridedge_kafka") -> list[str]:
    """Publish on the warnings topic the way the SDK's publisher does (keyed, idempotent, acks=all)."""
    bootstrap = BaseHook.get_connection(kafka_conn_id).extra_dejson["bootstrap.servers"]
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all"})
    for message in found:
        task_identity = messages.TaskIdentity(**message["task"])
        producer.produce(
            load_settings().kafka.warnings_topic,
            key=messages.message_key(task_identity),
            value=messages.encode(message),
        )
    if producer.flush(30) != 0:
        raise RuntimeError(f"could not publish {len(found)} warning(s) to {bootstrap} within 30s")
    return [str(m["message_id"]) for m in found]


def build(dag_id: str) -> DAG:
    with DAG(dag_id=dag_id, schedule=None, catchup=False, tags=["gridedge", "test"]) as dag:

        @task
        def train_forecast() -> dict[str, Any]:
            conf = get_current_context()["dag_run"].conf or {}
            return forecast_result(conf["forecast"], conf["profile"], int(conf["day"]))

        @task
        def load_statistics() -> list[str]:
            conf = get_current_context()["dag_run"].conf or {}
            found = peak_warning(conf["statistics"], conf["profile"], int(conf["day"]), float(conf["threshold"]))
            return publish(found)

        train_forecast() >> load_statistics()
    return dag
