"""The README's main job end to end: ``python -m gridedge.demo`` on its embedded default.

Runs the real command in a temporary demo folder: SimBench data for two sites, Kafka, two
local edge sites, ``airflow standalone``; the forecast and statistics workflows triggered over
REST. Checks the summary it prints, that the UI it leaves running answers (with the
monitoring page showing the run), that a second run is idempotent, and that ``stop`` leaves
nothing behind.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    env = {**os.environ, "GRIDEDGE_DEMO_DIR": str(tmp_path_factory.mktemp("demo"))}
    try:
        yield env
    finally:
        subprocess.run([sys.executable, "-m", "gridedge.demo", "stop"], env=env, timeout=120, check=False)


def _run(env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "gridedge.demo", "run", "--timeout", "600"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return done.stdout


def _pgids(env: dict[str, str]) -> list[int]:
    state = json.loads((Path(env["GRIDEDGE_DEMO_DIR"]) / "state.json").read_text())
    return [int(p) for p in state["pgids"]]


def _alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_demo_runs_end_to_end_prints_the_summary_and_leaves_the_ui_up(demo_env: dict[str, str]) -> None:
    out = _run(demo_env)
    assert "GridEdge demo summary" in out
    rows = {line.split()[0]: line for line in out.splitlines() if re.match(r"^(north|south)\s+\d", line)}
    assert set(rows) == {"north", "south"}, out
    for site, row in rows.items():
        rmse, base = (float(v) for v in re.findall(r"(\d+\.\d+) MW", row)[:2])
        assert rmse < base, f"{site}: the forecast must beat seasonal naive: {row}"
        assert re.search(r"\s(\d+)x$", row), f"{site}: no byte ratio in {row}"
    assert re.search(r"^(north|south)\s.*\s[1-9]\d*\s+\d", out, re.M), "no early warning raised"
    found = re.search(r"Airflow UI: (http://127\.0\.0\.1:\d+)  \(login admin / (\S+)\)", out)
    assert found, out
    url, password = found.groups()
    with urllib.request.urlopen(f"{url}/api/v2/monitor/health", timeout=10) as resp:
        assert json.loads(resp.read())["metadatabase"]["status"] == "healthy"
    assert "make demo-stop" in out
    # The printed login works, and the monitoring page shows this run's results.
    login = urllib.request.Request(
        f"{url}/auth/token",
        data=json.dumps({"username": "admin", "password": password}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(login, timeout=30) as resp:
        token = json.loads(resp.read())["access_token"]
    page = urllib.request.Request(f"{url}/gridedge/", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(page, timeout=60) as resp:
        html = resp.read().decode()
    for expected in ("north", "south", "daily_load_forecast", "Succeeded", "<svg", "TRANSFORMER_OVERLOAD"):
        assert expected in html, f"monitoring page lacks {expected!r}"


def test_second_run_replaces_the_first_stack(demo_env: dict[str, str]) -> None:
    before = _pgids(demo_env)
    _run(demo_env)
    after = _pgids(demo_env)
    assert not any(_alive(p) for p in before), "the first run's services were not stopped"
    assert all(_alive(p) for p in after)


def test_stop_leaves_nothing_running(demo_env: dict[str, str]) -> None:
    pgids = _pgids(demo_env)
    done = subprocess.run(
        [sys.executable, "-m", "gridedge.demo", "stop"],
        env=demo_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0 and "stopped the demo stack" in done.stdout
    assert not any(_alive(p) for p in pgids)
    assert not (Path(demo_env["GRIDEDGE_DEMO_DIR"]) / "state.json").exists()
