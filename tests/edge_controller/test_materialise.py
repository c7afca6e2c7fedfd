"""Materialisation on a real apiserver: world sizes 1, 2 and 8 with each framework preset.

Every Pod's env is checked value by value; owner references, the headless Service, the
local PersistentVolume pinning Pods to the data's node, and admission by a namespace that
enforces the restricted Pod Security profile.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from kubernetes import client

from gridedge.devstack.controller import EdgeController
from gridedge.devstack.kube import ControlPlane
from tests.edge_controller.builders.sample import decoded, env_of, expected_env, full_manifest
from tests.edge_controller.conftest import DATA_NODE
from tests.edge_controller.support import Tasks, api_client, wait_for

CASES = [(framework, world) for framework in ("generic", "xgboost", "lightgbm") for world in (1, 2, 8)]


def _name(framework: str, world: int) -> str:
    return f"{framework}-{world}"


@pytest.fixture(scope="module")
def materialised(plane: ControlPlane, namespace: str, controller: EdgeController) -> dict[str, dict[str, Any]]:
    """All nine tasks created at once; returns each created EdgeTask by name once all succeeded."""
    tasks = Tasks(plane, namespace)
    created = {}
    for framework, world in CASES:
        body = full_manifest(framework, world)
        body["metadata"].pop("uid")
        body["metadata"].update(name=_name(framework, world), namespace=namespace)
        created[_name(framework, world)] = tasks.create(body)

    def all_succeeded() -> bool:
        return all(tasks.status(n).get("phase") == "Succeeded" for n in created)

    wait_for(all_succeeded, 90, "all nine tasks Succeeded", interval=0.5)
    return created


@pytest.mark.parametrize(("framework", "world"), CASES)
def test_every_rank_gets_the_env_value_by_value(
    plane: ControlPlane, namespace: str, materialised: dict[str, dict[str, Any]], framework: str, world: int
) -> None:
    core = client.CoreV1Api(api_client(plane))
    name = _name(framework, world)
    uid = materialised[name]["metadata"]["uid"]
    pods = {
        p.metadata.name: p
        for p in core.list_namespaced_pod(namespace, label_selector=f"gridedge.io/task-name={name}").items
    }
    expected_names = [f"{name}-master-0"] + [f"{name}-worker-{r}" for r in range(1, world)]
    assert sorted(pods) == sorted(expected_names)
    hosts = [f"{pod}.{name}.{namespace}.svc.cluster.local" for pod in expected_names]
    for rank, pod_name in enumerate(expected_names):
        pod = api_client(plane).sanitize_for_serialization(pods[pod_name])
        want = expected_env(
            framework, world, rank, hosts, [29501] * world, 29500, name=name, namespace=namespace, uid=uid
        )
        assert decoded(env_of(pod)) == want, pod_name
        meta, spec = pod["metadata"], pod["spec"]
        assert meta["ownerReferences"] == [
            {
                "apiVersion": "gridedge.io/v1alpha1",
                "kind": "EdgeTask",
                "name": name,
                "uid": uid,
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]
        assert (meta["labels"]["gridedge.io/rank"], meta["annotations"]["gridedge.io/attempt"]) == (str(rank), "0")
        assert (spec["hostname"], spec["subdomain"]) == (pod_name, name)
        assert spec["nodeName"] == DATA_NODE  # the local PersistentVolume pins every rank to the data
        assert pod["status"]["phase"] == "Succeeded"


@pytest.mark.parametrize(("framework", "world"), CASES)
def test_headless_service_and_status_network_info(
    plane: ControlPlane, namespace: str, materialised: dict[str, dict[str, Any]], framework: str, world: int
) -> None:
    name = _name(framework, world)
    service = client.CoreV1Api(api_client(plane)).read_namespaced_service(name, namespace)
    assert service.spec.cluster_ip == "None" and service.spec.publish_not_ready_addresses is True
    assert service.spec.selector == {"gridedge.io/task-name": name}
    assert service.metadata.owner_references[0].uid == materialised[name]["metadata"]["uid"]
    status = Tasks(plane, namespace).status(name)
    assert status["networkInfo"]["worldSize"] == world
    assert status["networkInfo"]["masterAddr"] == f"{name}-master-0.{name}.{namespace}.svc.cluster.local"
    assert (status["succeeded"], status["restarts"], status["observedGeneration"]) == (world, 0, 1)


def test_namespace_enforces_restricted_and_admitted_every_pod(
    plane: ControlPlane, namespace: str, materialised: Any
) -> None:
    core = client.CoreV1Api(api_client(plane))
    assert core.read_namespace(namespace).metadata.labels["pod-security.kubernetes.io/enforce"] == "restricted"
    # the same namespace refuses a Pod that breaks the profile, so admission really ran
    bad = {
        "metadata": {"name": "root-pod"},
        "spec": {"containers": [{"name": "c", "image": "x", "securityContext": {"privileged": True}}]},
    }
    with pytest.raises(client.ApiException) as err:
        core.create_namespaced_pod(namespace, bad)
    assert err.value.status == 403 and "violates PodSecurity" in json.loads(err.value.body)["message"]
    assert len(core.list_namespaced_pod(namespace, label_selector="gridedge.io/task-name").items) == 3 * (1 + 2 + 8)
