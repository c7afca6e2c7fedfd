"""Hand-written example a DAG author can copy: two EdgeTaskOperators on chosen sites.

Parsed by Airflow's DAG processor; unscheduled (trigger it from the UI or REST). It shows
what the factory does for YAML workflows, written out: a registered application and site
from ``config/``, templated arguments, a per-site task, and the result XComs used
downstream. No cluster or broker access at parse time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from airflow.sdk import DAG, task

from edge_operators.factory import application_kwargs, site_kwargs
from edge_operators.operators.edge_task import EdgeTaskOperator
from gridedge.registry import load_registry, load_workflows

registry = load_registry()
# Borrow the defaults (timeouts, Kafka settings) of a shipped workflow.
workflow = next(f.workflow for f in load_workflows(registry) if f.workflow and f.workflow.name == "daily_load_forecast")

with DAG(
    dag_id="example_edge_task",
    description="Statistics at the north site, then a forecast at the south site, by hand",
    schedule=None,
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    tags=["gridedge", "example"],
    params={"window": "15min"},
) as dag:
    stats = EdgeTaskOperator(
        task_id="north_statistics",
        **{
            **application_kwargs(registry.template("load-statistics"), registry, workflow),
            # templated fields: rendered per run
            "arguments": ["--day", "{{ ds }}", "--window", "{{ params.window }}"],
        },
        **site_kwargs(registry.site("north")),
    )
    forecast = EdgeTaskOperator(
        task_id="south_forecast",
        **application_kwargs(registry.template("substation-load-forecast"), registry, workflow),
        **site_kwargs(registry.site("south")),
    )

    @task
    def report(statistics: dict[str, Any], model: dict[str, Any]) -> dict[str, Any]:
        return {"statistics": statistics["payload"], "forecast": model["payload"]}

    report(stats.output, forecast.output)  # type: ignore[arg-type]  # XComArgs resolve to the results
