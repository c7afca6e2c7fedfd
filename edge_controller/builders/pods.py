"""One Pod manifest per rank, for any :class:`NetworkInfo` (Kubernetes or the local runtime).

Called by the kopf handlers (which create the Pods) and by the local runtime (which runs
``containers[0]``'s command, args, env and workingDir as a local process). Names are
deterministic, so creating twice finds the first Pod. Pure: no I/O, no kopf.
"""

from __future__ import annotations

from typing import Any

from edge_controller.builders.env import build_env
from edge_controller.builders.spec import EdgeTask
from gridedge.contract import names as n
from gridedge.contract.edgetask import CONTAINER_NAME
from gridedge.contract.network import NetworkInfo
from gridedge.contract.templates import render, template_values

DATA_VOLUME = "data"
OUTPUT_VOLUME = "output"
TMP_VOLUME = "tmp"

# Copied from the EdgeTask onto its children so a retried Airflow task finds them.
_PROPAGATED_LABELS = (
    n.LABEL_DAG_ID,
    n.LABEL_TASK_ID,
    n.LABEL_RUN_ID,
    n.LABEL_TRY_NUMBER,
    n.LABEL_MAP_INDEX,
    n.LABEL_SITE,
)


def child_labels(task: EdgeTask) -> dict[str, str]:
    """Labels every child (Service and Pods) carries; ``LABEL_TASK_NAME`` selects them."""
    labels = {key: value for key, value in task.meta.labels if key in _PROPAGATED_LABELS}
    labels[n.LABEL_TASK_NAME] = task.meta.name
    labels[n.LABEL_MANAGED_BY] = n.MANAGED_BY
    return labels


def child_metadata(task: EdgeTask, name: str, labels: dict[str, str]) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": task.meta.namespace, "labels": labels}
    owner = task.owner_reference()
    if owner is not None:
        meta["ownerReferences"] = [owner]
    return meta


def _volumes(task: EdgeTask, values: dict[str, str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    spec = task.spec
    volumes: list[dict[str, Any]] = [{"name": TMP_VOLUME, "emptyDir": {}}]
    mounts: list[dict[str, Any]] = [{"name": TMP_VOLUME, "mountPath": "/tmp"}]
    if spec.data is not None:
        volumes.append(
            {
                "name": DATA_VOLUME,
                "persistentVolumeClaim": {"claimName": spec.data.claim_name, "readOnly": spec.data.read_only},
            }
        )
        mount = {"name": DATA_VOLUME, "mountPath": spec.data.mount_path, "readOnly": spec.data.read_only}
        sub_path = render(spec.data.sub_path, values)
        if sub_path:
            mount["subPath"] = sub_path
        mounts.append(mount)
    out = spec.output
    if out.claim_name:
        volumes.append({"name": OUTPUT_VOLUME, "persistentVolumeClaim": {"claimName": out.claim_name}})
    else:
        volumes.append({"name": OUTPUT_VOLUME, "emptyDir": {}})
    out_mount: dict[str, Any] = {"name": OUTPUT_VOLUME, "mountPath": out.mount_path}
    if out.sub_path:
        out_mount["subPath"] = out.sub_path
    mounts.append(out_mount)
    return volumes, mounts


def _container(task: EdgeTask, network: NetworkInfo, rank: int, mounts: list[dict[str, Any]]) -> dict[str, Any]:
    spec = task.spec
    ep = network.endpoint(rank)
    ports = [{"name": "worker", "containerPort": ep.port, "protocol": "TCP"}]
    if rank == 0 and network.master_port != ep.port:
        ports.insert(0, {"name": "master", "containerPort": network.master_port, "protocol": "TCP"})
    container: dict[str, Any] = {
        "name": CONTAINER_NAME,
        "image": spec.image,
        "env": build_env(task, network, rank),
        "ports": ports,
        "volumeMounts": mounts,
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "runAsNonRoot": True,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
    }
    if spec.command:
        container["command"] = list(spec.command)
    if spec.args:
        container["args"] = list(spec.args)
    if spec.working_dir:
        container["workingDir"] = spec.working_dir
    if spec.image_pull_policy:
        container["imagePullPolicy"] = spec.image_pull_policy
    resources = spec.resources.to_manifest()
    if resources:
        container["resources"] = resources
    return container


def build_pod(task: EdgeTask, network: NetworkInfo, rank: int, attempt: int = 0) -> dict[str, Any]:
    """The Pod of one rank in one attempt (attempt counts whole-group restarts, from 0)."""
    spec = task.spec
    ep = network.endpoint(rank)
    values = template_values(network, rank)
    labels = dict(spec.pod_labels)
    labels.update(child_labels(task))
    labels[n.LABEL_RANK] = str(rank)
    labels[n.LABEL_ROLE] = ep.role
    meta = child_metadata(task, ep.pod_name, labels)
    annotations = dict(spec.pod_annotations)
    annotations[n.ANNOTATION_ATTEMPT] = str(attempt)
    meta["annotations"] = annotations
    volumes, mounts = _volumes(task, values)
    pod_spec: dict[str, Any] = {
        "restartPolicy": "Never",  # the controller restarts the whole group (a ring cannot lose a member)
        "hostname": ep.pod_name,
        "subdomain": network.service_name,
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": spec.security.run_as_user,
            "runAsGroup": spec.security.run_as_group,
            "fsGroup": spec.security.fs_group,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": [_container(task, network, rank, mounts)],
        "volumes": volumes,
    }
    if spec.node_selector:
        pod_spec["nodeSelector"] = dict(spec.node_selector)
    if spec.service_account_name:
        pod_spec["serviceAccountName"] = spec.service_account_name
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": pod_spec}


def build_pods(task: EdgeTask, network: NetworkInfo, attempt: int = 0) -> list[dict[str, Any]]:
    """Pods for every rank, in rank order. ``network.world_size`` must equal the spec's."""
    if network.world_size != task.spec.world_size:
        raise ValueError(
            f"{task.meta.ref}: network info has world size {network.world_size}, spec has {task.spec.world_size}"
        )
    return [build_pod(task, network, rank, attempt) for rank in range(network.world_size)]
