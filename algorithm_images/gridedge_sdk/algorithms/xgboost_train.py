"""Distributed XGBoost training: ``python -m gridedge_sdk.algorithms.xgboost_train``.

Run by the controller or the local runtime, one process per rank (seed paper, Algorithm 1).
Rank 0 starts ``RabitTracker(sortby="task")`` on the master port; every rank joins the
collective with its zero-padded task id, builds its DMatrix *inside* the context from its
own shard and trains; held-out metric sums are all-reduced so rank 0 publishes global
metrics; only rank 0 writes the model (``$GRIDEDGE_OUTPUT_PATH/model.json``) and waits for
the tracker last. Parameters: see :mod:`.tabular` plus ``num_boost_round``, ``max_depth``,
``learning_rate``, ``max_bin``, ``num_class``, ``nthread``, ``xgboost_params`` (passed through),
``collective_timeout_s`` (120: one collective operation) and ``tracker_timeout_s`` (600: all
ranks joining, which on Kubernetes includes Pods pulling their image). Must not import
Airflow or kopf.
"""

from __future__ import annotations

import logging
import math
import re
import sys
import time
from contextlib import ExitStack, suppress
from typing import Any

from gridedge.contract import names
from gridedge_sdk.algorithms import tabular
from gridedge_sdk.errors import ConfigError, PeerLost
from gridedge_sdk.exchange import bind_host
from gridedge_sdk.runner import Context, run

ALGORITHM = "xgboost_train"
log = logging.getLogger(f"gridedge_sdk.{ALGORITHM}")


def booster_params(ctx: Context, task: str) -> dict[str, Any]:
    p = ctx.params
    params: dict[str, Any] = {
        "tree_method": "hist",
        "max_depth": p.integer("max_depth", 6, minimum=1, maximum=32),
        "eta": p.number("learning_rate", 0.1, minimum=0.0),
        "max_bin": p.integer("max_bin", 256, minimum=2),
        "nthread": p.integer("nthread", 1, minimum=1),
        "seed": p.integer("seed", 0),
    }
    params.update(tabular.objective(ctx, task, ("reg:squarederror", "binary:logistic", "multi:softprob")))
    params.update(p.mapping("xgboost_params", {}))
    return params


def body(ctx: Context) -> dict[str, Any]:
    import numpy as np
    import xgboost as xgb
    from xgboost import collective
    from xgboost.tracker import RabitTracker

    cfg = ctx.config
    out = cfg.require_output_path() if cfg.is_master else None
    rounds = ctx.params.integer("num_boost_round", 50, minimum=1, maximum=100_000)
    timeout = ctx.params.integer("collective_timeout_s", 120, minimum=1)
    tracker_timeout = ctx.params.integer("tracker_timeout_s", 600, minimum=1)
    net = cfg.network
    tracker = None
    if cfg.world_size > 1 and cfg.is_master:
        # Started before reading data, so workers that are quicker find it listening.
        tracker = RabitTracker(
            n_workers=cfg.world_size,
            host_ip=bind_host(net.master_addr),
            port=net.master_port,
            sortby="task",
            timeout=tracker_timeout,
        )
        tracker.start()
    params = booster_params(ctx, ctx.params.choice("task", tabular.TASKS, "regression"))
    data = tabular.load(ctx)
    base_sse = tabular.baseline_sse(ctx, data)  # before training: a bad column fails fast
    started = time.monotonic()

    watchdog = tabular.stall_watchdog(ctx, float(tracker_timeout))

    class Progress(xgb.callback.TrainingCallback):
        def after_iteration(self, model: Any, epoch: int, evals_log: Any) -> bool:
            watchdog.beat()
            ctx.progress(epoch + 1, rounds)
            return False

    try:
        # The communicator's exit may fail too once a peer is gone: catch around all of it.
        with ExitStack() as stack:
            if cfg.world_size > 1:
                stack.enter_context(
                    collective.CommunicatorContext(
                        dmlc_communicator="rabit",
                        dmlc_tracker_uri=cfg.environ.get(names.ENV_DMLC_TRACKER_URI) or net.master_addr,
                        dmlc_tracker_port=_int_env(cfg.environ, names.ENV_DMLC_TRACKER_PORT, net.master_port),
                        dmlc_task_id=f"{cfg.rank:05d}",
                        dmlc_timeout=timeout,
                        dmlc_retry=3,
                    )
                )
            dtrain = xgb.DMatrix(data.x_train, label=data.y_train, feature_names=data.features)
            with watchdog:
                booster = xgb.train(params, dtrain, num_boost_round=rounds, callbacks=[Progress()])
            dtest = xgb.DMatrix(data.x_test, feature_names=data.features)
            predicted = booster.predict(dtest)
            sums = np.asarray(tabular.metric_sums(data.task, data.y_test, predicted), dtype=np.float64)
            if base_sse is not None:  # summed with the metrics, so every rank's held-out rows count
                sums = np.append(sums, base_sse)
            train_rows = np.asarray([float(len(data.y_train))])
            if cfg.world_size > 1:
                sums = collective.allreduce(sums, collective.Op.SUM)
                train_rows = collective.allreduce(train_rows, collective.Op.SUM)
        if tracker is not None:
            tracker.wait_for(tracker_timeout)
    except xgb.core.XGBoostError as e:
        if cfg.world_size == 1:
            raise
        if tracker is not None:
            with suppress(xgb.core.XGBoostError):  # it fails too when a worker is gone
                tracker.free()
        raise PeerLost(f"XGBoost collective failed: {_first_line(e)}") from e
    seconds = time.monotonic() - started
    metrics = tabular.metrics(data.task, [float(v) for v in sums])
    if base_sse is not None and sums[0] > 0:
        metrics["baseline_rmse"] = math.sqrt(float(sums[-1]) / float(sums[0]))
        metrics["baseline"] = ctx.params.string("baseline_column")
    payload: dict[str, Any] = {
        "metrics": {**metrics, "n_train": int(train_rows[0])},
        "local": {"n_train": len(data.y_train), "n_test": len(data.y_test), "files": data.files},
        "training": {"rounds": rounds, "seconds": round(seconds, 3), "features": data.features, "params": params},
    }
    series = tabular.forecast_series(ctx, data, predicted) if cfg.rank == 0 else None
    if series is not None:
        payload["forecast"] = series
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        path = out / "model.json"
        booster.save_model(path)
        payload["model"] = {"uri": path.as_uri(), "format": "xgboost-json", "bytes": path.stat().st_size}
        log.info("model written to %s", path)
    return payload


def _int_env(environ: Any, name: str, default: int) -> int:
    raw = environ.get(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as e:
        raise ConfigError(f"{name}={raw!r} is not an integer") from e


def _first_line(error: BaseException) -> str:
    """XGBoost's errors are a header, ``- [file:line|time]: reason`` lines and a stack trace."""
    text = str(error).split("Stack trace:")[0]
    reasons = [re.sub(r"^- \[[^\]]*\]:\s*", "", line.strip()) for line in text.splitlines()]
    reasons = [r for r in reasons if r and not r.startswith("[")]
    return "; ".join(reasons) if reasons else (text.strip().splitlines() or [type(error).__name__])[0]


def main() -> int:
    return run(ALGORITHM, body)


if __name__ == "__main__":
    sys.exit(main())
