"""Crash safety and high availability: a controller killed mid-materialisation, a standby taking over."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from kubernetes import client

from gridedge.devstack.controller import SA_NAMESPACE, EdgeController
from gridedge.devstack.kube import ControlPlane
from tests.edge_controller.conftest import RESTRICTED
from tests.edge_controller.support import Tasks, api_client, create_namespace, edgetask, wait_for


@pytest.fixture
def fresh_namespace(plane: ControlPlane) -> Iterator[str]:
    name = create_namespace(plane, "rec", labels=RESTRICTED)
    yield name
    client.CoreV1Api(api_client(plane)).delete_namespace(name)


def _pods(plane: ControlPlane, namespace: str, name: str) -> list[Any]:
    core = client.CoreV1Api(api_client(plane))
    return list(core.list_namespaced_pod(namespace, label_selector=f"gridedge.io/task-name={name}").items)


def _succeeds_after(delay: str) -> dict[str, Any]:
    return {"metadata": {"annotations": {"kwok.gridedge.io/outcome": "Succeeded", "kwok.gridedge.io/delay": delay}}}


def test_controller_killed_mid_materialisation_resumes_with_one_pod_per_rank(
    plane: ControlPlane, fresh_namespace: str, start_controller: Callable[..., EdgeController]
) -> None:
    core = client.CoreV1Api(api_client(plane))
    # A quota of 3 Pods holds the controller in the middle of creating 8 ranks, deterministically.
    core.create_namespaced_resource_quota(
        fresh_namespace, {"metadata": {"name": "three"}, "spec": {"hard": {"pods": "3"}}}
    )
    wait_for(lambda: core.read_namespaced_resource_quota("three", fresh_namespace).status.hard, 30, "quota active")
    first = start_controller((fresh_namespace,))
    tasks = Tasks(plane, fresh_namespace)
    tasks.create(edgetask("ring", image="x:1", worldSize=8, podTemplate=_succeeds_after("8s")))
    wait_for(lambda: len(_pods(plane, fresh_namespace, "ring")) == 3, 60, "3 of 8 Pods created")
    wait_for(lambda: "waiting for quota" in first.log(), 30, "controller retrying against the quota")
    wait_for(lambda: tasks.status("ring")["message"] == "creating Pods: 3/8 exist", 30, "status 3/8")
    first.kill()
    assert tasks.status("ring")["phase"] == "Pending" and len(_pods(plane, fresh_namespace, "ring")) == 3
    core.delete_namespaced_resource_quota("three", fresh_namespace)

    second = start_controller((fresh_namespace,))
    done = wait_for(lambda: tasks.status("ring").get("phase") == "Succeeded" and tasks.status("ring"), 90, "Succeeded")
    pods = _pods(plane, fresh_namespace, "ring")
    assert sorted(int(p.metadata.labels["gridedge.io/rank"]) for p in pods) == list(range(8))
    assert {p.metadata.annotations["gridedge.io/attempt"] for p in pods} == {"0"}
    assert (done["restarts"], done["succeeded"]) == (0, 8)
    created_by_second = sorted(
        line.split("created Pod ")[1].split('"')[0] for line in second.log().splitlines() if "created Pod " in line
    )
    assert created_by_second == [f"ring-worker-{r}" for r in range(3, 8)]


def _holder(plane: ControlPlane, lease: str) -> str:
    api = client.CoordinationV1Api(api_client(plane))
    return str(api.read_namespaced_lease(lease, SA_NAMESPACE).spec.holder_identity or "")


def _gauge(ctrl: EdgeController, phase: str) -> float:
    for line in ctrl.scrape().splitlines():
        if line.startswith(f'gridedge_edgetasks{{phase="{phase}"}}'):
            return float(line.split()[-1])
    raise AssertionError(f"no gridedge_edgetasks gauge for {phase}")


def test_two_replicas_one_leads_and_the_standby_takes_over(
    plane: ControlPlane, fresh_namespace: str, start_controller: Callable[..., EdgeController]
) -> None:
    lease = f"lease-{fresh_namespace}"
    leader = start_controller((fresh_namespace,), lease=lease, identity=f"a-{fresh_namespace}")
    wait_for(lambda: _holder(plane, lease) == leader.identity, 30, "first replica leading")
    standby = start_controller((fresh_namespace,), lease=lease, identity=f"b-{fresh_namespace}")
    wait_for(lambda: "waits as a standby" in standby.log(), 30, "second replica standing by")
    tasks = Tasks(plane, fresh_namespace)
    tasks.create(edgetask("one", image="x:1", podTemplate=_succeeds_after("1s")))
    wait_for(lambda: tasks.status("one").get("phase") == "Succeeded", 60, "first task Succeeded")
    assert _gauge(leader, "Succeeded") == 1 and _gauge(standby, "Succeeded") == 0
    assert "EdgeTask" not in standby.log()  # the standby never touched a task

    leader.kill()  # no clean release: the standby must wait for the Lease to expire
    wait_for(lambda: _holder(plane, lease) == standby.identity, 30, "standby acquiring the Lease")
    tasks.create(edgetask("two", image="x:1", podTemplate=_succeeds_after("1s")))
    wait_for(lambda: tasks.status("two").get("phase") == "Succeeded", 60, "second task Succeeded by the new leader")
    assert "EdgeTask " + fresh_namespace + "/two" in standby.log()


def test_sigterm_exits_at_once_and_hands_the_lease_over(
    plane: ControlPlane, fresh_namespace: str, start_controller: Callable[..., EdgeController]
) -> None:
    ctrl = start_controller((fresh_namespace,)).wait_reconciling()
    assert _holder(plane, ctrl.lease_name) == ctrl.identity
    started = time.monotonic()
    assert ctrl.terminate(timeout=10) == 0
    assert time.monotonic() - started < 5
    assert _holder(plane, ctrl.lease_name) == ""  # released, so a standby need not wait for expiry


def test_a_leader_that_loses_its_lease_stops_acting_and_exits(
    plane: ControlPlane, fresh_namespace: str, start_controller: Callable[..., EdgeController]
) -> None:
    ctrl = start_controller((fresh_namespace,)).wait_reconciling()
    api = client.CoordinationV1Api(api_client(plane))
    lease = api.read_namespaced_lease(ctrl.lease_name, SA_NAMESPACE)
    lease.spec.holder_identity = "usurper"
    lease.spec.renew_time = datetime.now(UTC)
    lease.spec.lease_duration_seconds = 60
    api.replace_namespaced_lease(ctrl.lease_name, SA_NAMESPACE, lease)
    assert ctrl.wait_exit(timeout=15) == 1
    assert "taken over by another replica" in ctrl.log()


def test_a_pod_the_apiserver_refuses_fails_the_task_with_its_words(
    plane: ControlPlane, fresh_namespace: str, start_controller: Callable[..., EdgeController]
) -> None:
    core = client.CoreV1Api(api_client(plane))
    limits = {"limits": [{"type": "Container", "max": {"cpu": "1"}}]}
    core.create_namespaced_limit_range(fresh_namespace, {"metadata": {"name": "small"}, "spec": limits})
    start_controller((fresh_namespace,)).wait_reconciling()
    tasks = Tasks(plane, fresh_namespace)
    tasks.create(edgetask("greedy", image="x:1", worldSize=2, resources={"limits": {"cpu": "4"}}))
    failed = wait_for(lambda: tasks.status("greedy").get("phase") == "Failed" and tasks.status("greedy"), 30, "Failed")
    assert failed["reason"] == "PodRejected"
    assert failed["message"].startswith("Pod " + fresh_namespace + "/greedy-master-0 was rejected (403)")
    assert "maximum cpu usage per Container is 1" in failed["message"]
    assert not _pods(plane, fresh_namespace, "greedy")  # nothing half-created: rank 0 was refused first


def test_the_controller_rides_out_an_apiserver_restart(
    plane: ControlPlane, fresh_namespace: str, start_controller: Callable[..., EdgeController]
) -> None:
    ctrl = start_controller((fresh_namespace,)).wait_reconciling()
    tasks = Tasks(plane, fresh_namespace)
    tasks.create(edgetask("steady", image="x:1", worldSize=2))
    wait_for(lambda: tasks.status("steady").get("phase") == "Running", 60, "Running")
    plane.restart_component("kube-apiserver")
    core = client.CoreV1Api(api_client(plane))
    finish = {"metadata": {"annotations": {"kwok.gridedge.io/outcome": "Succeeded"}}}
    for pod in ("steady-master-0", "steady-worker-1"):
        core.patch_namespaced_pod(pod, fresh_namespace, finish)
    done = wait_for(
        lambda: tasks.status("steady").get("phase") == "Succeeded" and tasks.status("steady"), 90, "Succeeded"
    )
    assert done["succeeded"] == 2 and done["restarts"] == 0 and ctrl.alive()
