"""decide(): one level-triggered step of an EdgeTask's phase machine.

Called by the timer handler every tick with the freshly read EdgeTask and its Pods. It
returns the whole new status and which children to create or delete; the handler writes
the status first (with the EdgeTask's resourceVersion as a precondition) and only then
touches children, so a controller killed at any point resumes correctly. Pure: no I/O,
no clock.

Phases: Pending → Running → Succeeded; a failed rank → Restarting (the whole group is
recreated, up to backoffLimit) → Running, or → Failed; deadline → Failed; suspend →
Suspended → (resume) Pending. Invalid specs → Failed (InvalidSpec), nothing created.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from edge_controller.builders import EdgeTask, SpecError, build_pod, build_service, network_for_kubernetes, validate
from edge_controller.reconcile.conditions import counts, iso, parse_time, set_condition
from edge_controller.reconcile.observe import PodView, view
from gridedge.contract import edgetask as et
from gridedge.contract.edgetask import CleanPodPolicy, ConditionType, Phase
from gridedge.contract.messages import is_retryable

PHASE_CONDITIONS = {
    Phase.RUNNING: ConditionType.RUNNING,
    Phase.RESTARTING: ConditionType.RESTARTING,
    Phase.SUSPENDED: ConditionType.SUSPENDED,
    Phase.SUCCEEDED: ConditionType.SUCCEEDED,
    Phase.FAILED: ConditionType.FAILED,
}


@dataclass(frozen=True)
class Plan:
    """What one tick should do, in this order: status, deletes, service, creates, task deletion."""

    status: dict[str, Any]
    delete: tuple[str, ...] = ()
    service: dict[str, Any] | None = None
    create: tuple[dict[str, Any], ...] = ()
    delete_task: bool = False
    event: tuple[str, str, str] | None = None  # (Normal|Warning, reason, message) on a transition


def decide(
    body: dict[str, Any], pods: Sequence[dict[str, Any]], now: datetime, cluster_domain: str = "cluster.local"
) -> Plan:
    meta = body.get("metadata") or {}
    old = dict(body.get("status") or {})
    if meta.get("deletionTimestamp"):
        return Plan(status=old)  # being deleted: children go with it; create nothing more
    status = copy.deepcopy(old)
    status["observedGeneration"] = int(meta.get("generation") or 0)
    views = [v for v in map(view, pods) if v.owner_uid == meta.get("uid")]
    try:
        task = validate(body)
    except SpecError as e:
        return _invalid(old, status, e, views, now, body)
    status["conditions"] = set_condition(
        status.get("conditions") or [], ConditionType.VALID, True, "Valid", "spec is valid", now
    )
    views = [v for v in views if 0 <= v.rank < task.spec.world_size]
    phase = _phase_of(old)
    if phase in et.TERMINAL_PHASES:
        return _finished(old, status, task, views, now)
    status.setdefault("attempt", 0)
    status.setdefault("restarts", 0)
    status["networkInfo"] = network_for_kubernetes(task, cluster_domain).to_dict()
    if task.spec.run_policy.suspend:
        return _suspended(old, status, views, now)
    if phase is Phase.SUSPENDED:
        status["conditions"] = set_condition(
            status["conditions"], ConditionType.SUSPENDED, False, et.REASON_RESUMED, "resumed", now
        )
        status["materialized"] = False
        _enter(status, Phase.PENDING, et.REASON_RESUMED, "resumed: recreating Pods", now)
    return _active(old, status, task, views, now, cluster_domain)


def _phase_of(status: dict[str, Any]) -> Phase:
    try:
        return Phase(status.get("phase") or Phase.PENDING)
    except ValueError:
        return Phase.PENDING


def _enter(status: dict[str, Any], phase: Phase, reason: str, message: str, now: datetime) -> None:
    status.update(phase=str(phase), reason=reason, message=message)
    conditions = status.get("conditions") or []
    for candidate, kind in PHASE_CONDITIONS.items():
        if candidate is phase:
            conditions = set_condition(conditions, kind, True, reason, message, now)
        elif any(c.get("type") == kind and c.get("status") == "True" for c in conditions):
            conditions = set_condition(conditions, kind, False, reason, message, now)
    status["conditions"] = conditions


def _plan(old: dict[str, Any], status: dict[str, Any], **kwargs: Any) -> Plan:
    event = None
    if (old.get("phase"), old.get("reason")) != (status.get("phase"), status.get("reason")):
        kind = "Warning" if status.get("phase") in (Phase.FAILED, Phase.RESTARTING) else "Normal"
        event = (kind, str(status.get("reason", "")), str(status.get("message", "")))
    return Plan(status=status, event=event, **kwargs)


def _invalid(
    old: dict[str, Any],
    status: dict[str, Any],
    error: SpecError,
    views: list[PodView],
    now: datetime,
    body: dict[str, Any],
) -> Plan:
    message = f"invalid spec: {error}"
    status["conditions"] = set_condition(
        status.get("conditions") or [], ConditionType.VALID, False, et.REASON_INVALID_SPEC, message, now
    )
    if status.get("phase") != Phase.FAILED:
        _enter(status, Phase.FAILED, et.REASON_INVALID_SPEC, message, now)
        status["completionTime"] = iso(now)
    policy = ((body.get("spec") or {}).get("runPolicy") or {}) if isinstance(body.get("spec"), dict) else {}
    ttl = policy.get("ttlSecondsAfterFinished") if isinstance(policy, dict) else None
    expired = isinstance(ttl, int) and _elapsed(status.get("completionTime"), now, ttl)
    doomed = tuple(v.name for v in views if v.active and not v.deleting)
    status["cleanedUp"] = not doomed
    return _plan(old, status, delete=doomed, delete_task=expired)


def _elapsed(since: object, now: datetime, seconds: int) -> bool:
    start = parse_time(since)
    return start is not None and now >= start + timedelta(seconds=seconds)


def _finished(old: dict[str, Any], status: dict[str, Any], task: EdgeTask, views: list[PodView], now: datetime) -> Plan:
    policy = task.spec.run_policy
    alive = [v for v in views if not v.deleting]
    if policy.clean_pod_policy is CleanPodPolicy.ALL:
        doomed = alive
    elif policy.clean_pod_policy is CleanPodPolicy.RUNNING or status.get("reason") == et.REASON_DEADLINE_EXCEEDED:
        doomed = [v for v in alive if v.active]  # a deadline stops the work whatever the policy
    else:
        doomed = []
    status["cleanedUp"] = not doomed
    ttl = policy.ttl_seconds_after_finished
    expired = ttl is not None and _elapsed(status.get("completionTime"), now, ttl)
    return _plan(old, status, delete=tuple(v.name for v in doomed), delete_task=expired)


def _suspended(old: dict[str, Any], status: dict[str, Any], views: list[PodView], now: datetime) -> Plan:
    alive = [v for v in views if not v.deleting]
    message = "suspended: Pods deleted; set spec.runPolicy.suspend=false to resume"
    if status.get("phase") != Phase.SUSPENDED:
        status.pop("startTime", None)  # the deadline counts again from the resume
    status["materialized"] = False
    status["conditions"] = set_condition(
        status["conditions"], ConditionType.SUSPENDED, True, et.REASON_SUSPENDED, message, now
    )
    _enter(status, Phase.SUSPENDED, et.REASON_SUSPENDED, message, now)
    status.update(counts([]))
    return _plan(old, status, delete=tuple(v.name for v in alive))


def _fail(
    old: dict[str, Any],
    status: dict[str, Any],
    task: EdgeTask,
    views: list[PodView],
    reason: str,
    message: str,
    now: datetime,
) -> Plan:
    _enter(status, Phase.FAILED, reason, message, now)
    status["completionTime"] = iso(now)
    return _finished(old, status, task, views, now)


def _active(
    old: dict[str, Any], status: dict[str, Any], task: EdgeTask, views: list[PodView], now: datetime, domain: str
) -> Plan:
    world, policy = task.spec.world_size, task.spec.run_policy
    attempt, restarts = int(status["attempt"]), int(status["restarts"])
    deadline = policy.active_deadline_seconds
    if deadline is not None and _elapsed(status.get("startTime"), now, deadline):
        return _fail(
            old, status, task, views, et.REASON_DEADLINE_EXCEEDED, f"activeDeadlineSeconds {deadline} exceeded", now
        )
    current = {v.rank: v for v in views if v.attempt == attempt and not v.deleting}
    stale = [v for v in views if v.attempt != attempt]
    status.update(counts(current.values()))
    if stale:  # the previous attempt must be gone before its names can be reused
        return _plan(old, status, delete=tuple(v.name for v in stale if not v.deleting))
    missing = [r for r in range(world) if r not in current]
    failed = sorted((v for v in current.values() if v.phase == "Failed"), key=lambda v: v.rank)
    lost = missing if status.get("materialized") else []
    if failed or lost:
        why = failed[0].failure() if failed else f"rank {lost[0]} Pod was deleted"
        # Same rule as the local runtime: only a retryable exit (75, or a death by signal such
        # as OOMKilled or eviction) or a lost Pod is worth restarting the group; a config or
        # data error would fail the same way again.
        permanent = [v for v in failed if v.exit_code is not None and not is_retryable(v.exit_code)]
        if permanent:
            return _fail(
                old,
                status,
                task,
                views,
                et.REASON_RANK_FAILED,
                f"{permanent[0].failure()}: a permanent error, not restarted",
                now,
            )
        if restarts < policy.backoff_limit:
            status.update(attempt=attempt + 1, restarts=restarts + 1, materialized=False)
            _enter(
                status,
                Phase.RESTARTING,
                et.REASON_RANK_FAILED,
                f"{why}, restart {restarts + 1}/{policy.backoff_limit}",
                now,
            )
            return _plan(old, status, delete=tuple(v.name for v in current.values()))
        if policy.backoff_limit:
            reason, message = et.REASON_BACKOFF_LIMIT_EXCEEDED, f"{why}; backoffLimit {policy.backoff_limit} reached"
        else:
            reason, message = et.REASON_RANK_FAILED, why
        return _fail(old, status, task, views, reason, message, now)
    restarting = _phase_of(status) is Phase.RESTARTING
    if missing:
        status.setdefault("startTime", iso(now))
        network = network_for_kubernetes(task, domain)
        text = f"creating Pods: {len(current)}/{world} exist"
        if not restarting:
            _enter(status, Phase.PENDING, et.REASON_PODS_PENDING, text, now)
        pods = tuple(build_pod(task, network, r, attempt) for r in missing)
        return _plan(old, status, service=build_service(task, network), create=pods)
    if not status.get("materialized"):
        status["materialized"] = True
        status["conditions"] = set_condition(
            status["conditions"], ConditionType.CREATED, True, et.REASON_CREATED, f"all {world} Pods created", now
        )
    phases = [current[r].phase for r in range(world)]
    if all(p == "Succeeded" for p in phases):
        _enter(status, Phase.SUCCEEDED, et.REASON_ALL_SUCCEEDED, f"all {world} ranks succeeded", now)
        status["completionTime"] = iso(now)
        return _finished(old, status, task, views, now)
    if all(p in ("Running", "Succeeded") for p in phases):
        done = phases.count("Succeeded")
        text = f"all {world} ranks running" if not done else f"{world - done} ranks running, {done} succeeded"
        _enter(status, Phase.RUNNING, et.REASON_ALL_RUNNING, text, now)
        return _plan(old, status)
    waiting = next(v for v in (current[r] for r in range(world)) if v.phase not in ("Running", "Succeeded"))
    text = f"{waiting.label} {waiting.phase}" + (f": {waiting.waiting}" if waiting.waiting else "")
    if restarting:
        _enter(
            status,
            Phase.RESTARTING,
            str(status.get("reason") or et.REASON_RANK_FAILED),
            _restart_text(status, text),
            now,
        )
    else:
        _enter(status, Phase.PENDING, et.REASON_PODS_PENDING, text, now)
    return _plan(old, status)


def _restart_text(status: dict[str, Any], waiting: str) -> str:
    """Keep why the group restarted in front of what it waits for now."""
    head = str(status.get("message") or "").split("; now ")[0]
    return f"{head}; now {waiting}"
