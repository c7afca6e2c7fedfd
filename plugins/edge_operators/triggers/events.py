"""The one event shape every GridEdge trigger yields, and how to read an EdgeTask's status.

Shared by the triggers, the operator's ``execute_complete`` and the sensor. Pure.
"""

from __future__ import annotations

from typing import Any

from edge_operators.errors import edge_task_ref
from gridedge.contract.edgetask import TERMINAL_PHASES, Phase

SUCCESS = "success"
ERROR = "error"
TIMEOUT = "timeout"


def phase_of(obj: dict[str, Any]) -> str:
    return str((obj.get("status") or {}).get("phase") or Phase.PENDING)


def is_terminal(obj: dict[str, Any]) -> bool:
    return phase_of(obj) in TERMINAL_PHASES


def controller_reason(obj: dict[str, Any]) -> str:
    """``reason: message`` as the controller wrote it, or the latest Failed condition's."""
    status = obj.get("status") or {}
    reason, message = status.get("reason") or "", status.get("message") or ""
    if not reason and not message:
        for cond in status.get("conditions") or []:
            if cond.get("type") == "Failed" and cond.get("status") == "True":
                reason, message = cond.get("reason") or "", cond.get("message") or ""
    return f"{reason}: {message}" if reason and message else (reason or message or "no reason given")


def event(
    status: str,
    cluster: str,
    namespace: str,
    name: str,
    message: str,
    phase: str = "",
    result: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "status": status,
        "cluster": cluster,
        "namespace": namespace,
        "name": name,
        "phase": phase,
        "message": message,
        "result": result,
    }


def status_event(cluster: str, obj: dict[str, Any]) -> dict[str, Any]:
    """The event for an EdgeTask that reached a terminal phase."""
    meta = obj["metadata"]
    phase = phase_of(obj)
    ref = edge_task_ref(meta["namespace"], meta["name"])
    if phase == Phase.SUCCEEDED:
        return event(SUCCESS, cluster, meta["namespace"], meta["name"], f"{ref} succeeded", phase)
    return event(ERROR, cluster, meta["namespace"], meta["name"], f"{ref} failed: {controller_reason(obj)}", phase)
