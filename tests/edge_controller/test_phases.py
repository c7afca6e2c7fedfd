"""Phase transitions driven by KWOK on a real control plane, with the controller as a subprocess."""

from __future__ import annotations

from typing import Any

from kubernetes import client

from gridedge.devstack.controller import EdgeController
from gridedge.devstack.kube import ControlPlane
from tests.edge_controller.support import Tasks, api_client, edgetask, wait_for


def outcome(result: str, delay: str = "1s", **extra: str) -> dict[str, Any]:
    annotations = {"kwok.gridedge.io/outcome": result, "kwok.gridedge.io/delay": delay, **extra}
    return {"metadata": {"annotations": annotations}}


def phase_is(tasks: Tasks, name: str, phase: str) -> dict[str, Any] | None:
    status = tasks.status(name)
    return status if status.get("phase") == phase else None


def test_succeeds_when_every_rank_succeeds(plane: ControlPlane, namespace: str, controller: EdgeController) -> None:
    tasks = Tasks(plane, namespace)
    tasks.create(edgetask("ok", image="gridedge/stats:1", worldSize=2, podTemplate=outcome("Succeeded", "2s")))
    running = wait_for(lambda: phase_is(tasks, "ok", "Running"), 60, "Running")
    assert running["running"] == 2 and running["message"] == "all 2 ranks running"
    done = wait_for(lambda: phase_is(tasks, "ok", "Succeeded"), 60, "Succeeded")
    assert done["succeeded"] == 2 and done["reason"] == "AllRanksSucceeded" and done["completionTime"]
    assert done["roles"] == {
        "master": {"pending": 0, "running": 0, "succeeded": 1, "failed": 0},
        "worker": {"pending": 0, "running": 0, "succeeded": 1, "failed": 0},
    }


def _events(plane: ControlPlane, namespace: str, name: str) -> list[tuple[str, str, str]]:
    core = client.CoreV1Api(api_client(plane))
    items = core.list_namespaced_event(namespace, field_selector=f"involvedObject.name={name}").items
    ordered = sorted(items, key=lambda e: (e.first_timestamp, e.metadata.creation_timestamp, e.metadata.name))
    return [
        (e.type, e.reason, e.message) for e in ordered if e.source and e.source.component == "gridedge-edge-controller"
    ]


def _pods(plane: ControlPlane, namespace: str, name: str) -> list[Any]:
    core = client.CoreV1Api(api_client(plane))
    return list(core.list_namespaced_pod(namespace, label_selector=f"gridedge.io/task-name={name}").items)


def test_fails_with_the_exit_code_and_reason(plane: ControlPlane, namespace: str, controller: EdgeController) -> None:
    tasks = Tasks(plane, namespace)
    template = outcome("Failed", "1s", **{"kwok.gridedge.io/exit-code": "137", "kwok.gridedge.io/reason": "OOMKilled"})
    tasks.create(edgetask("oom", image="x:1", worldSize=2, podTemplate=template, runPolicy={"backoffLimit": 0}))
    failed = wait_for(lambda: phase_is(tasks, "oom", "Failed"), 60, "Failed")
    assert failed["reason"] == "RankFailed" and failed["message"] == "rank 0 exited 137 (OOMKilled)"
    assert {c["type"]: c["status"] for c in failed["conditions"]}["Failed"] == "True"
    assert ("Warning", "RankFailed", "rank 0 exited 137 (OOMKilled)") in _events(plane, namespace, "oom")


def test_restarts_the_group_up_to_backoff_limit_then_fails(
    plane: ControlPlane, namespace: str, controller: EdgeController
) -> None:
    tasks = Tasks(plane, namespace)
    template = outcome("Failed", "1s", **{"kwok.gridedge.io/exit-code": "137", "kwok.gridedge.io/reason": "OOMKilled"})
    tasks.create(edgetask("flaky", image="x:1", worldSize=2, podTemplate=template, runPolicy={"backoffLimit": 2}))
    failed = wait_for(lambda: phase_is(tasks, "flaky", "Failed"), 120, "Failed after restarts", interval=0.5)
    assert (failed["restarts"], failed["attempt"], failed["reason"]) == (2, 2, "BackoffLimitExceeded")
    assert failed["message"] == "rank 0 exited 137 (OOMKilled); backoffLimit 2 reached"
    messages = [m for _, reason, m in _events(plane, namespace, "flaky") if reason == "RankFailed"]
    assert messages == ["rank 0 exited 137 (OOMKilled), restart 1/2", "rank 0 exited 137 (OOMKilled), restart 2/2"]
    # the last attempt's Pods are kept (they finished; cleanPodPolicy Running deletes only running ones)
    pods = _pods(plane, namespace, "flaky")
    assert sorted((p.metadata.name, p.metadata.annotations["gridedge.io/attempt"]) for p in pods) == [
        ("flaky-master-0", "2"),
        ("flaky-worker-1", "2"),
    ]


