"""The FastAPI app the Airflow api-server mounts at ``/gridedge``: the monitoring page.

Built by :mod:`.monitoring_plugin`. Airflow does not authenticate plugin apps (a mounted
Starlette app inherits none of the core API's dependencies), so every route here depends on
Airflow's own ``requires_access_view(AccessView.PLUGINS)``: the caller needs a valid Airflow
JWT (the UI's ``_token`` cookie or an ``Authorization: Bearer`` header) and the auth
manager must allow the plugins view. Routes only read; there is no form and no POST.
"""

from __future__ import annotations

from airflow.api_fastapi.auth.managers.models.resource_details import AccessView
from airflow.api_fastapi.core_api.security import requires_access_view
from fastapi import Depends, FastAPI
from fastapi.responses import HTMLResponse

from edge_operators.monitoring.page_data import collect
from edge_operators.monitoring.page_render import render

URL_PREFIX = "/gridedge"
SECURITY_HEADERS = {
    # The page needs no script at all; forbid it, and allow framing only by Airflow's own UI.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def create_app() -> FastAPI:
    app = FastAPI(
        title="GridEdge monitoring",
        description="Edge clusters, EdgeTasks, results, early warnings and byte accounting",
        dependencies=[Depends(requires_access_view(AccessView.PLUGINS))],
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )

    @app.get("/", response_class=HTMLResponse)
    def monitoring_page() -> HTMLResponse:
        # Sync on purpose: Starlette runs it in its thread pool, so blocking cluster and
        # database reads do not stall the api-server's event loop.
        return HTMLResponse(render(collect()), headers=SECURITY_HEADERS)

    return app
