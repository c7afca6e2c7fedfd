"""The monitoring page in a real Airflow api-server, read by headless Chromium.

Real services only: two control planes with KWOK nodes and the real controller settle
EdgeTasks (Succeeded, Running, Failed with OOMKilled); ``airflow standalone`` runs the probe
DAG over REST, so the result is a real XCom in its metadata DB, and its warning travels over
the real Kafka broker to the checkout's warnings DAG (AssetWatcher); the browser logs in
with an Airflow JWT cookie. The screenshot is kept under .gridedge/artifacts/.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from gridedge.devstack.chromium import Browser, PageCapture
from gridedge.devstack.paths import REPO_ROOT
from gridedge.devstack.standalone import AirflowStandalone
from tests.dags.container import ContainerStandIn
from tests.monitoring.conftest import PROBE_DAG
from tests.monitoring.support import NAMESPACE, EdgeSite, edge_task_ref

ARTIFACTS = REPO_ROOT / ".gridedge" / "artifacts"
PROFILE, DAY, THRESHOLD = "HS3", 0, 0.85


def _status(url: str, headers: dict[str, str] | None = None) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=30) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


WARNINGS_DAG = "gridedge_warnings"
WORKFLOW_DAG = "daily_load_forecast"  # config/workflows/daily_load_forecast.yaml, through the DAG factory


def _wait_for_warnings_run(server: AirflowStandalone, token: str, timeout: float) -> None:
    """The warning went Kafka → AssetWatcher → asset event → a successful warnings DAG run."""
    deadline = time.monotonic() + timeout
    runs: list[dict[str, object]] = []
    while time.monotonic() < deadline:
        runs = server.api("GET", f"/dags/{WARNINGS_DAG}/dagRuns", token)["dag_runs"]
        if any(r["run_type"] == "asset_triggered" and r["state"] == "success" for r in runs):
            return
        time.sleep(1)
    raise AssertionError(f"no successful asset-triggered {WARNINGS_DAG} run within {timeout:.0f}s: {runs}")


EMBEDDED = (
    "(() => { const f = document.querySelector('iframe');"
    " return f && f.contentDocument && f.contentDocument.title === 'GridEdge monitoring'"
    " && f.contentDocument.querySelectorAll('section').length ? f.getAttribute('src') : ''; })()"
)


@pytest.fixture(scope="module")
def page(
    airflow_server: AirflowStandalone, edge_sites: dict[str, EdgeSite], service_log_dir: Path
) -> tuple[PageCapture, str]:
    token = airflow_server.token()
    airflow_server.wait_dag(WARNINGS_DAG, token)
    airflow_server.api("PATCH", f"/dags/{WARNINGS_DAG}", token, {"is_paused": False})
    airflow_server.wait_dag(PROBE_DAG, token)
    conf = {
        "forecast": edge_task_ref(edge_sites["edge-north"], "load-forecast-north"),
        "statistics": edge_task_ref(edge_sites["edge-south"], "load-statistics-south"),
        "profile": PROFILE,
        "day": DAY,
        "threshold": THRESHOLD,
    }
    # The real workflow: EdgeTaskOperator on both sites, the wait in the triggerer; the test
    # plays only the algorithm container (KWOK runs no process), publishing each rank's result.
    airflow_server.wait_dag(WORKFLOW_DAG, token)
    container = ContainerStandIn([s.plane for s in edge_sites.values()], NAMESPACE, seconds=200)
    container.start()
    try:
        assert airflow_server.run_dag(WORKFLOW_DAG, token, timeout=180) == "success"
    finally:
        container.stop()
    assert airflow_server.run_dag(PROBE_DAG, token, conf) == "success"
    _wait_for_warnings_run(airflow_server, token, timeout=120)
    browser = Browser(service_log_dir, width=1400).start()
    try:
        capture = browser.capture(
            f"{airflow_server.url}/gridedge/",
            cookies={"_token": token},
            screenshot=ARTIFACTS / "monitoring-page.png",
        )
        # The same page inside Airflow's own UI, where the nav entry leads (React renders it).
        browser.capture(f"{airflow_server.url}/plugin/gridedge", cookies={"_token": token})
        embedded_src = str(browser.wait_for_js(EMBEDDED, timeout=60))
        browser.screenshot(ARTIFACTS / "monitoring-in-airflow-ui.png")
    finally:
        browser.stop()
    return capture, embedded_src


def test_page_refuses_callers_without_an_airflow_login(airflow_server: AirflowStandalone) -> None:
    assert _status(f"{airflow_server.url}/gridedge/") == 401
    assert _status(f"{airflow_server.url}/gridedge/", {"Authorization": "Bearer not-a-jwt"}) == 403


def test_plugin_is_registered_with_a_nav_entry(airflow_server: AirflowStandalone) -> None:
    plugins = airflow_server.api("GET", "/plugins", airflow_server.token())["plugins"]
    mine = next(p for p in plugins if p["name"] == "gridedge_monitoring")
    assert [a["url_prefix"] for a in mine["fastapi_apps"]] == ["/gridedge"]
    assert mine["external_views"][0]["destination"] == "nav"


def test_nav_entry_shows_the_page_inside_the_airflow_ui(page: tuple[PageCapture, str]) -> None:
    assert page[1].rstrip("/").endswith("gridedge")


def test_page_renders_without_script_errors(page: tuple[PageCapture, str]) -> None:
    capture, _ = page
    assert capture.status == 200
    assert capture.errors == ()
    assert capture.screenshot is not None and capture.screenshot.stat().st_size > 20_000


def test_page_shows_both_sites_with_their_nodes_and_usage(page: tuple[PageCapture, str]) -> None:
    dom = page[0].dom
    assert 'data-site="north"' in dom and 'data-site="south"' in dom
    for node in ("north-node-1", "north-node-2", "south-node-1"):
        assert f'data-node="{node}"' in dom
    assert "unreachable" not in dom
    # The running 750m task's request shows on the node it was scheduled to.
    assert re.search(r"750m / \d+m", dom), "the live task's CPU request is not counted on any node"


def test_page_shows_each_edge_task_phase_and_why(page: tuple[PageCapture, str]) -> None:
    dom = page[0].dom
    assert re.search(r'data-task="load-forecast-north" data-phase="Succeeded"', dom)
    assert re.search(r'data-task="live-statistics-north" data-phase="Running"', dom)
    assert re.search(r'data-task="load-statistics-south" data-phase="Failed"', dom)
    assert "exited 137 (OOMKilled)" in dom


def test_page_shows_the_registry(page: tuple[PageCapture, str]) -> None:
    dom = page[0].dom
    for entry in ("xgboost-train", "grid-statistics", "substation-load-forecast", "daily_load_forecast"):
        assert f'data-entry="{entry}"' in dom


def test_page_charts_the_forecast_and_lists_the_warning_and_bytes(page: tuple[PageCapture, str]) -> None:
    dom = page[0].dom
    assert f'data-dag="{PROBE_DAG}"' in dom
    assert f'data-result="{NAMESPACE}/load-forecast-north" data-site="north"' in dom
    chart = re.search(r'<svg class="forecast-chart"[^>]*data-points="(\d+)"', dom)
    assert chart and chart.group(1) == "96"
    assert dom.count('class="series series-') == 3  # actual, predicted, baseline
    assert re.search(r'data-asset="HS3-transformer" data-severity="(warning|critical)"', dom)
    assert "TRANSFORMER_OVERLOAD" in dom
    assert "asset gridedge_warnings" in dom  # recorded by the warnings DAG's asset event, not by the probe
    bytes_row = re.search(r'<tr data-site="north"><td>north</td><td>(\d+)</td><td>([\d.]+) MiB</td>', dom)
    assert bytes_row and int(bytes_row.group(1)) == 2 and float(bytes_row.group(2)) > 1.0


def test_page_shows_the_real_workflow_run_at_both_sites(page: tuple[PageCapture, str]) -> None:
    dom = page[0].dom
    assert f'data-dag="{WORKFLOW_DAG}"' in dom
    results = re.findall(rf'data-result="{NAMESPACE}/daily-load-forecast[^"]*" data-site="(\w+)"', dom)
    assert sorted(results) == ["north", "south"]  # one result per mapped site, placed by the operator's XCom
    tasks = re.findall(r'data-site="(\w+)" data-task="daily-load-forecast[^"]*" data-phase="(\w+)"', dom)
    assert sorted(tasks) == [("north", "Succeeded"), ("south", "Succeeded")]
    assert dom.count(f"<td>{WORKFLOW_DAG}<br>") == 2  # the EdgeTasks name the Airflow DAG that made them