def test_deadline_fails_the_task_and_stops_its_pods(
    plane: ControlPlane, namespace: str, controller: EdgeController
) -> None:
    tasks = Tasks(plane, namespace)
    tasks.create(edgetask("slow", image="x:1", worldSize=2, runPolicy={"activeDeadlineSeconds": 3}))
    wait_for(lambda: phase_is(tasks, "slow", "Running"), 60, "Running")
    failed = wait_for(lambda: phase_is(tasks, "slow", "Failed"), 30, "deadline")
    assert (failed["reason"], failed["message"]) == ("DeadlineExceeded", "activeDeadlineSeconds 3 exceeded")
    wait_for(lambda: not _pods(plane, namespace, "slow"), 30, "running Pods deleted")


def test_ttl_deletes_the_finished_task_and_its_children(
    plane: ControlPlane, namespace: str, controller: EdgeController
) -> None:
    tasks = Tasks(plane, namespace)
    tasks.create(
        edgetask("brief", image="x:1", podTemplate=outcome("Succeeded"), runPolicy={"ttlSecondsAfterFinished": 2})
    )
    wait_for(lambda: phase_is(tasks, "brief", "Succeeded"), 60, "Succeeded")
    wait_for(lambda: tasks.get("brief") is None, 30, "task deleted after its TTL")
    core = client.CoreV1Api(api_client(plane))
    wait_for(lambda: not _pods(plane, namespace, "brief"), 60, "Pods garbage-collected")
    wait_for(
        lambda: not [s for s in core.list_namespaced_service(namespace).items if s.metadata.name == "brief"],
        60,
        "Service gone",
    )


def test_deleting_a_running_task_cascades(plane: ControlPlane, namespace: str, controller: EdgeController) -> None:
    tasks = Tasks(plane, namespace)
    tasks.create(edgetask("doomed", image="x:1", worldSize=3))
    wait_for(lambda: phase_is(tasks, "doomed", "Running"), 60, "Running")
    assert len(_pods(plane, namespace, "doomed")) == 3
    tasks.delete("doomed")
    wait_for(lambda: tasks.get("doomed") is None, 30, "task gone (finalizer released)")
    wait_for(lambda: not _pods(plane, namespace, "doomed"), 60, "Pods garbage-collected")


def test_suspend_deletes_pods_and_resume_runs_again(
    plane: ControlPlane, namespace: str, controller: EdgeController
) -> None:
    tasks = Tasks(plane, namespace)
    tasks.create(edgetask("paused", image="x:1", worldSize=2))
    wait_for(lambda: phase_is(tasks, "paused", "Running"), 60, "Running")
    tasks.patch_spec("paused", {"runPolicy": {"suspend": True}})
    suspended = wait_for(lambda: phase_is(tasks, "paused", "Suspended"), 30, "Suspended")
    assert "startTime" not in suspended
    wait_for(lambda: not _pods(plane, namespace, "paused"), 60, "Pods deleted while suspended")
    tasks.patch_spec("paused", {"runPolicy": {"suspend": False}})
    running = wait_for(lambda: phase_is(tasks, "paused", "Running"), 60, "Running again")
    assert running["restarts"] == 0 and len(_pods(plane, namespace, "paused")) == 2


def test_invalid_spec_fails_naming_the_field_and_creates_nothing(
    plane: ControlPlane, namespace: str, controller: EdgeController
) -> None:
    tasks = Tasks(plane, namespace)
    tasks.create(edgetask("typo", image="x:1", env=[{"name": "PEERS", "template": "${workers}"}]))
    failed = wait_for(lambda: phase_is(tasks, "typo", "Failed"), 30, "Failed")
    assert failed["reason"] == "InvalidSpec"
    assert failed["message"].startswith(
        "invalid spec: spec.env[0].template: unknown placeholder ${workers}; known placeholders:"
    )
    assert not _pods(plane, namespace, "typo")
    core = client.CoreV1Api(api_client(plane))
    assert "typo" not in {s.metadata.name for s in core.list_namespaced_service(namespace).items}
    before = tasks.get("typo")
    assert before is not None
    wait_for(lambda: "Failed" in controller.log(), 5, "log")
    assert tasks.get("typo")["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]  # type: ignore[index]


def test_pending_message_says_why_a_rank_is_not_scheduled(
    plane: ControlPlane, namespace: str, controller: EdgeController
) -> None:
    tasks = Tasks(plane, namespace)
    tasks.create(edgetask("nowhere", image="x:1", worldSize=2, nodeSelector={"gridedge.io/site": "atlantis"}))

    def explained() -> str | None:
        message = str(tasks.status("nowhere").get("message", ""))
        return message if "didn't match Pod's node affinity/selector" in message else None

    message = wait_for(explained, 60, "scheduler reason in the message")
    assert message.startswith("master-0 Pending: 0/2 nodes are available")
    assert tasks.status("nowhere")["phase"] == "Pending"
