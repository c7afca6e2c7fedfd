"""Hand-written example a DAG author can copy: two EdgeTaskOperators on chosen sites.

Parsed by Airflow's DAG processor; unscheduled (trigger it from the UI or REST). It shows
what the factory does for YAML workflows, written out: a registered application on a
registered site from ``config/``, templated arguments, and the result XComs used downstream.
No cluster or broker access at parse time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from airflow.sdk import DAG, task

from edge_operators.factory import registered_task

with DAG(
    dag_id="example_edge_task",
    description="Statistics at the north site, then a forecast at the south site, by hand",
    schedule=None,
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    tags=["gridedge", "example"],
    params={"window": "15min"},
) as dag:
    # A registered application on a registered site; any operator argument can be overridden.
    stats = registered_task(
        "north_statistics",
        "load-statistics",
        "north",
        arguments=["--day", "{{ ds }}", "--window", "{{ params.window }}"],  # templated per run
    )
    forecast = registered_task("south_forecast", "substation-load-forecast", "south")

    @task
    def report(statistics: dict[str, Any], model: dict[str, Any]) -> dict[str, Any]:
        return {"statistics": statistics["payload"], "forecast": model["payload"]}

    report(stats.output, forecast.output)  # type: ignore[arg-type]  # XComArgs resolve to the results
