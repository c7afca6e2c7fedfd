"""Leader election over a coordination.k8s.io Lease, so two replicas never act on one task.

Called by the CLI before kopf starts: ``acquire()`` blocks while another live replica holds
the Lease; ``keep()`` renews it in a thread and calls back if renewing fails for longer than
the lease, so kopf stops and the process exits (and restarts as a standby).
Kopf's own peering does not do this: replicas of equal priority keep running together.
Every write carries the Lease's resourceVersion, so two candidates cannot both win.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from kubernetes import client
from kubernetes.client.rest import ApiException

log = logging.getLogger("edge_controller.leader")


def _micro(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


@dataclass
class LeaseElector:
    api: client.CoordinationV1Api
    namespace: str
    name: str
    identity: str
    lease_seconds: int = 15
    retry_seconds: float = 2.0

    @property
    def ref(self) -> str:
        return f"Lease {self.namespace}/{self.name}"

    def _read(self) -> dict[str, Any] | None:
        try:
            resp = self.api.read_namespaced_lease(self.name, self.namespace, _preload_content=False)
        except ApiException as e:
            if e.status == 404:
                return None
            raise
        data: dict[str, Any] = json.loads(resp.data)
        return data

    def try_acquire(self) -> bool:
        """One attempt: take a free or expired Lease, or renew our own; False if another holds it."""
        now = datetime.now(UTC)
        lease = self._read()
        spec = {"holderIdentity": self.identity, "leaseDurationSeconds": self.lease_seconds, "renewTime": _micro(now)}
        try:
            if lease is None:
                body = {
                    "metadata": {"name": self.name},
                    "spec": {**spec, "acquireTime": _micro(now), "leaseTransitions": 0},
                }
                self.api.create_namespaced_lease(self.namespace, body, _preload_content=False)
                return True
            current = lease.get("spec") or {}
            holder = current.get("holderIdentity") or ""
            renewed = _parse(current.get("renewTime")) or datetime.fromtimestamp(0, UTC)
            duration = int(current.get("leaseDurationSeconds") or self.lease_seconds)
            if holder and holder != self.identity and now < renewed + timedelta(seconds=duration):
                return False
            if holder != self.identity:
                spec["acquireTime"] = _micro(now)
                spec["leaseTransitions"] = int(current.get("leaseTransitions") or 0) + 1
            lease["spec"] = {**current, **spec}
            self.api.replace_namespaced_lease(self.name, self.namespace, lease, _preload_content=False)
            return True
        except ApiException as e:
            if e.status in (409, 422):  # someone else wrote first
                return False
            raise

    def acquire(self, stop: threading.Event) -> bool:
        """Block until this replica leads (True) or ``stop`` is set (False)."""
        announced = False
        while not stop.is_set():
            try:
                if self.try_acquire():
                    log.info("%s: %s is the leader", self.ref, self.identity)
                    return True
            except ApiException as e:
                log.warning("%s: cannot read or write the lease (%s); retrying", self.ref, e.status)
            if not announced:
                log.info("%s: held by another replica; %s waits as a standby", self.ref, self.identity)
                announced = True
            stop.wait(self.retry_seconds)
        return False

    def keep(self, stop: threading.Event, on_lost: Callable[[], None]) -> threading.Thread:
        """Renew every third of the lease until ``stop``; call ``on_lost`` if leadership is lost."""

        def renew() -> None:
            last_ok = time.monotonic()
            while not stop.wait(self.lease_seconds / 3):
                try:
                    if self.try_acquire():
                        last_ok = time.monotonic()
                        continue
                    log.error("%s: taken over by another replica; stopping", self.ref)
                except ApiException as e:
                    if time.monotonic() - last_ok < self.lease_seconds:
                        log.warning("%s: renewal failed (%s); retrying", self.ref, e.status)
                        continue
                    log.error("%s: could not renew for %ss; stopping", self.ref, self.lease_seconds)
                on_lost()
                return

        thread = threading.Thread(target=renew, name="lease-renewal", daemon=True)
        thread.start()
        return thread

    def release(self) -> None:
        """Hand the Lease over at once on a clean exit, instead of letting it expire."""
        try:
            lease = self._read()
            if lease and (lease.get("spec") or {}).get("holderIdentity") == self.identity:
                lease["spec"]["holderIdentity"] = ""
                lease["spec"]["renewTime"] = _micro(datetime.fromtimestamp(0, UTC))
                self.api.replace_namespaced_lease(self.name, self.namespace, lease, _preload_content=False)
        except ApiException as e:
            log.warning("%s: release failed (%s)", self.ref, e.status)
