"""Each local control plane answers real API calls; KWOK nodes run and finish Pods."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

from gridedge.devstack.kube import ControlPlane
from tests.conftest import EDGE_SITES


def api_client(plane: ControlPlane) -> client.ApiClient:
    return config.new_client_from_config(config_file=str(plane.kubeconfig))


def wait_for(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture(params=sorted(EDGE_SITES))
def plane(request: pytest.FixtureRequest, edge_clusters: dict[str, ControlPlane]) -> ControlPlane:
    return edge_clusters[request.param]


@pytest.fixture
def namespace(plane: ControlPlane) -> Iterator[str]:
    core = client.CoreV1Api(api_client(plane))
    name = f"smoke-{uuid.uuid4().hex[:6]}"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    wait_for(lambda: _has_default_sa(core, name), 30, f"default ServiceAccount in {name}")
    yield name
    core.delete_namespace(name)


def _has_default_sa(core: client.CoreV1Api, ns: str) -> bool:
    try:
        core.read_namespaced_service_account("default", ns)
    except ApiException:
        return False
    return True


def test_kubectl_lists_kwok_nodes_ready(plane: ControlPlane) -> None:
    out = plane.kubectl("get", "nodes", "--no-headers")
    rows = {line.split()[0]: line.split()[1] for line in out.strip().splitlines()}
    expected = {node.name for node in EDGE_SITES[plane.name]}
    assert set(rows) == expected
    assert all(status == "Ready" for status in rows.values()), out
    version = plane.kubectl("version", "-o", "json")
    assert '"gitVersion": "v1.' in version and "v0.0.0" not in version


def test_create_watch_delete_configmap(plane: ControlPlane, namespace: str) -> None:
    api = api_client(plane)
    core = client.CoreV1Api(api)
    events: list[tuple[str, str]] = []
    started = threading.Event()

    def follow() -> None:
        w = watch.Watch()
        started.set()
        for ev in w.stream(core.list_namespaced_config_map, namespace, timeout_seconds=20):
            name = ev["object"].metadata.name
            if name == "probe":
                events.append((ev["type"], name))
            if ev["type"] == "DELETED" and name == "probe":
                w.stop()

    thread = threading.Thread(target=follow, daemon=True)
    thread.start()
    started.wait(5)
    time.sleep(0.5)  # let the watch reach the apiserver before the create
    core.create_namespaced_config_map(
        namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="probe"), data={"k": "v"})
    )
    assert core.read_namespaced_config_map("probe", namespace).data == {"k": "v"}
    core.delete_namespaced_config_map("probe", namespace)
    thread.join(25)
    assert ("ADDED", "probe") in events and ("DELETED", "probe") in events


def test_clusters_are_independent(edge_clusters: dict[str, ControlPlane]) -> None:
    north, south = (client.CoreV1Api(api_client(edge_clusters[n])) for n in ("edge-north", "edge-south"))
    name = f"only-north-{uuid.uuid4().hex[:6]}"
    north.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    try:
        with pytest.raises(ApiException) as err:
            south.read_namespace(name)
        assert err.value.status == 404
        assert edge_clusters["edge-north"].apiserver_port != edge_clusters["edge-south"].apiserver_port
    finally:
        north.delete_namespace(name)


def _pod(name: str, node: str, annotations: dict[str, str] | None = None) -> client.V1Pod:
    return client.V1Pod(
        metadata=client.V1ObjectMeta(name=name, annotations=annotations or {}),
        spec=client.V1PodSpec(
            restart_policy="Never",
            node_selector={"kubernetes.io/hostname": node},
            containers=[client.V1Container(name="main", image="gridedge/noop:1")],
        ),
    )


def _phase(core: client.CoreV1Api, name: str, ns: str) -> str:
    return str(core.read_namespaced_pod(name, ns).status.phase)


def test_pod_on_kwok_node_runs_then_succeeds_or_fails_on_annotation(plane: ControlPlane, namespace: str) -> None:
    core = client.CoreV1Api(api_client(plane))
    node = EDGE_SITES[plane.name][0].name
    core.create_namespaced_pod(namespace, _pod("stays-running", node))
    core.create_namespaced_pod(namespace, _pod("succeeds", node, {"kwok.gridedge.io/outcome": "Succeeded"}))
    core.create_namespaced_pod(
        namespace,
        _pod(
            "fails",
            node,
            {
                "kwok.gridedge.io/outcome": "Failed",
                "kwok.gridedge.io/exit-code": "137",
                "kwok.gridedge.io/reason": "OOMKilled",
            },
        ),
    )
    wait_for(lambda: _phase(core, "stays-running", namespace) == "Running", 60, "pod Running")
    assert core.read_namespaced_pod("stays-running", namespace).spec.node_name == node
    wait_for(lambda: _phase(core, "succeeds", namespace) == "Succeeded", 60, "pod Succeeded")
    wait_for(lambda: _phase(core, "fails", namespace) == "Failed", 60, "pod Failed")
    term = core.read_namespaced_pod("fails", namespace).status.container_statuses[0].state.terminated
    assert (term.exit_code, term.reason) == (137, "OOMKilled")
    time.sleep(1)
    assert _phase(core, "stays-running", namespace) == "Running"


def test_deleting_owner_garbage_collects_dependents(plane: ControlPlane, namespace: str) -> None:
    core = client.CoreV1Api(api_client(plane))
    owner = core.create_namespaced_config_map(namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="owner")))
    ref = client.V1OwnerReference(
        api_version="v1",
        kind="ConfigMap",
        name="owner",
        uid=owner.metadata.uid,
        controller=True,
        block_owner_deletion=True,
    )
    core.create_namespaced_config_map(
        namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="dependent", owner_references=[ref]))
    )
    core.create_namespaced_pod(
        namespace,
        client.V1Pod(
            metadata=client.V1ObjectMeta(name="dependent-pod", owner_references=[ref]),
            spec=_pod("x", EDGE_SITES[plane.name][0].name).spec,
        ),
    )
    core.delete_namespaced_config_map("owner", namespace, propagation_policy="Background")

    def gone() -> bool:
        names = {c.metadata.name for c in core.list_namespaced_config_map(namespace).items}
        pods = {p.metadata.name for p in core.list_namespaced_pod(namespace).items}
        return "dependent" not in names and "dependent-pod" not in pods

    wait_for(gone, 60, "garbage collection of dependents")


def test_rbac_is_enforced_for_service_accounts(plane: ControlPlane, namespace: str, tmp_path: Any) -> None:
    core = client.CoreV1Api(api_client(plane))
    core.create_namespaced_service_account(
        namespace, client.V1ServiceAccount(metadata=client.V1ObjectMeta(name="nobody"))
    )
    token = core.create_namespaced_service_account_token(
        "nobody", namespace, client.AuthenticationV1TokenRequest(spec=client.V1TokenRequestSpec(audiences=[]))
    ).status.token
    kubeconfig = plane.write_token_kubeconfig(tmp_path / "nobody.kubeconfig", "nobody", token)
    limited = client.CoreV1Api(config.new_client_from_config(config_file=str(kubeconfig)))
    with pytest.raises(ApiException) as err:
        limited.list_namespaced_pod(namespace)
    assert err.value.status == 403
