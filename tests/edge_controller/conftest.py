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
from tests.edge_controller.support import api_client, create_namespace, wait_for

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


def add_local_data(plane: ControlPlane, namespace: str) -> None:
    """A local PersistentVolume on one node (where the data is) and the claim tasks mount."""
    core = client.CoreV1Api(api_client(plane))
    pv_name = f"data-{namespace}"
    core.create_persistent_volume(
        {
            "metadata": {"name": pv_name},
            "spec": {
                "capacity": {"storage": "1Gi"},
                "accessModes": ["ReadWriteOnce"],
                "persistentVolumeReclaimPolicy": "Retain",
                "storageClassName": "gridedge-local",
                "local": {"path": "/srv/gridedge/data"},
                "nodeAffinity": {
                    "required": {
                        "nodeSelectorTerms": [
                            {
                                "matchExpressions": [
                                    {"key": "kubernetes.io/hostname", "operator": "In", "values": [DATA_NODE]}
                                ]
                            }
                        ]
                    }
                },
            },
        }
    )
    core.create_namespaced_persistent_volume_claim(
        namespace,
        {
            "metadata": {"name": DATA_CLAIM},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "storageClassName": "gridedge-local",
                "volumeName": pv_name,
                "resources": {"requests": {"storage": "1Gi"}},
            },
        },
    )
    wait_for(
        lambda: core.read_namespaced_persistent_volume_claim(DATA_CLAIM, namespace).status.phase == "Bound",
        60,
        f"claim {namespace}/{DATA_CLAIM} Bound",
    )


@pytest.fixture(scope="module")
def namespace(plane: ControlPlane) -> Iterator[str]:
    name = create_namespace(plane, "et", labels=RESTRICTED)
    add_local_data(plane, name)
    yield name
    core = client.CoreV1Api(api_client(plane))
    core.delete_namespace(name)
    core.delete_persistent_volume(f"data-{name}")


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
