"""Airflow plugin registration of the GridEdge monitoring page (FastAPI app + nav entry).

Loaded by Airflow's plugin manager from the plugins folder (every component loads
plugins; only the api-server mounts ``fastapi_apps``). The external view puts "GridEdge"
in the UI's navigation; with ``url_route`` the UI shows the page inside its own frame at
``/plugin/gridedge``. Import cost is building one FastAPI app; no cluster or database
access happens at import time.
"""

from __future__ import annotations

from typing import Any

from airflow.plugins_manager import AirflowPlugin

from edge_operators.monitoring.page_app import URL_PREFIX, create_app


class GridEdgeMonitoringPlugin(AirflowPlugin):
    name = "gridedge_monitoring"
    fastapi_apps: list[Any] = [  # noqa: RUF012  (Airflow reads plain lists)
        {"app": create_app(), "url_prefix": URL_PREFIX, "name": "GridEdge monitoring"}
    ]
    external_views: list[Any] = [  # noqa: RUF012
        {
            "name": "GridEdge",
            "href": URL_PREFIX.lstrip("/") + "/",  # relative, so a base_url prefix keeps working
            "destination": "nav",
            "url_route": "gridedge",
        }
    ]
