"""What the local runtime reports: per-rank outcomes and a task status like the controller's.

Built by :mod:`.supervisor` and :mod:`.runtime`; read by callers and tests. ``to_dict``
uses the EdgeTask ``status`` field names (camelCase) so that code reading a controller's
status can read this one. Pure data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gridedge.contract.edgetask import Phase


@dataclass(frozen=True)
class RankStatus:
    rank: int
    pod_name: str
    exit_code: int | None  # None: still running when stopped by the supervisor, or never started
    reason: str  # Completed, Error, StoppedAfterPeerFailure, DeadlineExceeded
    message: str  # the rank's last error line, if any
    log_path: Path

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "podName": self.pod_name,
            "exitCode": self.exit_code,
            "reason": self.reason,
            "message": self.message,
            "log": str(self.log_path),
        }


@dataclass(frozen=True)
class TaskStatus:
    phase: Phase
    reason: str
    message: str
    ranks: tuple[RankStatus, ...]
    restarts: int = 0
    start_time: str = ""
    completion_time: str = ""
    network: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def exit_codes(self) -> list[int | None]:
        return [r.exit_code for r in self.ranks]

    def to_dict(self) -> dict[str, Any]:
        succeeded = sum(1 for r in self.ranks if r.exit_code == 0)
        failed = sum(1 for r in self.ranks if r.exit_code not in (0, None))
        return {
            "phase": str(self.phase),
            "reason": self.reason,
            "message": self.message,
            "restarts": self.restarts,
            "startTime": self.start_time,
            "completionTime": self.completion_time,
            "network": self.network,
            "counts": {"total": len(self.ranks), "succeeded": succeeded, "failed": failed},
            "ranks": [r.to_dict() for r in self.ranks],
        }
