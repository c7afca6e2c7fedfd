"""The test Airflow home has a migrated metadata database in a temporary folder."""

from __future__ import annotations

import subprocess
from pathlib import Path

from gridedge.devstack.airflow import AirflowHome


def test_metadata_db_is_migrated_and_reachable(airflow_home: AirflowHome) -> None:
    assert Path(airflow_home.home, "airflow.db").exists()
    assert not str(airflow_home.home).startswith(str(Path.home() / "airflow"))
    done = subprocess.run(
        [airflow_home.airflow_bin(), "db", "check"],
        env=airflow_home.env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
