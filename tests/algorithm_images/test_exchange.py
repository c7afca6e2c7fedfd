"""The all-gather over the master port: real sockets, ranks as threads, bounded failure."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from gridedge_sdk.config import TaskConfig, from_env
from gridedge_sdk.errors import PeerLost
from gridedge_sdk.exchange import allgather
from tests.algorithm_images.helpers import task_env


def configs(world: int, tmp_path: Path) -> list[TaskConfig]:
    env0 = task_env(world, 0, tmp_path, "k:1")
    net = json.loads(env0["GRIDEDGE_NETWORK_INFO"])
    out = []
    for rank in range(world):
        net["rank"] = rank
        env = dict(env0, GRIDEDGE_RANK=str(rank), GRIDEDGE_NETWORK_INFO=json.dumps(net))
        out.append(from_env(env))
    return out


def test_every_rank_gets_every_value_in_rank_order(tmp_path):
    cfgs = configs(4, tmp_path)
    results: dict[int, list[Any]] = {}

    def rank(cfg):
        results[cfg.rank] = allgather(cfg, "t", {"r": cfg.rank}, timeout=20)

    threads = [threading.Thread(target=rank, args=(c,)) for c in reversed(cfgs)]  # workers first
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == {r: [{"r": i} for i in range(4)] for r in range(4)}


def test_a_rank_that_never_joins_fails_rank_zero_within_the_deadline(tmp_path):
    cfgs = configs(3, tmp_path)
    errors: list[Exception] = []

    def rank_one():
        try:
            allgather(cfgs[1], "t", 1, timeout=10)
        except PeerLost as e:
            errors.append(e)

    worker = threading.Thread(target=rank_one)
    worker.start()
    start = time.monotonic()
    with pytest.raises(PeerLost, match=r"ranks \[2\] did not join"):
        allgather(cfgs[0], "t", 0, timeout=2)
    assert time.monotonic() - start < 5
    worker.join(15)
    assert errors and "rank 0" in str(errors[0])  # the joined worker learns it too, instead of hanging


def test_a_worker_without_rank_zero_gives_up(tmp_path):
    cfgs = configs(2, tmp_path)
    start = time.monotonic()
    with pytest.raises(PeerLost, match="cannot reach rank 0"):
        allgather(cfgs[1], "t", 1, timeout=1.5)
    assert time.monotonic() - start < 4
