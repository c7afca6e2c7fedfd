"""Fixtures for the DAG tests: the real edge controller on both fixture clusters (a
subprocess under its deploy RBAC), a local PersistentVolume of site data on each, and a
registry copy whose sites tell KWOK how their Pods end."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

import tests.edge_operators.airflow_env  # noqa: F401  (first: sets AIRFLOW_HOME before Airflow loads)
from gridedge.devstack import controller as devcontroller
from gridedge.devstack.airflow import AirflowHome
from gridedge.devstack.controller import EdgeController
from gridedge.devstack.kube import ControlPlane
from gridedge.devstack.storage import add_local_data
from gridedge.registry.loader import REPO_CONFIG_DIR
from tests.edge_operators.fixtures import NAMESPACE, airflow_db, edge_connections, kafka_connection

__all__ = ["airflow_db", "edge_connections", "kafka_connection"]
DATA_NODES = {"edge-north": "north-node-1", "edge-south": "south-node-1"}
DATA_CLAIM = "gridedge-data"


@pytest.fixture(scope="session")
def edge_controllers(
    edge_connections: dict[str, str], edge_clusters: dict[str, ControlPlane], session_dir: Path, service_log_dir: Path
) -> Iterator[dict[str, EdgeController]]:
    started: dict[str, EdgeController] = {}
    try:
        for cluster, node in DATA_NODES.items():
            plane = edge_clusters[cluster]
            devcontroller.install(plane)
            add_local_data(plane, NAMESPACE, node, DATA_CLAIM)
            ident = f"dags-{cluster}-{uuid.uuid4().hex[:4]}"
            started[cluster] = EdgeController(
                plane,
                session_dir / "dag-controllers",
                service_log_dir,
                (NAMESPACE,),
                lease_name=f"lease-{ident}",
                identity=ident,
            ).start()
        yield started
    finally:
        for ctrl in started.values():
            ctrl.stop()


@pytest.fixture
def stack(
    airflow_db: AirflowHome,
    edge_controllers: dict[str, EdgeController],
    edge_clusters: dict[str, ControlPlane],
    kafka_connection: str,
) -> dict[str, ControlPlane]:
    """Migrated Airflow DB, Kafka connections, and the controller running on both clusters."""
    return edge_clusters


def registry_copy(tmp_path: Path, site_annotations: dict[str, dict[str, str]], **airflow: object) -> Path:
    """config/ as shipped, but each site's Pods carry KWOK outcome annotations."""
    dst = tmp_path / "config"
    shutil.copytree(REPO_CONFIG_DIR, dst)
    sites = yaml.safe_load((dst / "sites.yaml").read_text())
    for name, pod_annotations in site_annotations.items():
        sites["sites"][name]["pod_annotations"] = pod_annotations
    (dst / "sites.yaml").write_text(yaml.safe_dump(sites))
    settings = yaml.safe_load((dst / "settings.yaml").read_text())
    settings["airflow"].update(airflow)
    (dst / "settings.yaml").write_text(yaml.safe_dump(settings))
    return dst
