"""Run the edge controller as a real subprocess under its deploy ServiceAccount and RBAC.

Called by the controller tests and the demo. Applies ``edge_controller/deploy``'s RBAC
manifests as they are, issues a ServiceAccount token through the TokenRequest API
(``kubectl create token``), writes a kubeconfig for it, and starts
``python -m edge_controller run``. Imports nothing from the controller (the core stays
below it); the controller process is an ordinary :class:`ManagedProcess`.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from gridedge.devstack import ports
from gridedge.devstack.edgetask import apply_crd
from gridedge.devstack.errors import ServiceStartError
from gridedge.devstack.kube import ControlPlane
from gridedge.devstack.paths import REPO_ROOT
from gridedge.devstack.process import ManagedProcess

DEPLOY_DIR = REPO_ROOT / "edge_controller" / "deploy"
RBAC_FILES = (
    "namespace.yaml",
    "serviceaccount.yaml",
    "clusterrole.yaml",
    "clusterrolebinding.yaml",
    "leader-election.yaml",
)
SA_NAMESPACE = "gridedge-system"
SA_NAME = "gridedge-edge-controller"
STARTED_LINE = "EdgeTask handlers started"  # edge_controller.handlers.STARTED


def install(plane: ControlPlane) -> None:
    """The CRD, the controller's namespace, ServiceAccount and least-privilege RBAC (idempotent)."""
    apply_crd(plane)
    for name in RBAC_FILES:
        plane.kubectl("apply", "-f", str(DEPLOY_DIR / name))


def service_account_kubeconfig(plane: ControlPlane, path: Path, duration: str = "4h") -> Path:
    token = plane.kubectl("create", "token", SA_NAME, "-n", SA_NAMESPACE, f"--duration={duration}").strip()
    return plane.write_token_kubeconfig(path, f"system:serviceaccount:{SA_NAMESPACE}:{SA_NAME}", token)


@dataclass
class EdgeController:
    """One controller replica. ``start()`` returns once its metrics endpoint answers."""

    plane: ControlPlane
    workdir: Path
    log_dir: Path
    namespaces: tuple[str, ...]
    lease_name: str
    identity: str
    interval: float = 0.5
    lease_seconds: int = 6
    metrics_port: int = 0
    _proc: ManagedProcess | None = field(default=None, repr=False)

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"edge-controller-{self.identity}.log"

    def start(self, timeout: float = 60) -> EdgeController:
        self.workdir.mkdir(parents=True, exist_ok=True)
        kubeconfig = service_account_kubeconfig(self.plane, self.workdir / f"{self.identity}.kubeconfig")
        self.metrics_port = self.metrics_port or ports.free_port()
        argv = [sys.executable, "-m", "edge_controller", "run"]
        for ns in self.namespaces:
            argv += ["--namespace", ns]
        argv += [
            "--metrics-port", str(self.metrics_port),
            "--interval", str(self.interval),
            "--lease-name", self.lease_name,
            "--lease-namespace", SA_NAMESPACE,
            "--lease-seconds", str(self.lease_seconds),
            "--identity", self.identity,
        ]  # fmt: skip
        env = {**os.environ, "KUBECONFIG": str(kubeconfig)}
        self._proc = ManagedProcess(f"edge-controller-{self.identity}", argv, self.log_path, env=env, cwd=REPO_ROOT)
        self._proc.start()
        self._proc.wait_healthy(lambda: bool(self.scrape()), timeout, "metrics endpoint answering")
        return self

    def scrape(self) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=2) as resp:
            return str(resp.read().decode())

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def alive(self) -> bool:
        return self._proc is not None and self._proc.alive()

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM kill would: no cleanup, the Lease is not released."""
        if self._proc is None:
            raise ServiceStartError(f"edge controller {self.identity} was never started")
        os.killpg(self._proc.pid, signal.SIGKILL)
        self._proc.stop(grace=5)

    def wait_reconciling(self, timeout: float = 30) -> EdgeController:
        """Until this replica leads and kopf runs its handlers (a standby never gets there)."""
        if self._proc is None:
            raise ServiceStartError(f"edge controller {self.identity} was never started")
        self._proc.wait_healthy(lambda: STARTED_LINE in self.log(), timeout, "handlers started")
        return self

    def terminate(self, timeout: float = 15) -> int | None:
        """SIGTERM, as Kubernetes sends on a rollout; the exit code, or None if still running."""
        if self._proc is None:
            raise ServiceStartError(f"edge controller {self.identity} was never started")
        os.killpg(self._proc.pid, signal.SIGTERM)
        return self.wait_exit(timeout)

    def wait_exit(self, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        return None if self._proc is None else self._proc.returncode()

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.stop(grace=10)
