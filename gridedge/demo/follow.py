"""Trigger the demo's workflows over Airflow's REST API and show their progress.

Called by :mod:`gridedge.demo.__main__` with a started :class:`AirflowStandalone`. Uses only
the public REST API (``/api/v2``), as another system would. Prints one line per state
change of a task instance; never reads results (:mod:`.summary` does).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from gridedge.demo.console import say
from gridedge.devstack.errors import ServiceStartError
from gridedge.devstack.standalone import AirflowStandalone

FINAL = {"success", "failed"}


@dataclass
class Run:
    dag_id: str
    run_id: str
    state: str = "queued"
    tasks: dict[str, str] = field(default_factory=dict)


def trigger(server: AirflowStandalone, token: str, dag_id: str) -> Run:
    server.wait_dag(dag_id, token, timeout=180)
    server.api("PATCH", f"/dags/{dag_id}", token, {"is_paused": False})
    run = server.api("POST", f"/dags/{dag_id}/dagRuns", token, {"logical_date": None, "conf": {}})
    say(f"triggered {dag_id} over REST: run {run['dag_run_id']}")
    return Run(dag_id, str(run["dag_run_id"]))


def _task_states(server: AirflowStandalone, token: str, run: Run) -> dict[str, str]:
    answer: Any = server.api("GET", f"/dags/{run.dag_id}/dagRuns/{run.run_id}/taskInstances", token)
    states: dict[str, str] = {}
    for ti in answer.get("task_instances", []):
        key = ti["task_id"] if ti.get("map_index", -1) < 0 else f"{ti['task_id']}[{ti['map_index']}]"
        states[key] = str(ti.get("state") or "none")
    return states


def follow(server: AirflowStandalone, runs: list[Run], timeout: float) -> None:
    """Poll until every run is final; raise if the time runs out."""
    token = server.token()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for run in runs:
            if run.state in FINAL:
                continue
            for key, state in sorted(_task_states(server, token, run).items()):
                if run.tasks.get(key) != state:
                    run.tasks[key] = state
                    say(f"  {run.dag_id}.{key}: {state}")
            run.state = str(server.api("GET", f"/dags/{run.dag_id}/dagRuns/{run.run_id}", token)["state"])
            if run.state in FINAL:
                say(f"{run.dag_id}: {run.state}")
        if all(r.state in FINAL for r in runs):
            return
        time.sleep(2)
    pending = ", ".join(f"{r.dag_id} ({r.state})" for r in runs if r.state not in FINAL)
    raise ServiceStartError(f"workflows not finished within {timeout:.0f}s: {pending}; see {server.log_path}")


def xcom(server: AirflowStandalone, token: str, run: Run, task_id: str, map_index: int = -1) -> Any:
    path = f"/dags/{run.dag_id}/dagRuns/{run.run_id}/taskInstances/{task_id}/xcomEntries/return_value"
    if map_index >= 0:
        path += f"?map_index={map_index}"
    return server.api("GET", path, token).get("value")
