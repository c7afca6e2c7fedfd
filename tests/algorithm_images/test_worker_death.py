"""A worker killed mid-training: the surviving ranks fail by themselves, in bounded time.

The supervisor's own grace is set far above the bound, so what is measured is that the
ranks notice the dead peer instead of hanging — through the library (XGBoost's collective,
LightGBM's reset socket) or, where LightGBM spins on a closed socket, through the SDK's
stall watchdog — and end with a retryable one-line PeerLost error.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from edge_controller.local import TaskStatus, run_task
from tests.algorithm_images.helpers import forecast_params, manifest, topics

BOUND_S = 45.0  # survivors must fail by themselves within this time after the kill


def find_rank(task_name: str, rank: int, timeout: float = 60.0) -> int:
    """The pid of a running rank, found by its injected env (as `ps e` would)."""
    deadline = time.monotonic() + timeout
    wanted = {f"GRIDEDGE_TASK_NAME={task_name}".encode(), f"GRIDEDGE_RANK={rank}".encode()}
    while time.monotonic() < deadline:
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                env = set((proc / "environ").read_bytes().split(b"\0"))
            except OSError:
                continue
            if wanted <= env:
                return int(proc.name)
        time.sleep(0.2)
    raise AssertionError(f"rank {rank} of {task_name} never started")


def wait_for_log(path_glob: str, root: Path, text: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for log in root.glob(path_glob):
            if text in log.read_text(errors="replace"):
                return
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared in {root}/{path_glob}")


@pytest.mark.parametrize(
    ("algorithm", "extra"),
    [
        ("xgboost_train", {"collective_timeout_s": 30, "stall_timeout_s": 8}),
        ("lightgbm_train", {"network_timeout_min": 1, "stall_timeout_s": 8}),
    ],
)
def test_killed_worker_makes_the_survivors_fail_with_a_clear_message(
    kafka_broker, simbench_sites, tmp_path, algorithm: str, extra: dict[str, Any]
) -> None:
    names = topics(f"death-{algorithm}")
    kafka_broker.create_topics(list(names.values()))
    name = f"death-{algorithm.split('_')[0]}"
    params = forecast_params(num_boost_round=100_000, progress_interval_s=30, **extra)
    task = manifest(
        name, algorithm, 3, params, "site-00/features", kafka_broker.bootstrap, names, runPolicy={"backoffLimit": 0}
    )  # a restart would train again: stop at the first failure
    holder: dict[str, TaskStatus] = {}
    runner = threading.Thread(
        target=lambda: holder.setdefault(
            "status",
            run_task(
                task,
                tmp_path / "run",
                {"site-data": simbench_sites, "models": tmp_path / "models"},
                peer_grace=120.0,
                timeout=240,
            ),
        ),
    )
    runner.start()
    victim = find_rank(name, 1)
    # The first boosting round is done, so the rank is inside the library's collective.
    wait_for_log("attempt-0/logs/*worker-1.log", tmp_path / "run", "progress 1/100000")
    time.sleep(0.5)
    killed_at = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    runner.join(BOUND_S + 30)
    assert not runner.is_alive(), "the task did not end"
    status = holder["status"]
    survivors_done = time.monotonic() - killed_at
    assert status.phase == "Failed"
    assert status.exit_codes[1] == -signal.SIGKILL
    for rank in (0, 2):
        r = status.ranks[rank]
        assert r.reason == "Error", f"rank {rank} was stopped by the supervisor, not by its own error"
        assert r.exit_code == 75, r.message
        assert "PeerLost:" in r.message, r.message
    assert survivors_done < BOUND_S
    print(f"{algorithm}: survivors failed {survivors_done:.1f}s after the kill: {status.ranks[0].message}")
