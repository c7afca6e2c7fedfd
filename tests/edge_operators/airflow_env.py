"""Point this test process's Airflow at a throw-away home before anything imports Airflow.

Imported first by the conftest files of tests/edge_operators and tests/dags (collection
imports test modules, and they import Airflow). Two DAG bundles: the checkout's ``dags/``
and a temporary folder where tests write small DAG files (``dag.test()`` in Airflow 3.3
runs only DAGs it can find in a bundle). The metadata DB is migrated lazily by the
``airflow_db`` fixture, only for tests that need it.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from gridedge.devstack.airflow import AirflowHome
from gridedge.devstack.paths import REPO_ROOT

_ROOT = Path(tempfile.mkdtemp(prefix="gridedge-airflow-"))
TEST_DAGS = _ROOT / "test-dags"
TEST_DAGS.mkdir()
BUNDLES = [
    {
        "name": "dags-folder",
        "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
        "kwargs": {"path": str(REPO_ROOT / "dags")},
    },
    {
        "name": "gridedge-tests",
        "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
        "kwargs": {"path": str(TEST_DAGS)},
    },
]
HOME = AirflowHome(
    _ROOT / "home",
    extra_env={"AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST": json.dumps(BUNDLES)},
)
HOME.apply_to_process()


def write_test_dag(dag_id: str, builder: str, **kwargs: object) -> Path:
    """A DAG file in the test bundle that builds ``dag_id`` with ``module:function(**kwargs)``."""
    module, _, function = builder.partition(":")
    args = ", ".join(f"{k}={v!r}" for k, v in sorted(kwargs.items()))
    path = TEST_DAGS / f"{dag_id}.py"
    path.write_text(
        "# airflow DAG file written by the tests\n"
        f"from {module} import {function}\n\ndag = {function}({dag_id!r}, {args})\n"
    )
    return path
