"""Fixtures for the monitoring page's tests: real edge clusters with the controller and
EdgeTasks in every phase, and a real ``airflow standalone`` serving the plugin.

Airflow's process-wide home comes from tests.edge_operators.airflow_env (imported first, so
one pytest session has one home); the standalone gets a home of its own so its scheduler
never runs other tests' DAGs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import tests.edge_operators.airflow_env  # noqa: F401  (first: sets AIRFLOW_HOME before Airflow loads)
from gridedge.contract.names import PROGRESS_TOPIC, RESULTS_TOPIC, WARNINGS_TOPIC
from gridedge.devstack import controller as devcontroller
from gridedge.devstack.airflow import AirflowHome
from gridedge.devstack.controller import EdgeController
from gridedge.devstack.kafka import KafkaBroker
from gridedge.devstack.kube import ControlPlane
from gridedge.devstack.paths import REPO_ROOT
from gridedge.devstack.standalone import AirflowStandalone
from gridedge.registry import load_registry
from tests.monitoring.support import EdgeSite, create_tasks, wait_phases

NAMESPACE = "gridedge"
CONNECTIONS = {"edge-north": "edge_north", "edge-south": "edge_south"}  # as in config/sites.yaml
SITE_NAMES = {"edge-north": "north", "edge-south": "south"}
PROBE_DAG = "gridedge_monitoring_probe"


@pytest.fixture(scope="module")
def edge_sites(
    edge_clusters: dict[str, ControlPlane], session_dir: Path, service_log_dir: Path
) -> Iterator[dict[str, EdgeSite]]:
    """Both fixture clusters with the CRD, the controller and this test's EdgeTasks settled."""
    controllers: list[EdgeController] = []
    sites: dict[str, EdgeSite] = {}
    try:
        for cluster, plane in edge_clusters.items():
            devcontroller.install(plane)
            if f"namespace/{NAMESPACE}" not in plane.kubectl("get", "namespaces", "-o", "name").split():
                plane.kubectl("create", "namespace", NAMESPACE)
            ctrl = EdgeController(
                plane,
                session_dir / "monitoring-controllers",
                service_log_dir,
                (NAMESPACE,),
                lease_name=f"monitoring-{cluster}",
                identity=f"monitoring-{cluster}",
            )
            controllers.append(ctrl.start())
            sites[cluster] = EdgeSite(SITE_NAMES[cluster], CONNECTIONS[cluster], plane, create_tasks(plane, cluster))
        for site in sites.values():
            wait_phases(site, timeout=90)
        yield sites
    finally:
        for ctrl in controllers:
            ctrl.stop()


@pytest.fixture(scope="module")
def airflow_server(
    edge_sites: dict[str, EdgeSite], kafka_broker: KafkaBroker, session_dir: Path, service_log_dir: Path
) -> Iterator[AirflowStandalone]:
    """``airflow standalone`` with the checkout's dags/ (the warnings DAG) and the probe DAG."""
    kafka_broker.create_topics([RESULTS_TOPIC, WARNINGS_TOPIC, PROGRESS_TOPIC])
    root = session_dir / "monitoring-airflow"
    dags = root / "dags"
    dags.mkdir(parents=True, exist_ok=True)
    (dags / f"{PROBE_DAG}.py").write_text(
        f"# airflow DAG file written by tests/monitoring\nfrom tests.monitoring.probe_dag import build\n\n"
        f"dag = build({PROBE_DAG!r})\n"
    )
    bundles = [
        {
            "name": "dags-folder",
            "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
            "kwargs": {"path": str(REPO_ROOT / "dags")},
        },
        {
            "name": "monitoring-tests",
            "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
            "kwargs": {"path": str(dags)},
        },
    ]
    connections = {
        f"AIRFLOW_CONN_{site.connection_id.upper()}": json.dumps(
            {
                "conn_type": "kubernetes",
                "extra": {"kube_config_path": str(site.plane.kubeconfig), "namespace": NAMESPACE},
            }
        )
        for site in edge_sites.values()
    }
    settings = load_registry().settings.kafka
    for conn_id, extra in (
        (settings.connection_id, {"group.id": "gridedge-airflow"}),
        (settings.warnings_connection_id, {"group.id": "gridedge-warnings", "auto.offset.reset": "earliest"}),
    ):
        extra = {"bootstrap.servers": kafka_broker.bootstrap, **extra}
        connections[f"AIRFLOW_CONN_{conn_id.upper()}"] = json.dumps({"conn_type": "kafka", "extra": extra})
    home = AirflowHome(
        root / "home",
        dags_folder=dags,
        parallelism=2,
        extra_env={"AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST": json.dumps(bundles), **connections},
    )
    server = AirflowStandalone(home, service_log_dir)
    try:
        yield server.start()
    finally:
        server.stop()
