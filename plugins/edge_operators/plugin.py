"""Airflow plugin registration: GridEdge's operator extra link (and its hooks, for the UI).

Loaded by Airflow's plugin manager from the plugins folder. Edge clusters use the
cncf.kubernetes provider's ``kubernetes`` connection type (one connection per site), so the
connection form is the provider's; this plugin adds the link from a task instance to its
EdgeTask. It must stay import-cheap: no cluster or Kafka access at import time.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from edge_operators.links import EdgeTaskLink


class GridEdgePlugin(AirflowPlugin):
    name = "gridedge"
    operator_extra_links = [EdgeTaskLink()]  # noqa: RUF012  (Airflow reads a plain list)
