"""Site data on a dev-stack cluster: a local PersistentVolume pinned to one node, and its claim.

Called by tests and the demo that run EdgeTasks with ``spec.data``. On KWOK nodes nothing
is mounted (no kubelet), but the scheduler's volume binding is real: Pods that mount the
claim land on the node that holds the data. Creates objects through kubectl; no I/O on
the node.
"""

from __future__ import annotations

import json

from gridedge.devstack.kube import ControlPlane

STORAGE_CLASS = "gridedge-local"


def add_local_data(plane: ControlPlane, namespace: str, node: str, claim: str, path: str = "/srv/gridedge/data") -> str:
    """Create (idempotently) the PV ``<claim>-<namespace>`` on ``node`` and ``claim`` bound to it."""
    pv = f"{claim}-{namespace}"
    affinity = {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}
    objects = [
        {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {"name": pv},
            "spec": {
                "capacity": {"storage": "1Gi"},
                "accessModes": ["ReadWriteOnce"],
                "persistentVolumeReclaimPolicy": "Retain",
                "storageClassName": STORAGE_CLASS,
                "local": {"path": path},
                "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [affinity]}]}},
            },
        },
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": claim, "namespace": namespace},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "storageClassName": STORAGE_CLASS,
                "volumeName": pv,
                "resources": {"requests": {"storage": "1Gi"}},
            },
        },
    ]
    manifest = plane.workdir / f"data-{pv}.json"
    manifest.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": objects}))
    plane.kubectl("apply", "-f", str(manifest))
    plane.kubectl(
        "wait", "--for=jsonpath={.status.phase}=Bound", f"pvc/{claim}", "-n", namespace, "--timeout=60s", timeout=70
    )
    return pv


def remove_local_data(plane: ControlPlane, namespace: str, claim: str) -> None:
    plane.kubectl("delete", "pv", f"{claim}-{namespace}", "--ignore-not-found", "--wait=false")
