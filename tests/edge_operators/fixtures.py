"""Fixtures shared by tests/edge_operators and tests/dags: Airflow connections to the real
fixture clusters (with the EdgeTask CRD applied) and to the real Kafka broker.

Connections are given the Airflow way, as ``AIRFLOW_CONN_*`` environment variables, so
hooks in this process, in ``dag.test()`` and in a spawned ``airflow standalone`` see them.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gridedge.devstack.airflow import AirflowHome
from gridedge.devstack.kafka import KafkaBroker
from gridedge.devstack.kube import ControlPlane
from gridedge.devstack.paths import REPO_ROOT
from gridedge.devstack.ports import free_port
from tests.edge_operators.airflow_env import HOME

CRD = Path(os.environ.get("GRIDEDGE_TEST_CRD") or REPO_ROOT / "crds" / "edgetask.yaml")
NAMESPACE = "gridedge"
SITE_CONNECTIONS = {"edge-north": "edge_north", "edge-south": "edge_south"}
UNREACHABLE_CONN = "edge_unreachable"
KAFKA_CONN = "gridedge_kafka"
KAFKA_WARNINGS_CONN = "gridedge_kafka_warnings"


def conn_env_name(conn_id: str) -> str:
    return f"AIRFLOW_CONN_{conn_id.upper()}"


def kube_conn_uri(kubeconfig: Path, namespace: str = NAMESPACE) -> str:
    return json.dumps(
        {"conn_type": "kubernetes", "extra": {"kube_config_path": str(kubeconfig), "namespace": namespace}}
    )


def _wait_for_crd(plane: ControlPlane, deadline_s: float = 30) -> None:
    end = time.monotonic() + deadline_s
    while True:
        try:
            plane.kubectl("get", "edgetasks", "-A", timeout=10)
            return
        except Exception:
            if time.monotonic() > end:
                raise
            time.sleep(0.5)


@pytest.fixture(scope="session")
def airflow_db() -> AirflowHome:
    """The process's Airflow home (see airflow_env) with its metadata DB migrated."""
    return HOME.migrate() if not (HOME.home / "airflow.db").exists() else HOME


@pytest.fixture(scope="session")
def edge_connections(edge_clusters: dict[str, ControlPlane], session_dir: Path) -> Iterator[dict[str, str]]:
    """Cluster name → Airflow connection id, with the CRD and namespace ``gridedge`` on each."""
    saved = {k: os.environ.get(k) for k in [*map(conn_env_name, SITE_CONNECTIONS.values()), UNREACHABLE_CONN]}
    for cluster, conn_id in SITE_CONNECTIONS.items():
        plane = edge_clusters[cluster]
        plane.kubectl("apply", "-f", str(CRD))
        # Exact names: "gridedge" is a substring of the controller's own "gridedge-system".
        if f"namespace/{NAMESPACE}" not in plane.kubectl("get", "namespaces", "-o", "name").split():
            plane.kubectl("create", "namespace", NAMESPACE)
        _wait_for_crd(plane)
        os.environ[conn_env_name(conn_id)] = kube_conn_uri(plane.kubeconfig)
    # A kubeconfig for a port where nothing listens: an edge cluster that is down.
    down = session_dir / "unreachable-kubeconfig"
    any_plane = edge_clusters["edge-north"]
    text = any_plane.kubeconfig.read_text().replace(any_plane.server, f"https://127.0.0.1:{free_port()}")
    down.write_text(text)
    os.environ[conn_env_name(UNREACHABLE_CONN)] = kube_conn_uri(down)
    yield dict(SITE_CONNECTIONS)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def kafka_connection(kafka_broker: KafkaBroker) -> Iterator[str]:
    """The Kafka provider's connections to the real broker (results; the warnings watcher's
    own consumer group), with GridEdge's topics created."""
    kafka_broker.create_topics(["gridedge.results", "gridedge.warnings", "gridedge.progress"])
    extras = {
        KAFKA_CONN: {"bootstrap.servers": kafka_broker.bootstrap, "group.id": "gridedge-airflow"},
        KAFKA_WARNINGS_CONN: {
            "bootstrap.servers": kafka_broker.bootstrap,
            "group.id": "gridedge-warnings",
            "auto.offset.reset": "earliest",
        },
    }
    saved = {conn: os.environ.get(conn_env_name(conn)) for conn in extras}
    for conn, extra in extras.items():
        os.environ[conn_env_name(conn)] = json.dumps({"conn_type": "kafka", "extra": extra})
    yield KAFKA_CONN
    for conn, value in saved.items():
        if value is None:
            os.environ.pop(conn_env_name(conn), None)
        else:
            os.environ[conn_env_name(conn)] = value
