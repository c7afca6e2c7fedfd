"""One reconcile tick of one EdgeTask: read fresh, decide, then act in a crash-safe order.

Called by the kopf timer in :mod:`edge_controller.handlers` (one tick at a time per task).
Order: (1) status, with the resourceVersion read as a precondition — if anyone wrote in
between, stop and let the next tick decide again; (2) deletions; (3) Service and Pods,
each "exists? else create"; (4) the task itself when its TTL has passed. Decides nothing
itself (that is :func:`edge_controller.reconcile.machine.decide`) and never sleeps.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from edge_controller import metrics
from edge_controller.kube import KubeClient, Rejected
from edge_controller.reconcile.conditions import iso, merge_patch, set_condition
from edge_controller.reconcile.machine import decide
from gridedge.contract.edgetask import ConditionType, Phase
from gridedge.contract.names import API_VERSION, KIND, LABEL_TASK_NAME

REASON_POD_REJECTED = "PodRejected"


class _TaskLog(logging.LoggerAdapter[logging.Logger]):
    """Adds the object to every record (kopf's JSON format prints it under ``object``)."""

    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        kwargs["extra"] = {**(self.extra or {}), **(kwargs.get("extra") or {})}
        return msg, kwargs


def task_log(namespace: str, name: str) -> _TaskLog:
    ref = {"apiVersion": API_VERSION, "kind": KIND, "namespace": namespace, "name": name}
    return _TaskLog(logging.getLogger("edge_controller"), {"k8s_ref": ref})


def reconcile_once(kube: KubeClient, namespace: str, name: str, cluster_domain: str = "cluster.local") -> str | None:
    """Run one tick; return the task's phase afterwards (None when the task is gone)."""
    ref = f"{KIND} {namespace}/{name}"
    log = task_log(namespace, name)
    with metrics.RECONCILE_SECONDS.time():
        body = kube.get_task(namespace, name)
        if body is None:
            return None
        pods = kube.list_pods(namespace, f"{LABEL_TASK_NAME}={name}")
        now = datetime.now(UTC)
        plan = decide(body, pods, now, cluster_domain)
        old = dict(body.get("status") or {})
        if plan.status != old:
            written = kube.patch_status(
                namespace, name, body["metadata"]["resourceVersion"], merge_patch(old, plan.status)
            )
            if written is None:
                log.info("%s: changed while reconciling; deciding again next tick", ref)
                return str(old.get("phase") or Phase.PENDING)
            body = written
        if plan.event is not None:
            _transition(kube, body, plan.event, old, plan.status)
        for pod in plan.delete:
            if kube.delete_pod(namespace, pod):
                log.info("%s: deleted Pod %s", ref, pod)
        try:
            if plan.service is not None and kube.create_if_absent(plan.service):
                log.info("%s: created Service %s", ref, plan.service["metadata"]["name"])
            for manifest in plan.create:
                if kube.create_if_absent(manifest):
                    metrics.PODS_CREATED.inc()
                    log.info("%s: created Pod %s", ref, manifest["metadata"]["name"])
        except Rejected as e:
            return _rejected(kube, body, e)
        if plan.delete_task:
            log.info("%s: ttlSecondsAfterFinished passed; deleting the task", ref)
            kube.delete_task(namespace, name)
            return None
        return str(plan.status.get("phase"))


def _transition(
    kube: KubeClient, body: dict[str, Any], event: tuple[str, str, str], old: dict[str, Any], new: dict[str, Any]
) -> None:
    kind, reason, message = event
    meta = body["metadata"]
    level = logging.WARNING if kind == "Warning" else logging.INFO
    task_log(meta["namespace"], meta["name"]).log(
        level,
        "%s %s/%s: %s -> %s (%s): %s",
        KIND,
        meta["namespace"],
        meta["name"],
        old.get("phase") or "-",
        new.get("phase"),
        reason,
        message,
        extra={"phase": new.get("phase"), "reason": reason, "restarts": new.get("restarts", 0)},
    )
    metrics.TRANSITIONS.labels(phase=str(new.get("phase")), reason=reason).inc()
    if int(new.get("restarts") or 0) > int(old.get("restarts") or 0):
        metrics.GROUP_RESTARTS.inc()
    kube.post_event(body, kind, reason, message)


def _rejected(kube: KubeClient, body: dict[str, Any], error: Rejected) -> str:
    """A child the apiserver will never accept: the task fails with the apiserver's words."""
    meta = body["metadata"]
    now = datetime.now(UTC)
    old = dict(body.get("status") or {})
    status = dict(old)
    message = str(error)
    status.update(phase=str(Phase.FAILED), reason=REASON_POD_REJECTED, message=message, completionTime=iso(now))
    status["conditions"] = set_condition(
        status.get("conditions") or [], ConditionType.FAILED, True, REASON_POD_REJECTED, message, now
    )
    if kube.patch_status(meta["namespace"], meta["name"], meta["resourceVersion"], merge_patch(old, status)):
        _transition(kube, body, ("Warning", REASON_POD_REJECTED, message), old, status)
        return str(Phase.FAILED)
    return str(old.get("phase") or Phase.PENDING)
