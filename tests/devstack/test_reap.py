"""The last line of defence: scripts/reap.sh stops whatever carries the run's marker."""

from __future__ import annotations

import os
import subprocess
import time

from gridedge.devstack.paths import SCRIPTS_DIR


def test_reap_stops_marked_processes_only() -> None:
    marker = f"pytest-{os.getpid()}-{time.monotonic_ns()}"
    marked = subprocess.Popen(["sleep", "300"], env={**os.environ, "GRIDEDGE_RUN_MARKER": marker})
    unmarked = subprocess.Popen(["sleep", "300"], env={**os.environ, "GRIDEDGE_RUN_MARKER": "other"})
    try:
        done = subprocess.run(
            ["bash", str(SCRIPTS_DIR / "reap.sh"), marker], capture_output=True, text=True, timeout=30, check=False
        )
        assert done.returncode == 0
        assert marked.wait(timeout=10) != 0
        assert unmarked.poll() is None
        assert str(marked.pid) in done.stderr
    finally:
        unmarked.kill()
        marked.kill()
