"""``run_task``: an EdgeTask manifest run to the end on this host, like the controller would.

Called by tests, the demo and ``python -m edge_controller.local``. The path is the
controller's: ``validate`` the manifest, build a ``local_network`` on free ports, render
the Pods with ``build_pods``, then play them (:mod:`.mapping`, :mod:`.supervisor`).
Run policy: a failure whose every failed rank exited with the retryable code restarts the
whole group (fresh ports) up to ``backoffLimit`` times; ``activeDeadlineSeconds`` bounds
the whole run. Returns a :class:`TaskStatus`; raises :class:`LocalRuntimeError` only when
the task cannot be started at all. Must not talk to Kubernetes.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from edge_controller.builders import SpecError, build_pods, validate
from edge_controller.local.mapping import MappingError, pod_process
from edge_controller.local.status import TaskStatus
from edge_controller.local.supervisor import Outcome, supervise
from gridedge.contract import edgetask as et
from gridedge.contract.messages import is_retryable
from gridedge.contract.network import local_network
from gridedge.devstack.errors import ServiceStartError
from gridedge.devstack.ports import free_ports

log = logging.getLogger("edge_controller.local")
DEFAULT_PEER_GRACE_S = 5.0


class LocalRuntimeError(RuntimeError):
    """The task cannot start here: invalid manifest, unmapped volume, missing secret or command."""


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def run_task(
    manifest: Mapping[str, Any],
    workdir: Path,
    volumes: Mapping[str, Path] | None = None,
    secrets: Mapping[str, Mapping[str, str]] | None = None,
    extra_env: Mapping[str, str] | None = None,
    python: str = sys.executable,
    peer_grace: float = DEFAULT_PEER_GRACE_S,
    timeout: float | None = None,
) -> TaskStatus:
    """Run every rank of ``manifest`` as a local process; block until the task is terminal.

    ``volumes`` maps a PersistentVolumeClaim name to the local folder that plays it;
    ``timeout`` bounds the run when the manifest has no ``activeDeadlineSeconds``.
    """
    try:
        task = validate(manifest)
    except SpecError as e:
        raise LocalRuntimeError(f"invalid EdgeTask: {e}") from e
    policy = task.spec.run_policy
    limit = policy.active_deadline_seconds or timeout
    started = time.monotonic()
    deadline = started + limit if limit else None
    start_time = _now()
    restarts = 0
    while True:
        ports = free_ports(task.spec.world_size + 1)
        network = local_network(task.meta.namespace, task.meta.name, task.spec.world_size, ports[0], ports[1:])
        pods = build_pods(task, network, attempt=restarts)
        attempt_dir = workdir / f"attempt-{restarts}"
        try:
            specs = [
                pod_process(
                    pod,
                    rank,
                    attempt_dir / pod["metadata"]["name"],
                    volumes or {},
                    secrets or {},
                    extra_env or {},
                    python,
                )
                for rank, pod in enumerate(pods)
            ]
        except MappingError as e:
            raise LocalRuntimeError(f"{task.meta.ref}: {e}") from e
        log.info("%s attempt %d: %d rank(s) on 127.0.0.1 ports %s", task.meta.ref, restarts, len(specs), ports)
        try:
            outcome = supervise(specs, attempt_dir / "logs", deadline, peer_grace, restarts, network.to_dict())
        except ServiceStartError as e:
            raise LocalRuntimeError(f"{task.meta.ref}: {e}") from e

        def status(phase: et.Phase, reason: str, message: str, outcome: Outcome = outcome) -> TaskStatus:
            return TaskStatus(
                phase,
                reason,
                message,
                outcome.ranks,
                restarts=outcome.attempt,
                start_time=start_time,
                completion_time=_now(),
                network=outcome.network,
                seconds=round(time.monotonic() - started, 3),
            )

        if outcome.deadline_exceeded:
            return status(
                et.Phase.FAILED, et.REASON_DEADLINE_EXCEEDED, f"{task.meta.ref}: not finished within {limit:.0f}s"
            )
        failure = outcome.first_failure
        if failure is None:
            return status(
                et.Phase.SUCCEEDED, et.REASON_ALL_SUCCEEDED, f"{task.meta.ref}: all {len(specs)} rank(s) succeeded"
            )
        failed = [r for r in outcome.ranks if r.exit_code not in (0, None) and r.reason == "Error"]
        retryable = all(r.exit_code is not None and is_retryable(r.exit_code) for r in failed)
        message = (
            f"{task.meta.ref}: rank {failure.rank} ({failure.pod_name}) exited with {failure.exit_code}: "
            f"{failure.message}"
        )
        if retryable and restarts < policy.backoff_limit:
            restarts += 1
            log.warning("%s; restarting the group (%d of %d)", message, restarts, policy.backoff_limit)
            continue
        reason = et.REASON_BACKOFF_LIMIT_EXCEEDED if retryable else et.REASON_RANK_FAILED
        return status(et.Phase.FAILED, reason, message)
