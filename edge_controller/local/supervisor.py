"""Run one attempt of a task's ranks as local processes and watch them to the end.

Called by :mod:`.runtime`. Each rank runs in its own session with its log file (through
:class:`gridedge.devstack.process.ManagedProcess`, which also kills it if this process
dies). When a rank fails, the others get ``peer_grace`` seconds to notice and fail by
themselves (their own error is the better message), then they are stopped — so a dead
rank never leaves the rest hanging on a tracker or a socket. Must not render Pods.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edge_controller.local.mapping import ProcessSpec
from edge_controller.local.status import RankStatus
from gridedge.devstack.process import ManagedProcess

log = logging.getLogger("edge_controller.local")
POLL_S = 0.1


@dataclass(frozen=True)
class Outcome:
    ranks: tuple[RankStatus, ...]
    first_failure: RankStatus | None
    deadline_exceeded: bool
    attempt: int = 0
    network: dict[str, Any] = field(default_factory=dict)


def last_error_line(log_path: Path) -> str:
    """The rank's last ERROR line (the SDK writes one ``Reason: what`` line on failure)."""
    try:
        lines = log_path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    tail = lines[-400:]
    for marker in (" ERROR ", "Error", "Traceback"):
        for line in reversed(tail):
            if marker in line:
                return line.strip()[:500]
    return lines[-1].strip()[:500] if lines else ""


def supervise(
    specs: Sequence[ProcessSpec],
    log_dir: Path,
    deadline: float | None,
    peer_grace: float,
    attempt: int = 0,
    network: dict[str, Any] | None = None,
) -> Outcome:
    """Start every rank, wait until all exit (or the deadline), stop survivors after a failure."""
    procs: list[ManagedProcess] = []
    codes: dict[int, int] = {}
    stopped: dict[int, str] = {}
    first: int | None = None
    failed_at = 0.0
    deadline_exceeded = False
    try:
        for spec in specs:
            proc = ManagedProcess(spec.pod_name, spec.argv, log_dir / f"{spec.pod_name}.log", spec.env, spec.cwd)
            procs.append(proc.start())
        while len(codes) + len(stopped) < len(procs):
            for spec, proc in zip(specs, procs, strict=True):
                if spec.rank in codes or spec.rank in stopped:
                    continue
                code = proc.returncode()
                if code is not None:
                    codes[spec.rank] = code
                    if code != 0 and first is None:
                        first, failed_at = spec.rank, time.monotonic()
                        log.warning("rank %d (%s) exited with %d", spec.rank, spec.pod_name, code)
            now = time.monotonic()
            reason = ""
            if deadline is not None and now >= deadline:
                reason, deadline_exceeded = "DeadlineExceeded", True
            elif first is not None and now - failed_at >= peer_grace:
                reason = "StoppedAfterPeerFailure"
            if reason:
                for spec, proc in zip(specs, procs, strict=True):
                    if spec.rank not in codes and spec.rank not in stopped:
                        proc.stop(grace=2.0)
                        stopped[spec.rank] = reason
            time.sleep(POLL_S)
    finally:
        for proc in procs:
            proc.stop(grace=2.0)
    ranks = []
    for spec, proc in zip(specs, procs, strict=True):
        path = log_dir / f"{spec.pod_name}.log"
        code = codes.get(spec.rank, proc.returncode())
        if spec.rank in stopped:
            reason, message = stopped[spec.rank], f"stopped after rank {first} failed" if first is not None else ""
        else:
            reason = "Completed" if code == 0 else "Error"
            message = "" if code == 0 else last_error_line(path)
        ranks.append(RankStatus(spec.rank, spec.pod_name, code, reason, message, path))
    failure = next((r for r in ranks if r.rank == first), None)
    return Outcome(tuple(ranks), failure, deadline_exceeded, attempt, network or {})
