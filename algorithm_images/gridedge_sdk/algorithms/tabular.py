"""Training data for the boosting entrypoints: columns, held-out split and metric sums.

Called by :mod:`.xgboost_train` and :mod:`.lightgbm_train`. Parameters it reads (all in
``GRIDEDGE_PARAMS``): ``label`` (default ``target``), ``features`` (default: every numeric
column but the label), ``task`` (``regression`` or ``classification``), ``time_column`` and
``test_from`` (rows at or after that time are held out) or else ``test_fraction`` (the last
share of each shard's rows), and ``stall_timeout_s`` for :func:`stall_watchdog`. Metrics
come as sums so that ranks can add them up before rank 0 divides. Must not train or publish.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gridedge_sdk.errors import ConfigError, DataError, PeerLost
from gridedge_sdk.runner import Context
from gridedge_sdk.watchdog import StallWatchdog

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

TASKS = ("regression", "classification")


@dataclass(frozen=True)
class TrainingData:
    task: str
    features: list[str]
    x_train: npt.NDArray[np.float64]
    y_train: npt.NDArray[np.float64]
    x_test: npt.NDArray[np.float64]
    y_test: npt.NDArray[np.float64]
    files: list[str]
    t_test: list[str] = field(default_factory=list)  # ISO times of the held-out rows, when the data has them


def load(ctx: Context) -> TrainingData:
    import numpy as np
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    p = ctx.params
    task = p.choice("task", TASKS, "regression")
    label = p.string("label", "target")
    shard = ctx.read_shard()
    frame = shard.frame
    if label not in frame.columns:
        raise DataError(f"label column {label!r} is not in the data (columns: {', '.join(map(str, frame.columns))})")
    time_column = p.string("time_column", "timestamp")
    if "features" in p:
        features = p.strings("features")
        absent = [c for c in features if c not in frame.columns]
        if absent:
            raise DataError(f"feature columns {', '.join(absent)} are not in the data at {ctx.config.data_path}")
    else:
        features = [
            str(c)
            for c in frame.columns
            if c not in (label, time_column)
            and pd.api.types.is_numeric_dtype(frame[c])
            and not pd.api.types.is_bool_dtype(frame[c])
        ]
    if not features:
        raise DataError(f"no numeric feature columns in the data at {ctx.config.data_path}")
    if "test_from" in p:
        if time_column not in frame.columns:
            raise DataError(f"time column {time_column!r} (for test_from) is not in the data")
        try:
            cut = pd.Timestamp(p.string("test_from"))
        except ValueError as e:
            raise ConfigError(f"parameter 'test_from' is not a date or time: {p.string('test_from')!r}") from e
        times = pd.to_datetime(frame[time_column], utc=True)
        cut = cut.tz_localize("UTC") if cut.tzinfo is None else cut
        test = (times >= cut).to_numpy()
    else:
        fraction = p.number("test_fraction", 0.2, minimum=0.0, maximum=0.9)
        test = np.zeros(len(frame), dtype=bool)
        test[len(frame) - math.floor(len(frame) * fraction) :] = True
    x = frame[features].to_numpy(dtype=np.float64)
    y = frame[label].to_numpy(dtype=np.float64)
    if not (~test).any():
        raise DataError(
            f"empty shard: no training rows left on rank {ctx.config.rank} after holding out the test split"
        )
    t_test: list[str] = []
    if time_column in frame.columns:
        t_test = [t.isoformat() for t in pd.to_datetime(frame[time_column], utc=True)[test]]
    return TrainingData(task, features, x[~test], y[~test], x[test], y[test], [f.name for f in shard.files], t_test)


def baseline_sse(ctx: Context, data: TrainingData) -> float | None:
    """Squared error of a baseline feature on the held-out rows (parameter ``baseline_column``).

    For a load forecast this is the seasonal-naive value (same time one week earlier): the
    model must beat it. ``None`` when no baseline is asked for or the task is not regression.
    """
    import numpy as np

    column = ctx.params.optional_string("baseline_column")
    if column is None or data.task != "regression":
        return None
    if column not in data.features:
        raise ConfigError(
            f"parameter 'baseline_column' names {column!r}, which is not a feature column "
            f"(features: {', '.join(data.features)})"
        )
    base = data.x_test[:, data.features.index(column)]
    return float(np.sum((base - data.y_test) ** 2))


def forecast_series(
    ctx: Context, data: TrainingData, predicted: npt.NDArray[np.float64], points: int = 168
) -> dict[str, Any] | None:
    """The last ``points`` held-out rows of this shard as a chart-ready series (rank 0 sends it)."""
    if data.task != "regression" or not data.t_test or len(data.y_test) == 0:
        return None
    n = min(points, len(data.y_test))
    series: dict[str, Any] = {
        "time": data.t_test[-n:],
        "actual": [round(float(v), 4) for v in data.y_test[-n:]],
        "predicted": [round(float(v), 4) for v in predicted[-n:]],
        "unit": ctx.params.string("unit", "MW"),
    }
    column = ctx.params.optional_string("baseline_column")
    if column is not None and column in data.features:
        series["baseline"] = [round(float(v), 4) for v in data.x_test[-n:, data.features.index(column)]]
    return series


def objective(ctx: Context, task: str, names: tuple[str, str, str]) -> dict[str, Any]:
    """The library's objective for ``task``; ``names`` are its (regression, binary, multiclass) names."""
    if task == "regression":
        return {"objective": names[0]}
    num_class = ctx.params.integer("num_class", 2, minimum=2)
    return {"objective": names[2], "num_class": num_class} if num_class > 2 else {"objective": names[1]}


def stall_watchdog(ctx: Context, connect_s: float) -> StallWatchdog:
    """Ends this rank with PeerLost when no boosting round finishes for ``stall_timeout_s``."""
    timeout = ctx.params.number("stall_timeout_s", 300.0, minimum=1.0)
    return StallWatchdog(timeout, connect_s + timeout, lambda why: ctx.abort(PeerLost(f"training stalled: {why}")))


def metric_sums(task: str, y: npt.NDArray[np.float64], pred: npt.NDArray[np.float64]) -> list[float]:
    """Additive pieces of the metrics: regression [n, sse, sae, sum y]; classification [n, correct, logloss]."""
    import numpy as np

    n = float(len(y))
    if task == "regression":
        err = pred - y
        return [n, float(np.sum(err**2)), float(np.sum(np.abs(err))), float(np.sum(y))]
    if pred.ndim == 2:
        proba = np.clip(pred[np.arange(len(y)), y.astype(int)], 1e-15, 1.0)
        correct = float(np.sum(np.argmax(pred, axis=1) == y))
    else:
        proba = np.clip(np.where(y == 1, pred, 1 - pred), 1e-15, 1.0)
        correct = float(np.sum((pred >= 0.5) == (y == 1)))
    return [n, correct, float(-np.sum(np.log(proba)))]


def metrics(task: str, sums: list[float]) -> dict[str, Any]:
    n = sums[0]
    if n == 0:
        return {"n_test": 0}
    if task == "regression":
        return {"n_test": int(n), "rmse": math.sqrt(sums[1] / n), "mae": sums[2] / n, "mean_target": sums[3] / n}
    return {"n_test": int(n), "accuracy": sums[1] / n, "logloss": sums[2] / n}
