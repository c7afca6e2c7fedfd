"""Entrypoints fail fast: one line naming what was wrong, an exit code that says permanent or not.

Each case runs the real entrypoint as a process (as the container would) against the real
broker, and the failed rank's result on Kafka carries the same reason.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd  # type: ignore[import-untyped]
import pytest

from gridedge.contract.messages import ExitCode
from tests.algorithm_images.helpers import consume, forecast_params, task_env, topics


def run_entrypoint(module: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    import os

    full = {k: os.environ[k] for k in ("PATH", "PYTHONPATH", "HOME") if k in os.environ} | env
    return subprocess.run(
        [sys.executable, "-m", f"gridedge_sdk.algorithms.{module}"],
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if " ERROR " in line]


def test_missing_env_names_every_missing_variable():
    done = run_entrypoint("xgboost_train", {"GRIDEDGE_RANK": "0"})
    assert done.returncode == ExitCode.CONFIG
    (line,) = error_lines(done.stderr)
    assert "ConfigError: invalid task environment: missing GRIDEDGE_NETWORK_INFO, GRIDEDGE_WORLD_SIZE" in line
    assert "GRIDEDGE_DATA_PATH" in line and "rank=?" not in line


@pytest.fixture
def sink(kafka_broker):
    names = topics("errors")
    kafka_broker.create_topics(list(names.values()))
    return kafka_broker.bootstrap, names


def case_env(sink, data: Path, params: dict[str, object], world: int = 1, rank: int = 0) -> dict[str, str]:
    bootstrap, names = sink
    return task_env(
        world,
        rank,
        data,
        bootstrap,
        params,
        GRIDEDGE_OUTPUT_PATH=str(data.parent / "out"),
        GRIDEDGE_RESULTS_TOPIC=names["results"],
        GRIDEDGE_WARNINGS_TOPIC=names["warnings"],
        GRIDEDGE_PROGRESS_TOPIC=names["progress"],
    )


def empty_part(tmp_path: Path) -> Path:
    path = tmp_path / "empty" / "part-0.parquet"
    path.parent.mkdir()
    pd.DataFrame({"target": pd.Series([], dtype=float)}).to_parquet(path)
    return path.parent


@pytest.mark.parametrize(
    ("module", "data", "params", "world", "rank", "code", "expected"),
    [
        ("xgboost_train", "nope", {}, 1, 0, ExitCode.DATA, "DataError: data path {tmp}/nope does not exist"),
        ("lightgbm_train", "empty", {}, 1, 0, ExitCode.DATA, "DataError: empty shard: rank 0 of 1 read 0 rows"),
        (
            "xgboost_train",
            "site",
            {},
            16,
            9,
            ExitCode.DATA,
            "DataError: empty shard: rank 9 of 16 gets none of the 8 parts",
        ),
        (
            "lightgbm_train",
            "site",
            {"num_boost_round": "many"},
            1,
            0,
            ExitCode.CONFIG,
            "ConfigError: parameter 'num_boost_round' must be an integer, got 'many'",
        ),
        (
            "statistics",
            "site",
            {"overload_ratio": -1},
            1,
            0,
            ExitCode.CONFIG,
            "ConfigError: parameter 'overload_ratio' must be >= 0.0, got -1",
        ),
        (
            "xgboost_train",
            "site",
            {"label": "price"},
            1,
            0,
            ExitCode.DATA,
            "DataError: label column 'price' is not in the data",
        ),
    ],
)
def test_bad_input_gives_one_line_and_a_failed_result(
    sink, simbench_sites, tmp_path, module, data, params, world, rank, code, expected
):
    path = {
        "nope": tmp_path / "nope",
        "empty": empty_part(tmp_path) if data == "empty" else None,
        "site": simbench_sites / "site-00" / ("measurements" if module == "statistics" else "features"),
    }[data]
    assert path is not None
    all_params = {**forecast_params(), **params} if module != "statistics" else params
    done = run_entrypoint(module, case_env(sink, path, all_params, world, rank))
    assert done.returncode == code, done.stderr
    lines = error_lines(done.stderr)
    assert len(lines) == 1, done.stderr
    assert f"rank={rank} ERROR" in lines[0]
    assert expected.format(tmp=tmp_path) in lines[0]
    (result,) = consume(sink[0], sink[1]["results"], 1)
    assert result["status"] == "failed" and result["rank"] == rank
    assert result["error"]["exit_code"] == code and result["error"]["retryable"] is False
    assert expected.split(": ", 1)[1].format(tmp=tmp_path) in result["error"]["message"]


def test_malformed_params_json_is_a_config_error(tmp_path):
    env = task_env(1, 0, tmp_path, "127.0.0.1:1")
    env["GRIDEDGE_PARAMS"] = json.dumps({"a": 1})[:-1]
    done = run_entrypoint("statistics", env)
    assert done.returncode == ExitCode.CONFIG
    (line,) = error_lines(done.stderr)
    assert "GRIDEDGE_PARAMS is not valid JSON" in line
