"""What the state machine needs to know about one Pod, read from its raw manifest.

Called by :mod:`.machine`. Reads only; tolerates missing fields (a Pod just created has
no status yet).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gridedge.contract.names import ANNOTATION_ATTEMPT, LABEL_RANK, ROLE_MASTER, ROLE_WORKER

ACTIVE_PHASES = frozenset({"Pending", "Running", "Unknown"})


@dataclass(frozen=True)
class PodView:
    name: str
    rank: int
    attempt: int
    phase: str
    deleting: bool
    owner_uid: str
    exit_code: int | None = None
    reason: str = ""
    waiting: str = ""  # why a Pending Pod is not running (scheduler or kubelet message)

    @property
    def role(self) -> str:
        return ROLE_MASTER if self.rank == 0 else ROLE_WORKER

    @property
    def label(self) -> str:
        """How messages name the Pod's rank: ``master-0``, ``worker-2``."""
        return f"{self.role}-{self.rank}"

    @property
    def active(self) -> bool:
        return self.phase in ACTIVE_PHASES

    def failure(self) -> str:
        """``rank 1 exited 137 (OOMKilled)``, or the Pod's own reason when no container ran."""
        if self.exit_code is not None:
            return f"rank {self.rank} exited {self.exit_code}" + (f" ({self.reason})" if self.reason else "")
        return f"rank {self.rank} failed" + (f" ({self.reason})" if self.reason else "")


def _int(value: object, default: int) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default


def view(pod: dict[str, Any]) -> PodView:
    meta = pod.get("metadata") or {}
    status = pod.get("status") or {}
    owners = [o for o in meta.get("ownerReferences") or [] if o.get("controller")]
    exit_code: int | None = None
    reason = str(status.get("reason") or "")
    waiting = ""
    for cs in status.get("containerStatuses") or []:
        state = cs.get("state") or {}
        if "terminated" in state and state["terminated"] is not None:
            term = state["terminated"]
            if exit_code is None or term.get("exitCode", 0) != 0:
                exit_code = _int(term.get("exitCode"), 0)
                reason = str(term.get("reason") or reason)
        elif state.get("waiting"):
            wait = state["waiting"]
            waiting = ": ".join(x for x in (wait.get("reason"), wait.get("message")) if x)
    for cond in status.get("conditions") or []:
        if cond.get("type") == "PodScheduled" and cond.get("status") == "False":
            waiting = str(cond.get("message") or cond.get("reason") or "not scheduled")
    return PodView(
        name=str(meta.get("name", "")),
        rank=_int((meta.get("labels") or {}).get(LABEL_RANK), -1),
        attempt=_int((meta.get("annotations") or {}).get(ANNOTATION_ATTEMPT), 0),
        phase=str(status.get("phase") or "Pending"),
        deleting=meta.get("deletionTimestamp") is not None,
        owner_uid=str(owners[0].get("uid", "")) if owners else "",
        exit_code=exit_code,
        reason=reason,
        waiting=waiting,
    )
