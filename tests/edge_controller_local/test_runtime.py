"""The local runtime's run policy on real processes: failures stop the group, retries, deadlines."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import pytest

from edge_controller.local import LocalRuntimeError, run_task

# Rank 1 fails at once; every other rank would run for a minute.
FAIL_RANK_1 = (
    "import os, sys, time\n"
    "if os.environ['GRIDEDGE_RANK'] == '1':\n"
    "    print('ERROR boom: rank 1 cannot go on', file=sys.stderr); sys.exit(3)\n"
    "time.sleep(60)\n"
)
# Exit with the retryable code until a marker exists in the data folder, then succeed.
FLAKY = (
    "import os, pathlib, sys\n"
    "marker = pathlib.Path(os.environ['GRIDEDGE_DATA_PATH']) / ('tried-' + os.environ['GRIDEDGE_RANK'])\n"
    "if not marker.exists():\n"
    "    marker.write_text('1'); sys.exit(75)\n"
)


def generic(name: str, code: str, world: int = 3, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "gridedge.io/v1alpha1",
        "kind": "EdgeTask",
        "metadata": {"name": name, "namespace": "grid"},
        "spec": {
            "image": "python:3.11-slim",
            "command": ["python", "-c", code],
            "worldSize": world,
            "data": {"claimName": "scratch"},
            **spec,
        },
    }


def test_a_failed_rank_stops_the_others_within_the_grace_and_is_named(tmp_path: Path) -> None:
    start = time.monotonic()
    status = run_task(generic("fail", FAIL_RANK_1), tmp_path, {"scratch": tmp_path}, peer_grace=1.0, timeout=60)
    elapsed = time.monotonic() - start
    assert status.phase == "Failed" and status.reason == "RankFailed"
    assert elapsed < 15, f"took {elapsed:.1f}s"
    codes = status.exit_codes
    assert codes[1] == 3 and codes[0] is not None and codes[0] < 0 and codes[2] is not None and codes[2] < 0
    assert "rank 1 (fail-worker-1) exited with 3: ERROR boom: rank 1 cannot go on" in status.message
    assert [r.reason for r in status.ranks] == ["StoppedAfterPeerFailure", "Error", "StoppedAfterPeerFailure"]
    assert status.to_dict()["counts"] == {"total": 3, "succeeded": 0, "failed": 3}


def test_retryable_exit_restarts_the_whole_group_up_to_the_backoff_limit(tmp_path: Path) -> None:
    status = run_task(generic("flaky", FLAKY, world=2), tmp_path / "w", {"scratch": tmp_path}, timeout=60)
    assert status.phase == "Succeeded" and status.restarts == 1
    assert status.exit_codes == [0, 0]
    never = generic("never", "import sys; sys.exit(75)", world=1, runPolicy={"backoffLimit": 2})
    status = run_task(never, tmp_path / "n", {"scratch": tmp_path}, timeout=60)
    assert (status.phase, status.reason, status.restarts) == ("Failed", "BackoffLimitExceeded", 2)


def test_permanent_exit_is_not_retried(tmp_path: Path) -> None:
    status = run_task(generic("perm", "import sys; sys.exit(65)", world=1), tmp_path, {"scratch": tmp_path})
    assert (status.phase, status.reason, status.restarts, status.exit_codes) == ("Failed", "RankFailed", 0, [65])


def test_active_deadline_stops_a_task_that_runs_too_long(tmp_path: Path) -> None:
    task = generic("slow", "import time; time.sleep(60)", world=2, runPolicy={"activeDeadlineSeconds": 2})
    start = time.monotonic()
    status = run_task(task, tmp_path, {"scratch": tmp_path})
    assert time.monotonic() - start < 10
    assert (status.phase, status.reason) == ("Failed", "DeadlineExceeded")
    assert [r.reason for r in status.ranks] == ["DeadlineExceeded", "DeadlineExceeded"]


def test_success_reports_zero_exit_codes_and_the_network(tmp_path: Path) -> None:
    status = run_task(generic("ok", "pass", world=2), tmp_path, {"scratch": tmp_path})
    assert status.phase == "Succeeded" and status.exit_codes == [0, 0]
    workers = status.to_dict()["network"]["workers"]
    assert [w["host"] for w in workers] == ["127.0.0.1", "127.0.0.1"]
    assert len({w["port"] for w in workers} | {status.network["masterPort"]}) == 3


def test_invalid_manifest_and_unmapped_volume_refuse_to_start(tmp_path: Path) -> None:
    with pytest.raises(LocalRuntimeError, match=r"invalid EdgeTask: spec\.worldSize"):
        run_task(generic("bad", "pass", world=0), tmp_path)
    with pytest.raises(LocalRuntimeError, match="EdgeTask grid/ok: no local folder for PersistentVolumeClaim"):
        run_task(generic("ok", "pass"), tmp_path)


def test_the_interpreter_is_this_one(tmp_path: Path) -> None:
    code = "import os, sys; open(os.path.join(os.environ['GRIDEDGE_DATA_PATH'], 'py'), 'w').write(sys.executable)"
    status = run_task(generic("py", code, world=1), tmp_path, {"scratch": tmp_path})
    assert status.phase == "Succeeded"
    assert (tmp_path / "py").read_text() == sys.executable


def test_the_command_line_runs_a_yaml_manifest_and_prints_the_status(tmp_path: Path) -> None:
    import json
    import subprocess

    import yaml

    path = tmp_path / "task.yaml"
    path.write_text(yaml.safe_dump(generic("cli", "import sys; sys.exit(0)", world=2)))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "edge_controller.local",
            str(path),
            "--volume",
            f"scratch={tmp_path}",
            "--workdir",
            str(tmp_path / "w"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["phase"] == "Succeeded"
    bad = subprocess.run(
        [sys.executable, "-m", "edge_controller.local", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2 and "no local folder for PersistentVolumeClaim 'scratch'" in bad.stderr
