"""Fixtures for the monitoring page's tests: real edge clusters with the controller and
EdgeTasks in every phase, and a real ``airflow standalone`` serving the plugin.

Airflow's process-wide home comes from tests.edge_operators.airflow_env (imported first, so
one pytest session has one home); the standalone gets a home of its own so its scheduler
never runs other tests' DAGs. Everything lives in the namespace ``gridedge-monitoring``
(a registry copy says so), so the controllers started here never share a namespace with
the controllers other test folders start on the same clusters.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

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
from tests.monitoring.support import NAMESPACE, EdgeSite, add_site_data, create_tasks, wait_phases

CONNECTIONS = {"edge-north": "edge_north", "edge-south": "edge_south"}  # as in config/sites.yaml
SITE_NAMES = {"edge-north": "north", "edge-south": "south"}
DATA_NODES = {"edge-north": "north-node-1", "edge-south": "south-node-1"}
PROBE_DAG = "gridedge_monitoring_probe"
SUCCEED = {"kwok.gridedge.io/outcome": "Succeeded", "kwok.gridedge.io/delay": "2s"}


MONITORING_WARNINGS_TOPIC = "test.monitoring.warnings"


def registry_copy(root: Path) -> Path:
    """config/ as shipped, but the sites in this folder's namespace, their Pods finished by KWOK,
    and every workflow unscheduled."""
    dst = root / "config"
    shutil.copytree(REPO_ROOT / "config", dst, dirs_exist_ok=True)
    sites = yaml.safe_load((dst / "sites.yaml").read_text())
    for site in sites["sites"].values():
        site["namespace"] = NAMESPACE
        site["pod_annotations"] = dict(SUCCEED)
    (dst / "sites.yaml").write_text(yaml.safe_dump(sites))
    for workflow in (dst / "workflows").glob("*.yaml"):  # only the runs the test triggers
        data = yaml.safe_load(workflow.read_text())
        data["schedule"] = None
        workflow.write_text(yaml.safe_dump(data))
    settings = yaml.safe_load((dst / "settings.yaml").read_text())
    settings["airflow"].update(retries=0, result_timeout_seconds=60)
    # A warnings topic of its own: other tests' real statistics runs leave warnings on the
    # shared topic, and the watcher turns each into one DAG run ahead of this test's warning.
    settings["kafka"]["warnings_topic"] = MONITORING_WARNINGS_TOPIC
    (dst / "settings.yaml").write_text(yaml.safe_dump(settings))
    return dst


@pytest.fixture(scope="module")
def edge_sites(
    edge_clusters: dict[str, ControlPlane], session_dir: Path, service_log_dir: Path
) -> Iterator[dict[str, EdgeSite]]:
    """Both fixture clusters with the CRD, the controller, site data and this test's EdgeTasks."""
    controllers: list[EdgeController] = []
    sites: dict[str, EdgeSite] = {}
    try:
        for cluster, plane in edge_clusters.items():
            devcontroller.install(plane)
            if f"namespace/{NAMESPACE}" not in plane.kubectl("get", "namespaces", "-o", "name").split():
                plane.kubectl("create", "namespace", NAMESPACE)
            add_site_data(plane, DATA_NODES[cluster])
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
    """``airflow standalone`` with the checkout's dags/ (workflows, warnings) and the probe DAG."""
    kafka_broker.create_topics([RESULTS_TOPIC, WARNINGS_TOPIC, PROGRESS_TOPIC, MONITORING_WARNINGS_TOPIC])
    root = session_dir / "monitoring-airflow"
    dags = root / "dags"
    dags.mkdir(parents=True, exist_ok=True)
    (dags / f"{PROBE_DAG}.py").write_text(
        f"# airflow DAG file written by tests/monitoring\nfrom tests.monitoring.probe_dag import build\n\n"
        f"dag = build({PROBE_DAG!r})\n"
    )
    config = registry_copy(root)
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
    settings = load_registry(config).settings.kafka
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
        extra_env={
            "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST": json.dumps(bundles),
            "GRIDEDGE_CONFIG_DIR": str(config),
            **connections,
        },
    )
    server = AirflowStandalone(home, service_log_dir)
    try:
        yield server.start()
    finally:
        server.stop()
