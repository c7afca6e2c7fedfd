"""Point this test process's Airflow at a throw-away home before anything imports Airflow.

Imported first by the conftest files of tests/edge_operators and tests/dags (collection
imports test modules, and they import Airflow). The metadata DB is migrated lazily by the
``airflow_db`` fixture, only for tests that need it (dag.test()).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from gridedge.devstack.airflow import AirflowHome

HOME = AirflowHome(Path(tempfile.mkdtemp(prefix="gridedge-airflow-")))
HOME.apply_to_process()
