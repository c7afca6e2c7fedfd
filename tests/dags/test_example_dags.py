"""The shipped example workflows, run with dag.test() end to end on real services.

Real Airflow (dag.test, deferrable operator, triggers run inline), the real edge
controller on both fixture clusters materialising each EdgeTask as Pods, KWOK finishing
the Pods as the sites' annotations say, and the real Kafka broker carrying the result
that :class:`~tests.dags.container.ContainerStandIn` publishes for each running Pod.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from edge_operators.factory import build_dag
from gridedge.devstack.kube import ControlPlane
from gridedge.registry import load_registry, load_workflows
from tests.dags.conftest import registry_copy
from tests.dags.container import ContainerStandIn
from tests.edge_operators.fixtures import NAMESPACE

SUCCEED = {"kwok.gridedge.io/outcome": "Succeeded", "kwok.gridedge.io/delay": "2s"}
FAIL = {"kwok.gridedge.io/outcome": "Failed", "kwok.gridedge.io/delay": "1s", "kwok.gridedge.io/exit-code": "3"}


def _xcom(dr: Any, task_id: str, map_index: int = -1) -> Any:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    query = XComModel.get_many(
        run_id=dr.run_id, key="return_value", dag_ids=dr.dag_id, task_ids=task_id, map_indexes=map_index
    )
    with create_session() as session:
        row = session.scalars(query).first()
        return None if row is None else XComModel.deserialize_value(row)


def _run_workflow(name: str, config: Path, planes: list[ControlPlane], monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("GRIDEDGE_CONFIG_DIR", str(config))
    registry = load_registry(config)
    workflow = next(f.workflow for f in load_workflows(registry) if f.workflow and f.workflow.name == name)
    container = ContainerStandIn(planes, NAMESPACE)
    container.start()
    try:
        dr = build_dag(workflow, registry).test()
    finally:
        container.stop()
    assert not container.errors, container.errors
    return dr, container


def _states(dr: Any) -> dict[tuple[str, int], str]:
    return {(ti.task_id, ti.map_index): str(ti.state) for ti in dr.get_task_instances()}


def test_daily_load_forecast_runs_at_both_sites_and_gathers_their_results(
    stack: dict[str, ControlPlane],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = registry_copy(tmp_path, {"north": SUCCEED, "south": SUCCEED}, retries=0, result_timeout_seconds=60)
    dr, container = _run_workflow("daily_load_forecast", config, list(stack.values()), monkeypatch)
    assert _states(dr) == {
        ("train_forecast", 0): "success",
        ("train_forecast", 1): "success",
        ("train_forecast_results", -1): "success",
    }
    gathered = _xcom(dr, "train_forecast_results")
    assert set(gathered) == {"north", "south"}
    for site, result in gathered.items():
        assert result["kind"] == "result" and result["rank"] == 0 and result["status"] == "succeeded"
        assert result["airflow"]["dag_id"] == "daily_load_forecast" and result["airflow"]["task_id"] == "train_forecast"
        assert result["algorithm"] == "gridedge_sdk.algorithms.xgboost_train"
        assert result["task"]["uid"], site
    # Each site's EdgeTask ran on its own cluster: world size 2 there, so 2 Pods each published.
    assert len(container.published) == 4
    assert gathered["north"]["task"]["name"] != gathered["south"]["task"]["name"]


def test_a_failing_site_fails_its_task_with_the_controllers_reason(
    stack: dict[str, ControlPlane],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    config = registry_copy(tmp_path, {"north": SUCCEED, "south": FAIL}, retries=0, result_timeout_seconds=60)
    dr, _ = _run_workflow("quarter_hour_statistics", config, list(stack.values()), monkeypatch)
    states = _states(dr)
    assert states[("load_statistics", 0)] == "success"
    assert states[("load_statistics", 1)] == "failed"
    assert states[("load_statistics_results", -1)] == "upstream_failed"
    out = capfd.readouterr()
    text = out.out + out.err
    assert "AirflowException: EdgeTask gridedge/quarter-hour-statistics-load-statistics-" in text
    assert "failed: RankFailed: rank 0 exited 3 (Error): a permanent error, not restarted" in text


def test_weekly_device_state_model_on_one_site(
    stack: dict[str, ControlPlane],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = registry_copy(tmp_path, {"north": SUCCEED}, retries=0, result_timeout_seconds=60)
    dr, _ = _run_workflow("weekly_device_state", config, [stack["edge-north"]], monkeypatch)
    assert _states(dr) == {("train_device_state", 0): "success", ("train_device_state_results", -1): "success"}
    assert _xcom(dr, "train_device_state_results")["north"]["world_size"] == 2


def test_hand_written_example_dag(
    stack: dict[str, ControlPlane], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.dag_processing.dagbag import DagBag

    from gridedge.devstack.paths import REPO_ROOT

    config = registry_copy(tmp_path, {"north": SUCCEED, "south": SUCCEED}, retries=0, result_timeout_seconds=60)
    monkeypatch.setenv("GRIDEDGE_CONFIG_DIR", str(config))
    dag: Any = DagBag(dag_folder=str(REPO_ROOT / "dags" / "example_edge_task.py")).dags["example_edge_task"]
    container = ContainerStandIn(list(stack.values()), NAMESPACE)
    container.start()
    try:
        dr = dag.test()
    finally:
        container.stop()
    assert _states(dr) == {
        ("north_statistics", -1): "success",
        ("south_forecast", -1): "success",
        ("report", -1): "success",
    }
    report = _xcom(dr, "report")
    assert report["statistics"]["pod"].endswith("-master-0") and report["forecast"]["metrics"]["rmse"] > 0
