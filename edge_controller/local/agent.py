"""The local edge agent: an edge site without Kubernetes nodes, run by the local runtime.

Started by the demo (``python -m edge_controller.local.agent``) next to a bare
kube-apiserver that only stores EdgeTasks, so the Airflow side talks to a local site exactly
as to a real cluster (same hook, same CRD, same status). Instead of creating Pods it plays
each new EdgeTask with :func:`edge_controller.local.run_task` in a thread and writes the
result into ``status`` (phase, reason, message, counts, network info). It never creates
Kubernetes children and keeps no state beyond what ``status`` says: after a restart it
picks up every task that is not terminal yet.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from edge_controller.local.runtime import LocalRuntimeError, run_task
from edge_controller.local.status import TaskStatus
from gridedge.contract import edgetask as et
from gridedge.contract.names import GROUP, PLURAL, VERSION

log = logging.getLogger("edge_controller.local.agent")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def status_patch(result: TaskStatus, generation: int | None) -> dict[str, Any]:
    """The EdgeTask ``status`` for a finished local run, in the CRD's field names."""
    counts = result.to_dict()["counts"]
    done = result.phase == et.Phase.SUCCEEDED
    status: dict[str, Any] = {
        "phase": str(result.phase),
        "reason": result.reason,
        "message": result.message,
        "restarts": result.restarts,
        "attempt": result.restarts,
        "succeeded": counts["succeeded"],
        "failed": counts["failed"],
        "running": 0,
        "pending": 0,
        "materialized": True,
        "networkInfo": result.network,
        "completionTime": _now(),
        "conditions": [
            {
                "type": "Succeeded" if done else "Failed",
                "status": "True",
                "reason": result.reason,
                "message": result.message,
                "lastTransitionTime": _now(),
            },
        ],
    }
    if result.start_time:
        status["startTime"] = result.start_time.split(".")[0].rstrip("Z") + "Z"
    if generation is not None:
        status["observedGeneration"] = generation
    return status


class LocalAgent:
    """Polls EdgeTasks of one apiserver and runs the new ones on this host."""

    def __init__(
        self,
        api: Any,
        workdir: Path,
        volumes: Mapping[str, Path],
        max_parallel: int = 2,
        extra_env: Mapping[str, str] | None = None,
    ) -> None:
        self.api = api  # kubernetes.client.CustomObjectsApi
        self.workdir = workdir
        self.volumes = dict(volumes)
        self.extra_env = dict(extra_env or {})
        self._slots = threading.BoundedSemaphore(max_parallel)
        self._running: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def _patch_status(self, namespace: str, name: str, status: dict[str, Any]) -> None:
        self.api.patch_namespaced_custom_object_status(GROUP, VERSION, namespace, PLURAL, name, {"status": status})

    def poll_once(self) -> int:
        """Start every non-terminal task not yet running here; returns how many started."""
        items = self.api.list_cluster_custom_object(GROUP, VERSION, PLURAL).get("items", [])
        started = 0
        for task in items:
            meta = task["metadata"]
            uid = meta["uid"]
            phase = (task.get("status") or {}).get("phase")
            if phase in (et.Phase.SUCCEEDED, et.Phase.FAILED) or meta.get("deletionTimestamp"):
                continue
            if (task.get("spec") or {}).get("runPolicy", {}).get("suspend"):
                continue
            with self._lock:
                if uid in self._running:
                    continue
                self._running.add(uid)
            threading.Thread(target=self._play, args=(task,), name=f"task-{meta['name']}", daemon=True).start()
            started += 1
        return started

    def _play(self, task: dict[str, Any]) -> None:
        meta = task["metadata"]
        ns, name, uid = meta["namespace"], meta["name"], meta["uid"]
        ref = f"EdgeTask {ns}/{name}"
        try:
            with self._slots:
                self._patch_status(
                    ns,
                    name,
                    {
                        "phase": str(et.Phase.RUNNING),
                        "reason": "RunningLocally",
                        "startTime": _now(),
                        "message": f"{ref}: running {task['spec'].get('worldSize', 1)} rank(s) on the local runtime",
                        "observedGeneration": meta.get("generation"),
                    },
                )
                log.info("%s: starting on the local runtime", ref)
                try:
                    result = run_task(
                        task,
                        self.workdir / ns / f"{name}-{uid[:8]}",
                        volumes=self.volumes,
                        extra_env=self.extra_env,
                        timeout=3600,
                    )
                    patch = status_patch(result, meta.get("generation"))
                except LocalRuntimeError as e:
                    patch = {
                        "phase": str(et.Phase.FAILED),
                        "reason": "InvalidSpec",
                        "message": str(e),
                        "completionTime": _now(),
                        "observedGeneration": meta.get("generation"),
                    }
                log.info("%s: %s — %s", ref, patch["phase"], patch["message"])
                self._patch_status(ns, name, patch)
        except Exception:
            log.exception("%s: the local agent could not run or report the task", ref)
        finally:
            with self._lock:
                self._running.discard(uid)

    def run(self, interval: float = 0.5) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception as e:  # apiserver restarting: keep polling, bounded by stop()
                log.warning("listing EdgeTasks failed: %s", e)
            self._stop.wait(interval)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m edge_controller.local.agent", description=__doc__)
    parser.add_argument("--kubeconfig", required=True)
    parser.add_argument("--workdir", required=True, type=Path)
    parser.add_argument(
        "--volume",
        action="append",
        default=[],
        metavar="CLAIM=FOLDER",
        help="play a PersistentVolumeClaim by a local folder (repeatable)",
    )
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="extra environment for every rank (repeatable)"
    )
    parser.add_argument("--max-parallel", type=int, default=2)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    volumes: dict[str, Path] = {}
    for item in args.volume:
        claim, sep, folder = item.partition("=")
        if not sep or not claim or not folder:
            parser.error(f"--volume expects CLAIM=FOLDER, got {item!r}")
        volumes[claim] = Path(folder)
    env: dict[str, str] = {}
    for item in args.env:
        key, sep, value = item.partition("=")
        if not sep or not key:
            parser.error(f"--env expects NAME=VALUE, got {item!r}")
        env[key] = value

    from kubernetes import client, config

    api = client.CustomObjectsApi(config.new_client_from_config(config_file=args.kubeconfig))
    agent = LocalAgent(api, args.workdir, volumes, args.max_parallel, env)
    signal.signal(signal.SIGTERM, lambda *_: agent.stop())
    log.info("local edge agent up: volumes %s", {k: str(v) for k, v in volumes.items()})
    agent.run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
