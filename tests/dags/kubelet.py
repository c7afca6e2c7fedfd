"""A process kubelet for tests: runs the Pods bound to one Node as local processes.

KWOK only fakes Pod phases. For a real end-to-end run through Kubernetes this helper
registers a Node that KWOK does not manage, keeps it Ready (status and Lease heartbeats),
and for every Pod the scheduler binds to it starts the container's command as a local
process through the local runtime's Pod mapping (``edge_controller.local.mapping``:
claims become folders, paths under mounts are rewritten, the image's python is this
interpreter), then writes the Pod's status (Running, then Succeeded or Failed with the
exit code) as a kubelet would. Single-rank Pods only: there is no cluster DNS here.
Bounded: the thread and its processes stop after ``seconds`` or on ``stop()``.
"""

from __future__ import annotations

import subprocess
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kubernetes import client

from edge_controller.local.mapping import pod_process
from gridedge.contract import names as n
from gridedge.devstack.kube import ControlPlane
from tests.dags.container import _api


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ProcessKubelet(threading.Thread):
    def __init__(
        self,
        plane: ControlPlane,
        node: str,
        labels: dict[str, str],
        claims: dict[str, Path],
        workdir: Path,
        seconds: float = 300,
    ) -> None:
        super().__init__(daemon=True)
        self.plane, self.node, self.labels, self.claims, self.workdir = plane, node, labels, claims, workdir
        self.core = _api(plane)
        self.coordination = client.CoordinationV1Api(self.core.api_client)
        self.deadline = time.monotonic() + seconds
        self.procs: dict[str, tuple[subprocess.Popen[bytes], dict[str, Any]]] = {}
        self.finished: dict[str, int] = {}
        self.errors: list[BaseException] = []
        self._stop_event = threading.Event()

    # ---- node ---------------------------------------------------------------------------
    def register(self) -> ProcessKubelet:
        labels = {"kubernetes.io/hostname": self.node, "kubernetes.io/os": "linux", **self.labels}
        capacity = {"cpu": "8", "memory": "32Gi", "pods": "110"}
        try:
            self.core.create_node(
                {
                    "metadata": {"name": self.node, "labels": labels},
                    "status": {"capacity": capacity, "allocatable": capacity},
                }
            )
        except client.ApiException as e:
            if e.status != 409:
                raise
        self._heartbeat()
        return self

    def _heartbeat(self) -> None:
        now = _now()
        ready = {
            "type": "Ready",
            "status": "True",
            "reason": "KubeletReady",
            "message": "process kubelet",
            "lastHeartbeatTime": now,
            "lastTransitionTime": now,
        }
        self.core.patch_node_status(
            self.node,
            {"status": {"conditions": [ready], "addresses": [{"type": "InternalIP", "address": "127.0.0.1"}]}},
        )
        lease = {
            "metadata": {"name": self.node, "namespace": "kube-node-lease"},
            "spec": {
                "holderIdentity": self.node,
                "leaseDurationSeconds": 40,
                "renewTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            },
        }
        try:
            self.coordination.patch_namespaced_lease(self.node, "kube-node-lease", {"spec": lease["spec"]})
        except client.ApiException as e:
            if e.status != 404:
                raise
            self.coordination.create_namespaced_lease("kube-node-lease", lease)

    # ---- pods ---------------------------------------------------------------------------
    def run(self) -> None:
        beat = 0.0
        try:
            while not self._stop_event.is_set() and time.monotonic() < self.deadline:
                if time.monotonic() - beat > 5:
                    self._heartbeat()
                    beat = time.monotonic()
                pods = self.core.list_pod_for_all_namespaces(field_selector=f"spec.nodeName={self.node}").items
                for pod in pods:
                    if pod.metadata.uid not in self.procs and pod.metadata.deletion_timestamp is None:
                        self._start(pod)
                self._reap()
                self._stop_event.wait(0.2)
        except BaseException as e:
            self.errors.append(e)
        finally:
            for proc, _ in self.procs.values():
                if proc.poll() is None:
                    proc.kill()

    def _start(self, pod: Any) -> None:
        body = self.core.api_client.sanitize_for_serialization(pod)
        rank = int(pod.metadata.labels.get(n.LABEL_RANK, "0"))
        pod_dir = self.workdir / pod.metadata.namespace / pod.metadata.name / pod.metadata.uid
        pod_dir.mkdir(parents=True, exist_ok=True)
        spec = pod_process(body, rank, pod_dir, self.claims, {}, {})
        log = (pod_dir / "container.log").open("ab")
        proc = subprocess.Popen(list(spec.argv), env=spec.env, cwd=spec.cwd, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.procs[pod.metadata.uid] = (
            proc,
            {
                "name": pod.metadata.name,
                "namespace": pod.metadata.namespace,
                "container": pod.spec.containers[0].name,
                "started": _now(),
                "log": pod_dir / "container.log",
            },
        )
        self._status(
            pod.metadata.namespace,
            pod.metadata.name,
            "Running",
            {"running": {"startedAt": self.procs[pod.metadata.uid][1]["started"]}},
            pod.spec.containers[0].name,
        )

    def _reap(self) -> None:
        for uid, (proc, info) in self.procs.items():
            code = proc.poll()
            if code is None or uid in self.finished:
                continue
            self.finished[uid] = code
            state = {
                "terminated": {
                    "exitCode": code,
                    "reason": "Completed" if code == 0 else "Error",
                    "startedAt": info["started"],
                    "finishedAt": _now(),
                }
            }
            try:
                self._status(
                    info["namespace"], info["name"], "Succeeded" if code == 0 else "Failed", state, info["container"]
                )
            except client.ApiException as e:
                if e.status != 404:  # deleted meanwhile
                    raise

    def _status(self, namespace: str, name: str, phase: str, state: dict[str, Any], container: str) -> None:
        now = _now()
        running = phase == "Running"
        status = {
            "phase": phase,
            "hostIP": "127.0.0.1",
            "podIP": "127.0.0.1",
            "startTime": now,
            "conditions": [{"type": "Ready", "status": "True" if running else "False", "lastTransitionTime": now}],
            "containerStatuses": [
                {
                    "name": container,
                    "image": "local",
                    "imageID": "",
                    "ready": running,
                    "restartCount": 0,
                    "started": running,
                    "state": state,
                }
            ],
        }
        self.core.patch_namespaced_pod_status(name, namespace, {"status": status})

    def stop(self) -> None:
        self._stop_event.set()
        self.join(15)
