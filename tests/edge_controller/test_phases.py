"""Phase transitions driven by KWOK on a real control plane, with the controller as a subprocess."""

from __future__ import annotations

from typing import Any

from gridedge.devstack.controller import EdgeController
from gridedge.devstack.kube import ControlPlane
from tests.edge_controller.support import Tasks, edgetask, wait_for


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
