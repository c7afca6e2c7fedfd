"""build_pods/build_service: names, owner references, restricted security, env value by value."""

from __future__ import annotations

import pytest

from edge_controller.builders import build_pods, build_service, network_for_kubernetes, validate
from gridedge.contract.network import NetworkInfo, local_network
from tests.edge_controller.builders.sample import UID, decoded, env_of, expected_env, full_manifest, manifest


@pytest.mark.parametrize("framework", ["generic", "xgboost", "lightgbm"])
@pytest.mark.parametrize("world", [1, 2, 8])
def test_every_rank_env_value_by_value_on_kubernetes(framework: str, world: int) -> None:
    task = validate(full_manifest(framework, world))
    net = network_for_kubernetes(task)
    pods = build_pods(task, net)
    assert [p["metadata"]["name"] for p in pods] == ["forecast-master-0"] + [
        f"forecast-worker-{r}" for r in range(1, world)
    ]
    hosts = [f"{p['metadata']['name']}.forecast.grid.svc.cluster.local" for p in pods]
    for rank, pod in enumerate(pods):
        assert decoded(env_of(pod)) == expected_env(framework, world, rank, hosts, [29501] * world, 29500)


@pytest.mark.parametrize("framework", ["generic", "xgboost", "lightgbm"])
def test_local_network_gives_per_rank_ports_on_loopback(framework: str) -> None:
    task = validate(full_manifest(framework, 3))
    ports = [41001, 41002, 41003]
    pods = build_pods(task, local_network("grid", "forecast", 3, 41000, ports))
    for rank, pod in enumerate(pods):
        assert decoded(env_of(pod)) == expected_env(framework, 3, rank, ["127.0.0.1"] * 3, ports, 41000)
        container = pod["spec"]["containers"][0]
        assert container["command"] == ["python", "-m", "algo"] and container["args"] == ["--rounds", "10"]
        assert "workingDir" not in container


def test_xgboost_task_ids_are_zero_padded_for_string_sorting() -> None:
    task = validate(manifest(framework="xgboost", worldSize=12))
    ids = [env_of(p)["DMLC_TASK_ID"] for p in build_pods(task, network_for_kubernetes(task))]
    assert ids == [f"{r:02d}" for r in range(12)] and sorted(ids) == ids


def test_pod_shape_owner_labels_hostname_security_volumes() -> None:
    task = validate(full_manifest("generic", 2))
    net = network_for_kubernetes(task)
    pod = build_pods(task, net, attempt=2)[1]
    meta, spec = pod["metadata"], pod["spec"]
    assert meta["ownerReferences"] == [
        {
            "apiVersion": "gridedge.io/v1alpha1",
            "kind": "EdgeTask",
            "name": "forecast",
            "uid": UID,
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    assert meta["labels"] == {
        "app": "x",
        "gridedge.io/task-name": "forecast",
        "gridedge.io/rank": "1",
        "gridedge.io/role": "worker",
        "gridedge.io/dag-id": "load_forecast",
        "gridedge.io/try-number": "2",
        "app.kubernetes.io/managed-by": "gridedge-edge-controller",
    }
    assert meta["annotations"] == {"kwok.gridedge.io/outcome": "Succeeded", "gridedge.io/attempt": "2"}
    assert (spec["hostname"], spec["subdomain"], spec["restartPolicy"]) == ("forecast-worker-1", "forecast", "Never")
    assert spec["nodeSelector"] == {"gridedge.io/site": "north"}
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    container = spec["containers"][0]
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert container["resources"] == {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"memory": "2Gi"}}
    assert {"name": "data", "persistentVolumeClaim": {"claimName": "north-meters", "readOnly": True}} in spec["volumes"]
    assert {"name": "data", "mountPath": "/data", "readOnly": True, "subPath": "site-north"} in container[
        "volumeMounts"
    ]
    assert not any("hostPath" in v for v in spec["volumes"])
    assert container["ports"] == [{"name": "worker", "containerPort": 29501, "protocol": "TCP"}]
    master = build_pods(task, net)[0]["spec"]["containers"][0]
    assert [p["containerPort"] for p in master["ports"]] == [29500, 29501]


def test_sub_path_template_gives_each_rank_its_shard() -> None:
    task = validate(manifest(worldSize=2, data={"claimName": "c", "subPath": "shard-${rank}"}))
    pods = build_pods(task, network_for_kubernetes(task))
    sub_paths = [
        m.get("subPath") for p in pods for m in p["spec"]["containers"][0]["volumeMounts"] if m["name"] == "data"
    ]
    assert sub_paths == ["shard-0", "shard-1"]


def test_kafka_credentials_come_from_the_secret() -> None:
    sink = {"bootstrapServers": "k:9093", "securityProtocol": "SASL_SSL", "credentialsSecretRef": {"name": "kafka"}}
    task = validate(manifest(resultSink=sink))
    env = env_of(build_pods(task, network_for_kubernetes(task))[0])
    assert env["GRIDEDGE_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert env["GRIDEDGE_KAFKA_USERNAME"] == {"secretKeyRef": {"name": "kafka", "key": "username"}}
    assert env["GRIDEDGE_KAFKA_PASSWORD"] == {"secretKeyRef": {"name": "kafka", "key": "password"}}
    assert "GRIDEDGE_KAFKA_SASL_MECHANISM" not in env


def test_network_of_another_world_size_is_refused() -> None:
    task = validate(manifest(worldSize=2))
    other: NetworkInfo = local_network("grid", "forecast", 3, 5000, [5001, 5002, 5003])
    with pytest.raises(ValueError, match="EdgeTask grid/forecast: network info has world size 3, spec has 2"):
        build_pods(task, other)


def test_local_manifest_without_uid_has_no_owner_reference() -> None:
    raw = manifest()
    del raw["metadata"]["uid"]
    task = validate(raw)
    assert "ownerReferences" not in build_pods(task, network_for_kubernetes(task))[0]["metadata"]


def test_headless_service_selects_the_task_and_is_owned() -> None:
    task = validate(manifest(worldSize=2))
    service = build_service(task, network_for_kubernetes(task))
    assert service["metadata"]["name"] == "forecast" and service["metadata"]["namespace"] == "grid"
    assert service["metadata"]["ownerReferences"][0]["uid"] == UID
    spec = service["spec"]
    assert spec["clusterIP"] == "None" and spec["publishNotReadyAddresses"] is True
    assert spec["selector"] == {"gridedge.io/task-name": "forecast"}
    assert [(p["name"], p["port"]) for p in spec["ports"]] == [("master", 29500), ("worker", 29501)]
