"""decide(): every phase transition of the EdgeTask state machine, without a cluster."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from edge_controller.builders import build_pods, network_for_kubernetes, validate
from edge_controller.reconcile.conditions import merge_patch
from edge_controller.reconcile.machine import Plan, decide
from tests.edge_controller.builders.sample import manifest

NOW = datetime(2026, 12, 3, 10, 0, 0, tzinfo=UTC)


def task_body(status: dict[str, Any] | None = None, **spec: Any) -> dict[str, Any]:
    body = manifest(**spec)
    body["metadata"]["generation"] = 1
    if status is not None:
        body["status"] = status
    return body


def pods_of(body: dict[str, Any], phases: list[str], attempt: int = 0, **extra: Any) -> list[dict[str, Any]]:
    task = validate(body)
    pods = build_pods(task, network_for_kubernetes(task), attempt)
    for pod, phase in zip(pods, phases, strict=True):
        pod["status"] = {"phase": phase}
        if phase == "Failed":
            term = {"exitCode": extra.get("exit_code", 1), "reason": extra.get("reason", "Error")}
            pod["status"]["containerStatuses"] = [{"name": "main", "state": {"terminated": term}}]
    return pods


def step(body: dict[str, Any], pods: list[dict[str, Any]], now: datetime = NOW) -> tuple[Plan, dict[str, Any]]:
    """decide, then apply the status to a copy of the body as the handler would."""
    plan = decide(body, pods, now)
    after = copy.deepcopy(body)
    after["status"] = plan.status
    return plan, after


def test_a_new_task_creates_its_service_and_one_pod_per_rank() -> None:
    plan, _ = step(task_body(worldSize=3), [])
    assert plan.status["phase"] == "Pending" and plan.status["attempt"] == 0 and plan.status["restarts"] == 0
    assert plan.service is not None and plan.service["spec"]["clusterIP"] == "None"
    assert [p["metadata"]["name"] for p in plan.create] == [
        "forecast-master-0",
        "forecast-worker-1",
        "forecast-worker-2",
    ]
    assert plan.status["startTime"] == "2026-12-03T10:00:00Z"
    assert plan.status["networkInfo"]["masterAddr"] == "forecast-master-0.forecast.grid.svc.cluster.local"
    assert plan.status["observedGeneration"] == 1 and plan.event is not None


def test_after_a_crash_mid_materialisation_only_missing_ranks_are_created() -> None:
    body = task_body(worldSize=8)
    _, body = step(body, [])
    existing = pods_of(body, ["Pending"] * 8)[:3]
    plan, _ = step(body, existing)
    assert [p["metadata"]["name"] for p in plan.create] == [f"forecast-worker-{r}" for r in range(3, 8)]
    assert plan.status["message"] == "creating Pods: 3/8 exist"


def test_all_running_then_all_succeeded() -> None:
    body = task_body(worldSize=2)
    _, body = step(body, [])
    plan, body = step(body, pods_of(body, ["Running", "Running"]))
    assert (plan.status["phase"], plan.status["message"]) == ("Running", "all 2 ranks running")
    assert plan.status["materialized"] is True and plan.status["running"] == 2
    assert {c["type"]: c["status"] for c in plan.status["conditions"]} == {
        "Created": "True",
        "Running": "True",
        "Valid": "True",
    }
    plan, body = step(body, pods_of(body, ["Succeeded", "Running"]))
    assert plan.status["message"] == "1 ranks running, 1 succeeded" and plan.event is None
    plan, body = step(body, pods_of(body, ["Succeeded", "Succeeded"]), NOW + timedelta(seconds=5))
    assert plan.status["phase"] == "Succeeded" and plan.status["reason"] == "AllRanksSucceeded"
    assert plan.status["completionTime"] == "2026-12-03T10:00:05Z" and plan.status["succeeded"] == 2
    conditions = {c["type"]: c["status"] for c in plan.status["conditions"]}
    assert conditions["Succeeded"] == "True" and conditions["Running"] == "False"
    assert (
        plan.delete == ()
        and plan.create == ()
        and plan.event == ("Normal", "AllRanksSucceeded", "all 2 ranks succeeded")
    )


def test_a_failed_rank_restarts_the_whole_group_with_a_message() -> None:
    body = task_body({"phase": "Running", "attempt": 1, "restarts": 1, "materialized": True}, worldSize=3)
    pods = pods_of(body, ["Running", "Failed", "Running"], attempt=1, exit_code=137, reason="OOMKilled")
    plan, body = step(body, pods)
    assert plan.status["phase"] == "Restarting" and plan.status["reason"] == "RankFailed"
    assert plan.status["message"] == "rank 1 exited 137 (OOMKilled), restart 2/3"
    assert (plan.status["attempt"], plan.status["restarts"]) == (2, 2)
    assert set(plan.delete) == {p["metadata"]["name"] for p in pods} and plan.create == ()
    assert plan.event == ("Warning", "RankFailed", "rank 1 exited 137 (OOMKilled), restart 2/3")
    # the old attempt must be gone before anything is created again
    plan, body = step(body, pods)
    assert plan.create == () and len(plan.delete) == 3
    plan, body = step(body, [])
    assert len(plan.create) == 3 and all(
        p["metadata"]["annotations"]["gridedge.io/attempt"] == "2" for p in plan.create
    )
    assert plan.status["phase"] == "Restarting" and plan.status["message"].startswith("rank 1 exited 137")
    plan, _ = step(body, pods_of(body, ["Running"] * 3, attempt=2))
    assert plan.status["phase"] == "Running" and plan.status["restarts"] == 2


@pytest.mark.parametrize(
    ("policy", "deleted"),
    [("Running", {"forecast-master-0"}), ("None", set()), ("All", {"forecast-master-0", "forecast-worker-1"})],
)
def test_exhausted_backoff_fails_and_cleans_per_policy(policy: str, deleted: set[str]) -> None:
    body = task_body(
        {"phase": "Running", "attempt": 2, "restarts": 2, "materialized": True},
        worldSize=2,
        runPolicy={"backoffLimit": 2, "cleanPodPolicy": policy},
    )
    plan, _ = step(body, pods_of(body, ["Running", "Failed"], attempt=2, exit_code=137, reason="OOMKilled"))
    assert plan.status["phase"] == "Failed" and plan.status["reason"] == "BackoffLimitExceeded"
    assert plan.status["message"] == "rank 1 exited 137 (OOMKilled); backoffLimit 2 reached"
    assert set(plan.delete) == deleted and plan.status["completionTime"] == "2026-12-03T10:00:00Z"


def test_no_backoff_fails_on_the_first_failure() -> None:
    body = task_body({"phase": "Running", "materialized": True}, runPolicy={"backoffLimit": 0})
    plan, _ = step(body, pods_of(body, ["Failed"], exit_code=137, reason="OOMKilled"))
    assert (plan.status["phase"], plan.status["reason"], plan.status["message"]) == (
        "Failed",
        "RankFailed",
        "rank 0 exited 137 (OOMKilled)",
    )


def test_deadline_fails_and_stops_running_pods_whatever_the_policy() -> None:
    body = task_body(runPolicy={"activeDeadlineSeconds": 30, "cleanPodPolicy": "None"}, worldSize=2)
    _, body = step(body, [])
    pods = pods_of(body, ["Running", "Running"])
    plan, body = step(body, pods, NOW + timedelta(seconds=29))
    assert plan.status["phase"] == "Running"
    plan, body = step(body, pods, NOW + timedelta(seconds=30))
    assert (plan.status["phase"], plan.status["reason"]) == ("Failed", "DeadlineExceeded")
    assert plan.status["message"] == "activeDeadlineSeconds 30 exceeded"
    assert set(plan.delete) == {"forecast-master-0", "forecast-worker-1"}
    plan, _ = step(body, pods, NOW + timedelta(seconds=31))
    assert len(plan.delete) == 2 and plan.event is None


def test_ttl_deletes_the_finished_task_only_after_it_passed() -> None:
    done = {"phase": "Succeeded", "completionTime": "2026-12-03T10:00:00Z"}
    body = task_body(done, runPolicy={"ttlSecondsAfterFinished": 10})
    assert step(body, [], NOW + timedelta(seconds=9))[0].delete_task is False
    assert step(body, [], NOW + timedelta(seconds=10))[0].delete_task is True
    assert step(task_body(done), [], NOW + timedelta(days=9))[0].delete_task is False


def test_suspend_deletes_pods_and_resume_recreates_them() -> None:
    body = task_body({"phase": "Running", "materialized": True, "startTime": "2026-12-03T09:00:00Z"}, worldSize=2)
    pods = pods_of(body, ["Running", "Running"])
    body["spec"]["runPolicy"] = {"suspend": True}
    plan, body = step(body, pods)
    assert plan.status["phase"] == "Suspended" and set(plan.delete) == {"forecast-master-0", "forecast-worker-1"}
    assert "startTime" not in plan.status and plan.status["running"] == 0
    body["spec"]["runPolicy"] = {"suspend": False}
    plan, _ = step(body, [])
    assert plan.status["phase"] == "Pending" and len(plan.create) == 2
    assert {c["type"]: c["reason"] for c in plan.status["conditions"]}["Suspended"] == "Resumed"


def test_an_invalid_spec_fails_naming_the_field_and_creates_nothing() -> None:
    body = task_body(env=[{"name": "X", "template": "${nope}"}])
    plan, body = step(body, [])
    assert (plan.status["phase"], plan.status["reason"]) == ("Failed", "InvalidSpec")
    assert plan.status["message"].startswith("invalid spec: spec.env[0].template: unknown placeholder ${nope}")
    assert plan.create == () and plan.service is None and plan.event is not None and plan.event[0] == "Warning"
    assert step(body, [])[0].event is None  # no repeated events: it stays put, no crash loop


def test_pending_message_names_the_rank_and_the_scheduler_reason() -> None:
    body = task_body(worldSize=3)
    _, body = step(body, [])
    pods = pods_of(body, ["Running", "Running", "Pending"])
    pods[2]["status"]["conditions"] = [
        {
            "type": "PodScheduled",
            "status": "False",
            "message": "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.",
        }
    ]
    plan, _ = step(body, pods)
    assert (
        plan.status["message"]
        == "worker-2 Pending: 0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector."
    )


def test_a_deleted_pod_after_materialisation_restarts_the_group() -> None:
    body = task_body({"phase": "Running", "materialized": True}, worldSize=2)
    plan, _ = step(body, pods_of(body, ["Running", "Running"])[:1])
    assert plan.status["message"] == "rank 1 Pod was deleted, restart 1/3"


def test_pods_of_another_task_with_the_same_name_are_ignored() -> None:
    body = task_body(worldSize=1)
    foreign = pods_of(body, ["Running"])
    foreign[0]["metadata"]["ownerReferences"][0]["uid"] = "someone-else"
    plan, _ = step(body, foreign)
    assert len(plan.create) == 1


def test_merge_patch_removes_sets_and_nests() -> None:
    old = {"a": 1, "b": {"c": 1, "d": 2}, "e": [1], "gone": True}
    new = {"a": 1, "b": {"c": 2, "d": 2}, "e": [1, 2]}
    assert merge_patch(old, new) == {"gone": None, "b": {"c": 2}, "e": [1, 2]}
    assert merge_patch(new, new) == {}


def test_a_task_being_deleted_gets_no_new_children_and_no_status_change() -> None:
    body = task_body({"phase": "Pending"}, worldSize=2)
    body["metadata"]["deletionTimestamp"] = "2026-12-03T10:00:00Z"
    plan = decide(body, [], NOW)
    assert plan.create == () and plan.service is None and plan.status == {"phase": "Pending"} and plan.event is None


@pytest.mark.parametrize("code", [1, 64, 65, 70])
def test_a_permanent_exit_fails_at_once_with_backoff_left(code: int) -> None:
    body = task_body({"phase": "Running", "materialized": True}, worldSize=2, runPolicy={"backoffLimit": 3})
    plan, _ = step(body, pods_of(body, ["Running", "Failed"], exit_code=code, reason="Error"))
    assert (plan.status["phase"], plan.status["reason"]) == ("Failed", "RankFailed")
    assert plan.status["message"] == f"rank 1 exited {code} (Error): a permanent error, not restarted"
    assert plan.status["restarts"] == 0


@pytest.mark.parametrize("code", [75, 137, 143])
def test_a_retryable_exit_restarts_the_group(code: int) -> None:
    body = task_body({"phase": "Running", "materialized": True}, worldSize=2, runPolicy={"backoffLimit": 3})
    plan, _ = step(body, pods_of(body, ["Running", "Failed"], exit_code=code, reason="Error"))
    assert (plan.status["phase"], plan.status["restarts"]) == ("Restarting", 1)
