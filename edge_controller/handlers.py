"""The kopf registrations: settings at startup, one reconcile timer per EdgeTask, metrics cleanup.

Imported by :mod:`edge_controller.cli` just before ``kopf.run``. Thin on purpose: the timer
calls :func:`edge_controller.tick.reconcile_once` and turns transient API failures into
``kopf.TemporaryError``; it never sleeps and never decides anything itself. The timer stops
for a finished task once its Pods are cleaned and no TTL is pending (``when=``).
"""

from __future__ import annotations

import logging
import os
from typing import Any

import kopf
from kubernetes import client, config

from edge_controller import metrics
from edge_controller.kube import ApiFailure, KubeClient
from edge_controller.tick import reconcile_once
from gridedge.contract.edgetask import TERMINAL_PHASES
from gridedge.contract.names import GROUP, PLURAL, VERSION

ENV_INTERVAL = "GRIDEDGE_CONTROLLER_INTERVAL"
ENV_CLUSTER_DOMAIN = "GRIDEDGE_CLUSTER_DOMAIN"
FINALIZER = "gridedge.io/edge-controller"
STARTED = "EdgeTask handlers started"  # logged once kopf runs (and handles SIGTERM)
INTERVAL = float(os.environ.get(ENV_INTERVAL, "1.0"))
CLUSTER_DOMAIN = os.environ.get(ENV_CLUSTER_DOMAIN, "cluster.local")


def kube_client() -> KubeClient:
    """In-cluster credentials inside a Pod, else the kubeconfig (KUBECONFIG) — the same as kopf's login."""
    if os.environ.get("KUBERNETES_SERVICE_HOST"):
        config.load_incluster_config()
        return KubeClient(client.ApiClient())
    return KubeClient(config.new_client_from_config())


@kopf.on.startup()
def configure(settings: kopf.OperatorSettings, memo: kopf.Memo, **_: Any) -> None:
    settings.persistence.finalizer = FINALIZER
    settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix=GROUP)
    settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(prefix=GROUP)
    settings.posting.level = logging.WARNING  # our transitions post their own Events
    settings.execution.max_workers = 16
    settings.watching.server_timeout = 300
    # A deleted task's finalizer waits for its timer to exit; kopf re-checks every 60 s by default.
    settings.background.instant_exit_timeout = 0.5
    settings.background.cancellation_polling = 1.0
    settings.scanning.disabled = True  # no cluster-wide CRD/namespace watch: the CRD is installed first
    memo["kube"] = kube_client()
    logging.getLogger("edge_controller").info("%s: reconciling every %ss", STARTED, INTERVAL)


def _needs_ticks(status: kopf.Status, spec: kopf.Spec, **_: Any) -> bool:
    if status.get("phase") not in TERMINAL_PHASES:
        return True
    ttl_pending = (spec.get("runPolicy") or {}).get("ttlSecondsAfterFinished") is not None
    return ttl_pending or not status.get("cleanedUp")


@kopf.timer(GROUP, VERSION, PLURAL, id="reconcile", interval=INTERVAL, backoff=2.0, when=_needs_ticks)
def reconcile(name: str, namespace: str | None, memo: Any, **_: Any) -> None:
    assert namespace is not None  # EdgeTasks are namespaced
    try:
        phase = reconcile_once(memo["kube"], namespace, name, CLUSTER_DOMAIN)
    except ApiFailure as e:
        metrics.RECONCILE_ERRORS.inc()
        raise kopf.TemporaryError(str(e), delay=2) from e
    metrics.record_phase(f"{namespace}/{name}", phase)


@kopf.on.delete(GROUP, VERSION, PLURAL, optional=True)
def forget(name: str, namespace: str | None, **_: Any) -> None:
    metrics.record_phase(f"{namespace}/{name}", None)
