"""Real 1-, 2- and 4-worker XGBoost and LightGBM training through the local runtime.

SimBench data: 8 HV/MV substation profiles, hourly, one part per substation, so shards
split by substation. Day-ahead forecast, Jan–Oct train, Nov–Dec held out. The single
worker run trains on the union of the shards; distributed runs must stay within
``TOLERANCE`` of its held-out RMSE, and every model must beat the seasonal-naive forecast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest

from edge_controller.local import TaskStatus, run_task
from gridedge.data.features import SEASONAL_NAIVE, feature_columns
from tests.algorithm_images.helpers import consume, forecast_params, manifest, topics

TOLERANCE = 0.02  # relative held-out RMSE difference allowed between distributed and single-process
WORLDS = (1, 2, 4)
ALGORITHMS = ("xgboost_train", "lightgbm_train")
ROUNDS = 30


class Run:
    def __init__(
        self, status: TaskStatus, results: list[dict[str, Any]], progress: list[dict[str, Any]], model_dir: Path
    ) -> None:
        self.status, self.results, self.progress, self.model_dir = status, results, progress, model_dir

    @property
    def master_result(self) -> dict[str, Any]:
        return next(m for m in self.results if m["rank"] == 0)


@pytest.fixture(scope="module")
def train(kafka_broker, simbench_sites, tmp_path_factory):
    work = tmp_path_factory.mktemp("training")
    models = work / "models"
    cache: dict[tuple[str, int, str], Run] = {}

    def run(algorithm: str, world: int, variant: str = "", **params: Any) -> Run:
        key = (algorithm, world, variant)
        if key not in cache:
            names = topics(f"{algorithm}-{world}{variant}")
            kafka_broker.create_topics(list(names.values()))
            name = f"{algorithm.split('_')[0]}-{world}{variant}"
            task = manifest(
                name,
                algorithm,
                world,
                {**forecast_params(num_boost_round=ROUNDS), **params},
                "site-00/features",
                kafka_broker.bootstrap,
                names,
            )
            (models / name).mkdir(parents=True, exist_ok=True)
            status = run_task(task, work / name, volumes={"site-data": simbench_sites, "models": models}, timeout=240)
            results = consume(kafka_broker.bootstrap, names["results"], world) if status.phase == "Succeeded" else []
            progress = consume(kafka_broker.bootstrap, names["progress"], 1, timeout=5)
            cache[key] = Run(status, results, progress, models / name)
        return cache[key]

    return run


@pytest.fixture(scope="module")
def held_out(simbench_sites) -> pd.DataFrame:
    frame = pd.read_parquet(simbench_sites / "site-00" / "features")
    return frame[pd.to_datetime(frame["timestamp"], utc=True) >= pd.Timestamp("2016-11-01", tz="UTC")]


def predict(algorithm: str, model_dir: Path, frame: pd.DataFrame) -> np.ndarray:
    x = frame[feature_columns()].to_numpy(dtype=np.float64)
    if algorithm == "xgboost_train":
        import xgboost as xgb

        booster = xgb.Booster()
        booster.load_model(model_dir / "model.json")
        return booster.predict(xgb.DMatrix(x, feature_names=feature_columns()))
    import lightgbm as lgb

    return np.asarray(lgb.Booster(model_file=str(model_dir / "model.txt")).predict(x))


def rmse(pred: np.ndarray, y: np.ndarray) -> float:
    return float(np.sqrt(np.mean((pred.astype(np.float64) - y) ** 2)))


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("world", WORLDS)
def test_run_succeeds_every_rank_reports_and_the_model_loads(train, held_out, algorithm, world):
    run = train(algorithm, world)
    assert run.status.phase == "Succeeded", run.status.message
    assert run.status.exit_codes == [0] * world
    assert sorted(m["rank"] for m in run.results) == list(range(world))
    result = run.master_result
    assert result["payload"]["model"]["bytes"] > 0
    # Rank 0's metrics are global (summed over every rank's held-out rows) and match the model.
    y = held_out["target"].to_numpy()
    assert result["payload"]["metrics"]["n_test"] == len(y)
    assert result["payload"]["metrics"]["rmse"] == pytest.approx(
        rmse(predict(algorithm, run.model_dir, held_out), y), rel=1e-4
    )
    assert any(m["kind"] == "progress" for m in run.progress)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_distributed_error_stays_within_tolerance_of_single_process(train, held_out, algorithm):
    y = held_out["target"].to_numpy()
    errors = {w: rmse(predict(algorithm, train(algorithm, w).model_dir, held_out), y) for w in WORLDS}
    ratios = {w: errors[w] / errors[1] for w in WORLDS}
    print(f"{algorithm}: held-out RMSE {errors}, ratio to single-process {ratios}")
    for w in WORLDS:
        assert abs(ratios[w] - 1) <= TOLERANCE, f"{w} workers: RMSE ratio {ratios[w]:.4f}"


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_forecast_beats_seasonal_naive_on_held_out_weeks(train, held_out, algorithm):
    y = held_out["target"].to_numpy()
    naive = rmse(held_out[SEASONAL_NAIVE].to_numpy(), y)
    model = rmse(predict(algorithm, train(algorithm, 4).model_dir, held_out), y)
    print(f"{algorithm} 4 workers: RMSE {model:.3f} vs seasonal-naive {naive:.3f} ({model / naive:.3f})")
    assert model < 0.95 * naive


def test_agreed_lightgbm_bins_track_single_process_better_than_local_bins(train, held_out):
    y = held_out["target"].to_numpy()
    single = rmse(predict("lightgbm_train", train("lightgbm_train", 1).model_dir, held_out), y)
    agreed = rmse(predict("lightgbm_train", train("lightgbm_train", 4).model_dir, held_out), y)
    local_run = train("lightgbm_train", 4, "-local", bins="local")
    assert local_run.status.phase == "Succeeded", local_run.status.message
    local = rmse(predict("lightgbm_train", local_run.model_dir, held_out), y)
    print(f"lightgbm 4 workers: agreed bins {agreed / single:.4f}, local bins {local / single:.4f} of single")
    assert abs(agreed / single - 1) < abs(local / single - 1)


def test_results_carry_byte_accounting_of_each_shard(train, simbench_sites):
    run = train("xgboost_train", 4)
    parts = sorted((simbench_sites / "site-00" / "features").iterdir())
    for message in run.results:
        mine = parts[message["rank"] :: 4]
        assert message["bytes"]["read"] == sum(p.stat().st_size for p in mine)
        assert 0 < message["bytes"]["sent"] < message["bytes"]["read"] / 50
        assert message["payload"]["local"]["files"] == [p.name for p in mine]


def test_distributed_xgboost_classification(train, held_out):
    run = train("xgboost_train", 2, "-cls", task="classification", label="high_load")
    assert run.status.phase == "Succeeded", run.status.message
    metrics = run.master_result["payload"]["metrics"]
    majority = max(held_out["high_load"].mean(), 1 - held_out["high_load"].mean())
    assert metrics["accuracy"] > max(0.85, majority)


def test_xgboost_reports_the_seasonal_naive_baseline_and_a_chart_series(train, held_out):
    run = train("xgboost_train", 2, "-baseline", baseline_column=SEASONAL_NAIVE)
    assert run.status.phase == "Succeeded", run.status.message
    payload = run.master_result["payload"]
    y = held_out["target"].to_numpy()
    # The baseline is summed over both ranks' held-out rows, like the model's own error.
    assert payload["metrics"]["baseline_rmse"] == pytest.approx(rmse(held_out[SEASONAL_NAIVE].to_numpy(), y), rel=1e-6)
    assert payload["metrics"]["baseline"] == SEASONAL_NAIVE
    assert payload["metrics"]["rmse"] < payload["metrics"]["baseline_rmse"]
    series = payload["forecast"]
    assert len(series["time"]) == len(series["actual"]) == len(series["predicted"]) == len(series["baseline"]) == 168
    assert series["unit"] == "MW" and pd.Timestamp(series["time"][-1]) >= pd.Timestamp("2016-12-01", tz="UTC")
    assert all(m["rank"] == 0 or "forecast" not in m["payload"] for m in run.results)


def test_a_baseline_column_that_is_no_feature_fails_before_training(train):
    run = train("xgboost_train", 1, "-badbase", baseline_column="lag_999h")
    assert run.status.phase == "Failed"
    assert "parameter 'baseline_column' names 'lag_999h'" in run.status.message
