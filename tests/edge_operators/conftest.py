"""Fixtures for the Airflow-side tests: see :mod:`tests.edge_operators.fixtures`."""

import tests.edge_operators.airflow_env  # noqa: F401  (first: sets AIRFLOW_HOME before Airflow loads)
from tests.edge_operators.fixtures import airflow_db, edge_connections, kafka_connection

__all__ = ["airflow_db", "edge_connections", "kafka_connection"]
