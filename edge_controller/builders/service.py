"""The Kubernetes topology of a task and its headless Service (stable per-rank DNS names).

Called by the kopf handlers. The local runtime needs neither (it builds
``gridedge.contract.network.local_network`` itself). Pure: no I/O, no kopf.
"""

from __future__ import annotations

from typing import Any

from edge_controller.builders.pods import child_labels, child_metadata
from edge_controller.builders.spec import EdgeTask
from gridedge.contract import names as n
from gridedge.contract.network import NetworkInfo, kubernetes_network


def network_for_kubernetes(task: EdgeTask, cluster_domain: str = "cluster.local") -> NetworkInfo:
    return kubernetes_network(
        task.meta.namespace,
        task.meta.name,
        task.spec.world_size,
        task.spec.ports.master,
        task.spec.ports.worker,
        cluster_domain,
    )


def build_service(task: EdgeTask, network: NetworkInfo) -> dict[str, Any]:
    """Headless, and publishing not-ready addresses: ranks must resolve each other while starting."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": child_metadata(task, network.service_name, child_labels(task)),
        "spec": {
            "clusterIP": "None",
            "publishNotReadyAddresses": True,
            "selector": {n.LABEL_TASK_NAME: task.meta.name},
            "ports": [
                {"name": "master", "port": network.master_port, "targetPort": network.master_port, "protocol": "TCP"},
                {
                    "name": "worker",
                    "port": task.spec.ports.worker,
                    "targetPort": task.spec.ports.worker,
                    "protocol": "TCP",
                },
            ],
        },
    }
