"""An Airflow 3 home for tests and the demo: environment, migrated metadata DB, standalone.

Called by the test fixtures and the demo. SQLite by default (the embedded default);
``AIRFLOW__DATABASE__SQL_ALCHEMY_CONN`` in the environment is honoured. It never
edits a user's own ``~/airflow``. :class:`AirflowStandalone` runs ``airflow standalone``
(scheduler, dag-processor, api-server, triggerer) in its own process group, waits until
every component is healthy, and logs in over REST with the simple auth manager.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gridedge.devstack import ports
from gridedge.devstack.errors import ServiceStartError
from gridedge.devstack.paths import REPO_ROOT
from gridedge.devstack.process import ManagedProcess, run_checked


@dataclass
class AirflowHome:
    home: Path
    dags_folder: Path = REPO_ROOT / "dags"
    plugins_folder: Path = REPO_ROOT / "plugins"
    parallelism: int = 4
    extra_env: dict[str, str] = field(default_factory=dict)
    migrate_seconds: float = 0.0

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        pythonpath = [str(REPO_ROOT), str(REPO_ROOT / "plugins"), str(REPO_ROOT / "algorithm_images")]
        if env.get("PYTHONPATH"):
            pythonpath.append(env["PYTHONPATH"])
        env.update(
            {
                "AIRFLOW_HOME": str(self.home),
                "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags_folder),
                "AIRFLOW__CORE__PLUGINS_FOLDER": str(self.plugins_folder),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__PARALLELISM": str(self.parallelism),
                "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
                "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(self.home / "logs"),
                "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
                "PYTHONPATH": os.pathsep.join(pythonpath),
                **self.extra_env,
            }
        )
        return env

    def airflow_bin(self) -> str:
        candidate = Path(sys.executable).with_name("airflow")
        found = str(candidate) if candidate.exists() else shutil.which("airflow")
        if not found:
            raise ServiceStartError("the 'airflow' command is not installed in this Python environment; run make test")
        return found

    def migrate(self) -> AirflowHome:
        self.home.mkdir(parents=True, exist_ok=True)
        start = time.monotonic()
        run_checked([self.airflow_bin(), "db", "migrate"], "airflow db migrate", env=self.env(), timeout=300)
        self.migrate_seconds = time.monotonic() - start
        return self

    def apply_to_process(self) -> None:
        """Point this interpreter's Airflow at the home (before ``import airflow``)."""
        env = self.env()
        for key, value in env.items():
            if key.startswith("AIRFLOW") or key == "PYTHONPATH":
                os.environ[key] = value


PASSWORDS_FILE = "simple_auth_manager_passwords.json.generated"
COMPONENTS = ("metadatabase", "scheduler", "triggerer", "dag_processor")


@dataclass
class AirflowStandalone:
    home: AirflowHome
    log_dir: Path
    port: int = 0
    extra_env: dict[str, str] = field(default_factory=dict)
    _proc: ManagedProcess | None = field(default=None, repr=False)
    _token: str = field(default="", repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return {
            **self.home.env(),
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.url}/execution/",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            **self.extra_env,
        }

    def start(self, timeout: float = 180) -> AirflowStandalone:
        self.port = self.port or ports.free_port()
        self.home.home.mkdir(parents=True, exist_ok=True)
        argv = [self.home.airflow_bin(), "standalone"]
        self._proc = ManagedProcess("airflow-standalone", argv, self.log_dir / "airflow-standalone.log", env=self.env())
        self._proc.start()
        self._proc.wait_healthy(self._healthy, timeout, "airflow standalone: every component healthy")
        self._proc.wait_healthy(lambda: bool(self.login()), 60, "airflow standalone: REST login")
        return self

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.stop(grace=20)
            self._proc = None

    # ---- REST -------------------------------------------------------------------------
    def _healthy(self) -> bool:
        with urllib.request.urlopen(f"{self.url}/api/v2/monitor/health", timeout=3) as resp:
            health = json.loads(resp.read())
        return all((health.get(c) or {}).get("status") == "healthy" for c in COMPONENTS)

    def password(self, user: str = "admin") -> str:
        path = self.home.home / PASSWORDS_FILE
        if not path.exists():
            raise ServiceStartError(f"no {PASSWORDS_FILE} in {self.home.home}: is the simple auth manager in use?")
        return str(json.loads(path.read_text())[user])

    def login(self, user: str = "admin") -> str:
        body = json.dumps({"username": user, "password": self.password(user)}).encode()
        req = urllib.request.Request(
            f"{self.url}/auth/token", data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            self._token = str(json.loads(resp.read())["access_token"])
        return self._token

    def api(self, method: str, path: str, body: Any = None) -> Any:
        """One call to ``/api/v2``; raises ServiceStartError with the server's answer on HTTP errors."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.url}/api/v2{path}",
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self._token or self.login()}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as e:
            raise ServiceStartError(
                f"{method} /api/v2{path}: HTTP {e.code}: {e.read().decode(errors='replace')}"
            ) from e

    def wait_for_dag(self, dag_id: str, timeout: float = 90) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            try:
                dag: dict[str, Any] = self.api("GET", f"/dags/{dag_id}")
                return dag
            except ServiceStartError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)

    def trigger(self, dag_id: str, conf: dict[str, Any] | None = None) -> str:
        run = self.api("POST", f"/dags/{dag_id}/dagRuns", {"logical_date": None, "conf": conf or {}})
        return str(run["dag_run_id"])

    def run_state(self, dag_id: str, run_id: str) -> str:
        return str(self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}")["state"])

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        answer = self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances")
        found: list[dict[str, Any]] = answer["task_instances"]
        return found

    def wait_run(self, dag_id: str, run_id: str, timeout: float = 180) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.run_state(dag_id, run_id)
            if state in ("success", "failed"):
                return state
            time.sleep(1)
        raise ServiceStartError(
            f"DAG run {dag_id}/{run_id} not finished after {timeout:.0f}s: {self.run_state(dag_id, run_id)}"
        )
