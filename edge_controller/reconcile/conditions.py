"""Small pure helpers for ``status``: timestamps, conditions, counts, and JSON merge patches.

Called by :mod:`.machine` and the handlers. No I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from edge_controller.reconcile.observe import PodView
from gridedge.contract.names import ROLE_MASTER, ROLE_WORKER


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def set_condition(
    conditions: list[dict[str, Any]], kind: str, status: bool, reason: str, message: str, now: datetime
) -> list[dict[str, Any]]:
    """Replace the condition of ``kind``; its lastTransitionTime moves only when its status flips."""
    text = "True" if status else "False"
    out = [dict(c) for c in conditions if c.get("type") != kind]
    previous = next((c for c in conditions if c.get("type") == kind), None)
    since = previous.get("lastTransitionTime") if previous and previous.get("status") == text else iso(now)
    out.append({"type": kind, "status": text, "reason": reason, "message": message, "lastTransitionTime": since})
    return sorted(out, key=lambda c: str(c["type"]))


def counts(pods: Iterable[PodView]) -> dict[str, Any]:
    """Totals and per-role counts of the current attempt's Pods."""
    totals = {"pending": 0, "running": 0, "succeeded": 0, "failed": 0}
    roles = {role: dict(totals) for role in (ROLE_MASTER, ROLE_WORKER)}
    for pod in pods:
        key = {"Running": "running", "Succeeded": "succeeded", "Failed": "failed"}.get(pod.phase, "pending")
        totals[key] += 1
        roles[pod.role][key] += 1
    return {**totals, "roles": roles}


def merge_patch(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The RFC 7386 merge patch that turns ``old`` into ``new`` (lists are replaced whole)."""
    patch: dict[str, Any] = {}
    for key in old.keys() - new.keys():
        patch[key] = None
    for key, value in new.items():
        before = old.get(key)
        if isinstance(value, dict) and isinstance(before, dict):
            sub = merge_patch(before, value)
            if sub:
                patch[key] = sub
        elif value != before or key not in old:
            patch[key] = value
    return patch
