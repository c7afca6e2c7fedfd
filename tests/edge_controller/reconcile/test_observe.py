"""view(): what the phase machine reads from a raw Pod, including the odd cases."""

from __future__ import annotations

from typing import Any

from edge_controller.reconcile.observe import view


def pod(status: dict[str, Any], **meta: Any) -> dict[str, Any]:
    metadata = {
        "name": "t-worker-2",
        "labels": {"gridedge.io/rank": "2"},
        "annotations": {"gridedge.io/attempt": "1"},
        "ownerReferences": [{"uid": "u1", "controller": True}],
        **meta,
    }
    return {"metadata": metadata, "status": status}


def test_a_new_pod_without_status_is_pending() -> None:
    v = view({"metadata": {"name": "t-master-0", "labels": {"gridedge.io/rank": "0"}}})
    assert (v.phase, v.rank, v.attempt, v.role, v.label, v.active) == ("Pending", 0, 0, "master", "master-0", True)
    assert v.owner_uid == "" and not v.deleting


def test_a_nonzero_exit_code_wins_over_a_clean_sidecar() -> None:
    statuses = [
        {"state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
        {"state": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}},
    ]
    v = view(pod({"phase": "Failed", "containerStatuses": statuses}))
    assert (v.exit_code, v.reason) == (137, "OOMKilled")
    assert v.failure() == "rank 2 exited 137 (OOMKilled)" and not v.active


def test_an_evicted_pod_fails_without_an_exit_code() -> None:
    v = view(pod({"phase": "Failed", "reason": "Evicted"}))
    assert v.failure() == "rank 2 failed (Evicted)"


def test_waiting_reasons_come_from_the_kubelet_or_the_scheduler() -> None:
    pulling = {"state": {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image x:1"}}}
    v = view(pod({"phase": "Pending", "containerStatuses": [pulling]}))
    assert v.waiting == "ImagePullBackOff: Back-off pulling image x:1"
    unscheduled = {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "0/3 nodes"}
    assert view(pod({"phase": "Pending", "conditions": [unscheduled]})).waiting == "0/3 nodes"


def test_deletion_and_owner_are_read() -> None:
    v = view(pod({"phase": "Running"}, deletionTimestamp="2026-12-03T10:00:00Z"))
    assert v.deleting and v.owner_uid == "u1" and v.attempt == 1


def test_garbage_labels_do_not_crash() -> None:
    v = view(pod({"phase": "Running"}, labels={"gridedge.io/rank": "x"}, annotations={"gridedge.io/attempt": None}))
    assert (v.rank, v.attempt) == (-1, 0)
