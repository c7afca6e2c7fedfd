"""The page's pure parts: node usage arithmetic, EdgeTask rows, message parsing, escaping.

No services: these take the dictionaries the apiserver and Airflow's XCom table hold.
"""

from __future__ import annotations

from typing import Any

from edge_operators.monitoring import airflow_view
from edge_operators.monitoring.cluster_view import node_usage, pod_requests, task_row
from edge_operators.monitoring.page_data import byte_accounts
from edge_operators.monitoring.page_render import render
from edge_operators.monitoring.svg_chart import forecast_chart
from edge_operators.monitoring.view_models import Catalogue, ClusterView, ForecastSeries, PageData
from gridedge.contract import messages

TASK = messages.TaskIdentity("gridedge", "forecast-abc", "uid-1")
AIRFLOW = messages.AirflowIdentity("daily_load_forecast", "manual__1", "train_forecast", 1)


def _pod(node: str, *containers: dict[str, str], init: dict[str, str] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "nodeName": node,
        "containers": [{"resources": {"requests": c}} for c in containers],
    }
    if init:
        spec["initContainers"] = [{"resources": {"requests": init}}]
    return {"spec": spec}


def test_requests_sum_containers_and_take_the_larger_init_container() -> None:
    cpu, mem = pod_requests(_pod("n", {"cpu": "250m", "memory": "128Mi"}, {"cpu": "0.5"}, init={"cpu": "2"}))
    assert (float(cpu), int(mem)) == (2.0, 128 * 2**20)


def test_node_usage_counts_only_the_pods_bound_to_that_node() -> None:
    node = {
        "metadata": {"name": "n1", "labels": {"gridedge.io/site": "north"}},
        "status": {
            "allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"},
            "conditions": [{"type": "Ready", "status": "True"}],
        },
    }
    pods = [_pod("n1", {"cpu": "500m", "memory": "1Gi"}), _pod("n2", {"cpu": "3"}), _pod("n1", {"cpu": "100m"})]
    usage = node_usage(node, pods)
    assert (usage.ready, usage.cpu_allocatable_m, usage.cpu_requested_m, usage.pods) == (True, 4000, 600, 2)
    assert (usage.memory_allocatable, usage.memory_requested) == (8 * 2**30, 2**30)


def test_task_row_says_why_when_there_is_no_status_yet() -> None:
    row = task_row("north", {"metadata": {"name": "t", "namespace": "g"}, "spec": {"worldSize": 3}})
    assert (row.phase, row.world_size) == ("Unknown", 3)
    assert "has not seen this task" in row.message


def _result(**payload: Any) -> dict[str, Any]:
    return messages.build_message(
        kind=messages.Kind.RESULT,
        task=TASK,
        airflow=AIRFLOW,
        rank=0,
        world_size=2,
        algorithm="xgboost_train",
        sequence=3,
        payload=payload,
        bytes_read=10_000,
        bytes_sent=500,
    )


def _xcom(key: str, value: Any, map_index: int = 0) -> airflow_view.XComRecord:
    return airflow_view.XComRecord("daily_load_forecast", "manual__1", "train_forecast", map_index, key, value, "")


def test_results_take_the_site_from_the_edge_task_xcom_and_parse_the_forecast() -> None:
    forecast = {"time": ["a", "b"], "actual": [1, 2], "predicted": [1.5, 2.5], "unit": "MW"}
    rows = airflow_view.results(
        [
            _xcom("return_value", _result(metrics={"rmse": 0.5, "label": "x"}, forecast=forecast)),
            _xcom("edge_task", {"cluster": "edge_north", "name": "forecast-abc"}),
            _xcom("return_value", {"not": "a message"}, map_index=1),
        ],
        {"edge_north": "north"},
    )
    assert len(rows) == 1
    row = rows[0]
    assert (row.site, row.edge_task, row.metrics, row.bytes_read) == (
        "north",
        "gridedge/forecast-abc",
        {"rmse": 0.5},
        10_000,
    )
    assert row.forecast == ForecastSeries(("a", "b"), (1.0, 2.0), (1.5, 2.5), (), "MW")


def test_a_forecast_whose_series_disagree_in_length_is_not_charted() -> None:
    bad = {"time": ["a", "b"], "actual": [1], "predicted": [1, 2]}
    rows = airflow_view.results([_xcom("return_value", _result(forecast=bad))], {})
    assert rows[0].forecast is None and rows[0].site == ""
    message = _result(forecast={"time": ["a"], "actual": [1.0], "predicted": [1.0]})
    message["payload"]["forecast"]["predicted"] = [float("nan")]  # as an XCom may hold it; Kafka JSON cannot
    assert airflow_view.results([_xcom("return_value", message)], {})[0].forecast is None


def test_warnings_are_read_from_asset_events_and_xcoms_once_each() -> None:
    info = messages.WarningInfo("T1", "transformer", messages.Severity.CRITICAL, "OVERLOAD", 1.3, 1.0, "p.u.")
    full = messages.build_message(
        kind=messages.Kind.WARNING,
        task=TASK,
        airflow=AIRFLOW,
        rank=0,
        world_size=1,
        algorithm="statistics",
        sequence=0,
        payload={"site": "south"},
        bytes_read=1,
        bytes_sent=1,
        warning=info,
    )
    compact = {k: full[k] for k in ("message_id", "time", "task", "airflow", "warning")} | {"site": "south"}
    other = {**compact, "message_id": "m2", "warning": {**compact["warning"], "asset_id": "T2"}}
    rows = airflow_view.warnings_from(
        [airflow_view.EventRecord("gridedge_warnings", {"from_trigger": True, "payload": compact}, "", "")],
        [_xcom("return_value", [full, other]), _xcom("return_value", {"warning": "not one"})],
    )
    assert sorted((w.asset_id, w.site, w.severity) for w in rows) == [
        ("T1", "south", "critical"),
        ("T2", "south", "critical"),
    ]
    assert next(w for w in rows if w.asset_id == "T1").source == "asset gridedge_warnings"


def test_bytes_are_summed_per_site() -> None:
    rows = airflow_view.results(
        [_xcom("return_value", _result()), _xcom("edge_task", {"cluster": "edge_north"})], {"edge_north": "north"}
    )
    (account,) = byte_accounts(rows * 2)
    assert (account.site, account.results, account.bytes_read, account.bytes_sent) == ("north", 2, 20_000, 1000)
    assert account.kept_ratio == 20.0


def test_everything_from_a_cluster_is_escaped() -> None:
    hostile = "<script>alert(1)</script>"
    data = PageData(
        generated_at="now",
        clusters=(ClusterView(site="north", connection_id="c", namespace="n", description=hostile, error=hostile),),
        catalogue=Catalogue(error=hostile),
        results=(),
        warnings=(),
        bytes=(),
        problems=(hostile,),
    )
    html = render(data)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_chart_has_one_polyline_per_series_and_escapes_labels() -> None:
    svg = forecast_chart(ForecastSeries(("<t0>", "t1", "t2"), (1, 2, 3), (1, 2, 2), (0, 1, 2), "MW"), "a&b")
    assert svg.count("<polyline") == 3 and 'data-points="3"' in svg
    assert "&lt;t0&gt;" in svg and "a&amp;b" in svg
