"""LeaseElector against a real apiserver: one holder at a time, expiry, release, races."""

from __future__ import annotations

import threading
import time
import uuid

from kubernetes import client

from edge_controller.leader import LeaseElector
from gridedge.devstack.controller import SA_NAMESPACE
from gridedge.devstack.kube import ControlPlane
from tests.edge_controller.support import api_client


def electors(plane: ControlPlane, count: int, lease_seconds: int = 2) -> list[LeaseElector]:
    name = f"lease-{uuid.uuid4().hex[:6]}"
    api = client.CoordinationV1Api(api_client(plane))
    return [LeaseElector(api, SA_NAMESPACE, name, f"cand-{i}", lease_seconds=lease_seconds) for i in range(count)]


def test_one_holder_until_it_expires_or_releases(plane: ControlPlane) -> None:
    a, b = electors(plane, 2)
    assert a.try_acquire() and not b.try_acquire()
    assert a.try_acquire()  # renewing our own
    time.sleep(2.5)
    assert b.try_acquire() and not a.try_acquire()
    b.release()
    assert a.try_acquire()
    lease = a.api.read_namespaced_lease(a.name, SA_NAMESPACE)
    assert lease.spec.holder_identity == "cand-0" and lease.spec.lease_transitions == 2


def test_concurrent_candidates_elect_exactly_one(plane: ControlPlane) -> None:
    candidates = electors(plane, 6, lease_seconds=30)
    barrier = threading.Barrier(len(candidates))
    won: list[str] = []

    def run(e: LeaseElector) -> None:
        barrier.wait(5)
        if e.try_acquire():
            won.append(e.identity)

    threads = [threading.Thread(target=run, args=(e,)) for e in candidates]
    for t in threads:
        t.start()
    for t in threads:
        t.join(15)
    assert len(won) == 1, won


def test_keep_calls_back_when_the_lease_is_taken(plane: ControlPlane) -> None:
    a, b = electors(plane, 2, lease_seconds=3)
    assert a.try_acquire()
    stop, lost = threading.Event(), threading.Event()
    a.keep(stop, on_lost=lost.set)
    lease = a.api.read_namespaced_lease(a.name, SA_NAMESPACE)
    lease.spec.holder_identity, lease.spec.lease_duration_seconds = b.identity, 60
    a.api.replace_namespaced_lease(a.name, SA_NAMESPACE, lease)
    assert lost.wait(5)
    stop.set()
