"""The DAG files in dags/ as Airflow's DagBag parses them: one DAG per workflow, fan-out
per site, and a broken workflow file that is an import error naming its field while every
other DAG still loads."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from airflow.dag_processing.dagbag import DagBag

from gridedge.devstack.paths import REPO_ROOT
from gridedge.registry.loader import REPO_CONFIG_DIR

WORKFLOW_DAGS = {"daily_load_forecast", "weekly_device_state", "quarter_hour_statistics"}


def _bag(config: Path | None, monkeypatch: pytest.MonkeyPatch) -> DagBag:
    if config is not None:
        monkeypatch.setenv("GRIDEDGE_CONFIG_DIR", str(config))
    return DagBag(dag_folder=str(REPO_ROOT / "dags"))


@pytest.fixture
def config(tmp_path: Path) -> Path:
    dst = tmp_path / "config"
    shutil.copytree(REPO_CONFIG_DIR, dst)
    return dst


def test_every_shipped_workflow_is_a_dag_and_nothing_fails_to_import(monkeypatch: pytest.MonkeyPatch) -> None:
    bag = _bag(None, monkeypatch)
    assert bag.import_errors == {}
    assert set(bag.dags) == WORKFLOW_DAGS | {"gridedge_warnings", "example_edge_task"}


def test_a_workflow_fans_out_to_one_mapped_task_per_site(monkeypatch: pytest.MonkeyPatch) -> None:
    dag: Any = _bag(None, monkeypatch).dags["daily_load_forecast"]
    runs = dag.get_task("train_forecast")
    assert [kw["site"] for kw in runs.expand_input.value] == ["north", "south"]
    assert [kw["edge_cluster_conn_id"] for kw in runs.expand_input.value] == ["edge_north", "edge_south"]
    assert runs.partial_kwargs["image"] == "gridedge/xgboost:0.1.0"
    assert dag.get_task("train_forecast_results").upstream_task_ids == {"train_forecast"}
    assert "gridedge" in dag.tags and dag.schedule == "@daily"


def test_broken_workflow_is_an_import_error_naming_its_field_and_breaks_no_other_dag(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (config / "workflows" / "nightly_broken.yaml").write_text(
        "name: nightly_broken\nschedule: '@daily'\nsites: [north]\n"
        "steps:\n  - id: stats\n    application: load-statistics\n    world_size: 100\n"
    )
    bag = _bag(config, monkeypatch)
    assert set(bag.dags) == WORKFLOW_DAGS | {"gridedge_warnings", "example_edge_task"}
    errors = {Path(k).name: v for k, v in bag.import_errors.items()}
    assert set(errors) == {"gridedge_registry_check.py"}
    text = errors["gridedge_registry_check.py"]
    assert "nightly_broken.yaml" in text and "entry 'nightly_broken'" in text
    assert "field 'steps.0.world_size'" in text and "less than or equal to 64" in text


def test_broken_shared_registry_file_is_named(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (config / "applications.yaml").read_text().replace("algorithm: xgboost-train", "algorithm: xgb")
    (config / "applications.yaml").write_text(text)
    bag = _bag(config, monkeypatch)
    errors = {Path(k).name: v for k, v in bag.import_errors.items()}
    assert "gridedge_workflows.py" in errors
    assert "applications.yaml" in errors["gridedge_workflows.py"]
    assert "entry 'substation-load-forecast', field 'algorithm'" in errors["gridedge_workflows.py"]
    assert "gridedge_warnings" in bag.dags  # the warnings DAG needs only the settings
