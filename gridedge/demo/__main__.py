"""``python -m gridedge.demo [run|stop]`` — the README's ``make demo`` and ``make demo-stop``.

``run`` (the default) starts the stack, triggers the forecast and statistics workflows
over REST, follows them, prints the summary and leaves the Airflow UI running.
"""

from __future__ import annotations

import argparse
import sys
import time

from gridedge.demo import follow, stack, summary
from gridedge.devstack.errors import DevStackError
from gridedge.registry import load_settings

FORECAST = ("daily_load_forecast", "train_forecast_results")
STATISTICS = ("quarter_hour_statistics", "load_statistics_results")
WARNINGS_DAG = "gridedge_warnings"


def run(timeout: float) -> int:
    root = stack.demo_dir()
    root.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    s = stack.start(root)
    server = s.server
    token = server.token()
    # The warnings DAG runs on asset events from Kafka; a paused DAG would only record them.
    server.wait_dag(WARNINGS_DAG, token, timeout=180)
    server.api("PATCH", f"/dags/{WARNINGS_DAG}", token, {"is_paused": False})
    runs = [follow.trigger(server, token, dag) for dag, _ in (FORECAST, STATISTICS)]
    follow.follow(server, runs, timeout)
    failed = [r.dag_id for r in runs if r.state != "success"]
    if failed:
        print(f"demo: workflow(s) {', '.join(failed)} failed; task logs in the UI at {s.airflow_url}", file=sys.stderr)
        return 1
    forecast = follow.xcom(server, token, runs[0], FORECAST[1]) or {}
    statistics = follow.xcom(server, token, runs[1], STATISTICS[1]) or {}
    # Warnings reach the centre event-driven (one gridedge_warnings run per Kafka event):
    # show the first ones recorded, without waiting for the whole backlog.
    expected = min(summary.warnings_raised(statistics), 1)
    log = s.home / load_settings().airflow.warnings_log
    deadline = time.monotonic() + 60
    # The log also holds warnings of scheduled runs: count only this run's tasks'.
    warnings = summary.warnings_of(statistics, summary.read_warnings(log))
    while len(warnings) < expected and time.monotonic() < deadline:
        time.sleep(2)
        warnings = summary.warnings_of(statistics, summary.read_warnings(log))
    print(summary.render(summary.summarise(forecast, statistics, warnings)))
    print(f"\nfinished in {time.monotonic() - started:.0f}s")
    print(f"Airflow UI: {s.airflow_url}  (login admin / {s.password}); monitoring page: {s.airflow_url}/gridedge/")
    print("the stack keeps running; stop it with: make demo-stop")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gridedge.demo")
    parser.add_argument("command", nargs="?", choices=["run", "stop"], default="run")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for the workflows")
    args = parser.parse_args(argv)
    try:
        if args.command == "stop":
            stack.stop()
            return 0
        return run(args.timeout)
    except DevStackError as e:
        print(f"demo failed: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
