"""An Airflow 3 home for tests and the demo: environment, migrated metadata DB, standalone.

Called by the test fixtures and the demo. SQLite by default (the embedded default);
``AIRFLOW__DATABASE__SQL_ALCHEMY_CONN`` in the environment is honoured. It never
edits a user's own ``~/airflow``.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from gridedge.devstack.errors import ServiceStartError
from gridedge.devstack.paths import REPO_ROOT
from gridedge.devstack.process import run_checked


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
