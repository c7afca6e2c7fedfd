"""``airflow standalone`` on a free 127.0.0.1 port, with a REST login for tests and the demo.

Called by the monitoring page's tests (and meant for the demo). It runs the real Airflow
command (scheduler, dag-processor, triggerer and api-server) from the venv, in its own
process group through :class:`ManagedProcess`, so stopping it reaches every worker. It
imports nothing from Airflow (the core stays below it) and never touches ``~/airflow``.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gridedge.devstack import ports
from gridedge.devstack.airflow import AirflowHome
from gridedge.devstack.errors import ServiceStartError
from gridedge.devstack.process import ManagedProcess

PASSWORDS_FILE = "simple_auth_manager_passwords.json.generated"
USER = "admin"


@dataclass
class AirflowStandalone:
    """One ``airflow standalone``; :meth:`start` returns once the api-server is healthy."""

    home: AirflowHome
    log_dir: Path
    port: int = 0
    extra_env: dict[str, str] = field(default_factory=dict)
    _proc: ManagedProcess | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.log_dir / "airflow-standalone.log"

    def env(self) -> dict[str, str]:
        env = self.home.env()
        bin_dir = str(Path(self.home.airflow_bin()).parent)
        env.update(
            {
                # standalone finds `airflow` by PATH for its sub-commands
                "PATH": os.pathsep.join([bin_dir, env.get("PATH", "")]),
                "AIRFLOW__API__HOST": "127.0.0.1",
                "AIRFLOW__API__PORT": str(self.port),
                "AIRFLOW__API__BASE_URL": self.url,
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.url}/execution/",
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:admin",
                "AIRFLOW__CORE__LAZY_LOAD_PLUGINS": "False",
                "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
                **self.extra_env,
            }
        )
        return env

    def start(self, timeout: float = 180) -> AirflowStandalone:
        self.port = self.port or ports.free_port()
        self._proc = ManagedProcess(
            "airflow-standalone", [self.home.airflow_bin(), "standalone"], self.log_path, env=self.env()
        ).start()
        self._proc.wait_healthy(self._healthy, timeout, f"api-server healthy on {self.url}")
        self._proc.wait_healthy(lambda: bool(self.password()), 30, "admin password written")
        return self

    def _healthy(self) -> bool:
        with urllib.request.urlopen(f"{self.url}/api/v2/monitor/health", timeout=5) as resp:
            body = json.loads(resp.read())
        return bool(body.get("metadatabase", {}).get("status") == "healthy")

    def password(self, user: str = USER) -> str:
        path = self.home.home / PASSWORDS_FILE
        try:
            return str(json.loads(path.read_text()).get(user, ""))
        except (OSError, ValueError):
            return ""

    def token(self, user: str = USER) -> str:
        """A JWT from ``POST /auth/token`` with the simple auth manager's generated password."""
        body = json.dumps({"username": user, "password": self.password(user)}).encode()
        request = urllib.request.Request(
            f"{self.url}/auth/token", data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        with urllib.request.urlopen(request, timeout=30) as resp:
            return str(json.loads(resp.read())["access_token"])

    def api(self, method: str, path: str, token: str, body: dict[str, Any] | None = None) -> Any:
        """One REST call under ``/api/v2``; errors carry the server's answer."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.url}/api/v2{path}",
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as e:
            raise ServiceStartError(f"{method} {path}: HTTP {e.code}: {e.read()[:500]!r}") from e

    def wait_dag(self, dag_id: str, token: str, timeout: float = 90) -> None:
        """Until the dag-processor has parsed ``dag_id`` (the REST API knows it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.api("GET", f"/dags/{dag_id}", token)
                return
            except ServiceStartError:
                time.sleep(1)
        raise ServiceStartError(f"DAG {dag_id} was not parsed within {timeout:.0f}s; log {self.log_path}")

    def run_dag(self, dag_id: str, token: str, conf: dict[str, Any] | None = None, timeout: float = 120) -> str:
        """Unpause, trigger over REST and wait for a final state; returns that state."""
        self.api("PATCH", f"/dags/{dag_id}", token, {"is_paused": False})
        run = self.api("POST", f"/dags/{dag_id}/dagRuns", token, {"logical_date": None, "conf": conf or {}})
        run_id = run["dag_run_id"]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = str(self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}", token)["state"])
            if state in ("success", "failed"):
                return state
            time.sleep(1)
        raise ServiceStartError(f"run {run_id} of {dag_id} did not finish within {timeout:.0f}s; log {self.log_path}")

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.stop(grace=20)
            self._proc = None
