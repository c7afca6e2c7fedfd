"""Fixtures for the controller tests: the CRD and deploy RBAC on edge-north, a restricted
namespace with a local PersistentVolume of site data, and the controller as a subprocess."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from kubernetes import client

from gridedge.devstack import controller as devcontroller
from gridedge.devstack.controller import EdgeController
from gridedge.devstack.kube import ControlPlane
from gridedge.devstack.storage import add_local_data, remove_local_data
from tests.edge_controller.support import api_client, create_namespace

RESTRICTED = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
}
DATA_CLAIM = "north-meters"
DATA_NODE = "north-node-1"


@pytest.fixture(scope="module")
def plane(edge_cluster: ControlPlane) -> ControlPlane:
    devcontroller.install(edge_cluster)
    return edge_cluster


@pytest.fixture(scope="module")
def namespace(plane: ControlPlane) -> Iterator[str]:
    name = create_namespace(plane, "et", labels=RESTRICTED)
    add_local_data(plane, name, DATA_NODE, DATA_CLAIM)
    yield name
    client.CoreV1Api(api_client(plane)).delete_namespace(name)
    remove_local_data(plane, name, DATA_CLAIM)


@pytest.fixture(scope="module")
def start_controller(
    plane: ControlPlane, session_dir: Path, service_log_dir: Path
) -> Iterator[Callable[..., EdgeController]]:
    started: list[EdgeController] = []

    def start(namespaces: tuple[str, ...], lease: str | None = None, identity: str | None = None) -> EdgeController:
        ident = identity or f"ctrl-{uuid.uuid4().hex[:6]}"
        ctrl = EdgeController(
            plane,
            session_dir / "controllers",
            service_log_dir,
            namespaces,
            lease_name=lease or f"lease-{ident}",
            identity=ident,
        )
        started.append(ctrl)
        return ctrl.start()

    yield start
    for ctrl in started:
        ctrl.stop()


@pytest.fixture(scope="module")
def controller(start_controller: Callable[..., EdgeController], namespace: str) -> EdgeController:
    return start_controller((namespace,)).wait_reconciling()
