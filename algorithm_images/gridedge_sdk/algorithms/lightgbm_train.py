"""Data-parallel LightGBM training: ``python -m gridedge_sdk.algorithms.lightgbm_train``.

Run by the controller or the local runtime, one process per rank (seed paper, Algorithm 3).
The machine list, listen port and machine count come from the LightGBM preset
(``LIGHTGBM_MACHINES`` …) or else from the network info; training uses
``tree_learner=data``, ``pre_partition=True`` (each rank keeps its own shard) and
``time_out``. Feature bins are agreed across ranks first (:mod:`.bins`, parameter
``bins``: ``global`` or ``local``), held-out metric sums are all-gathered afterwards
(:mod:`gridedge_sdk.exchange` on the master port); rank 0 writes ``model.txt``. The
network is freed in ``finally``. Parameters: see :mod:`.tabular` plus ``num_boost_round``,
``num_leaves``, ``learning_rate``, ``max_bin``, ``min_data_in_leaf``, ``num_class``,
``num_threads``, ``network_timeout_min``, ``lightgbm_params`` (passed through).
Must not import Airflow or kopf.
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from gridedge.contract import names
from gridedge_sdk.algorithms import bins, tabular
from gridedge_sdk.errors import ConfigError, PeerLost
from gridedge_sdk.exchange import allgather
from gridedge_sdk.runner import Context, run

ALGORITHM = "lightgbm_train"
log = logging.getLogger(f"gridedge_sdk.{ALGORITHM}")


def network_params(ctx: Context) -> dict[str, Any]:
    cfg = ctx.config
    env = cfg.environ
    machines = env.get(names.ENV_LGBM_MACHINES) or ",".join(cfg.network.worker_addrs)
    try:
        port = int(env.get(names.ENV_LGBM_LOCAL_LISTEN_PORT) or cfg.network.endpoint(cfg.rank).port)
        num = int(env.get(names.ENV_LGBM_NUM_MACHINES) or cfg.world_size)
    except ValueError as e:
        raise ConfigError(
            f"{names.ENV_LGBM_LOCAL_LISTEN_PORT} and {names.ENV_LGBM_NUM_MACHINES} must be integers"
        ) from e
    if len(machines.split(",")) != num:
        raise ConfigError(f"{names.ENV_LGBM_MACHINES} lists {len(machines.split(','))} machines, expected {num}")
    return {
        "tree_learner": "data",
        "pre_partition": True,
        "num_machines": num,
        "machines": machines,
        "local_listen_port": port,
        "time_out": ctx.params.integer("network_timeout_min", 2, minimum=1),
    }


def train_params(ctx: Context, task: str) -> dict[str, Any]:
    p = ctx.params
    params: dict[str, Any] = {
        "num_leaves": p.integer("num_leaves", 31, minimum=2),
        "learning_rate": p.number("learning_rate", 0.1, minimum=0.0),
        "max_bin": p.integer("max_bin", 255, minimum=2),
        "min_data_in_leaf": p.integer("min_data_in_leaf", 20, minimum=1),
        "num_threads": p.integer("num_threads", 1, minimum=1),
        "seed": p.integer("seed", 0),
        "deterministic": True,
        "force_row_wise": True,
        "verbose": -1,
    }
    params.update(tabular.objective(ctx, task, ("regression", "binary", "multiclass")))
    params.update(p.mapping("lightgbm_params", {}))
    return params


def body(ctx: Context) -> dict[str, Any]:
    import lightgbm as lgb
    import numpy as np

    cfg = ctx.config
    out = cfg.require_output_path() if cfg.is_master else None
    rounds = ctx.params.integer("num_boost_round", 50, minimum=1, maximum=100_000)
    params = train_params(ctx, ctx.params.choice("task", tabular.TASKS, "regression"))
    binning = ctx.params.choice("bins", ("global", "local"), "global")
    distributed = cfg.world_size > 1
    net_params = network_params(ctx) if distributed else {}
    data = tabular.load(ctx)
    workdir = Path(tempfile.mkdtemp(prefix="gridedge-lgbm-"))
    if distributed and binning == "global":
        sketches = allgather(cfg, "bins", bins.sketch(data.x_train, params["max_bin"]))
        path = workdir / "forced_bins.json"
        path.write_text(json.dumps(bins.merge(sketches, params["max_bin"])))
        params["forcedbins_filename"] = str(path)
    params.update(net_params)

    watchdog = tabular.stall_watchdog(ctx, 60.0 * params.get("time_out", 0))

    def progress(env: Any) -> None:
        watchdog.beat()
        ctx.progress(env.iteration + 1, rounds)

    started = time.monotonic()
    booster: Any = None
    try:
        train_set = lgb.Dataset(data.x_train, label=data.y_train, feature_name=data.features, free_raw_data=False)
        with watchdog:
            booster = lgb.train(params, train_set, num_boost_round=rounds, callbacks=[progress])
    except lgb.basic.LightGBMError as e:
        if distributed:
            raise PeerLost(f"LightGBM network training failed: {str(e).splitlines()[0]}") from e
        raise
    finally:
        if distributed:
            if booster is not None:
                booster.free_network()
            else:
                lgb.basic._LIB.LGBM_NetworkFree()  # type: ignore[attr-defined]
    seconds = time.monotonic() - started
    sums = tabular.metric_sums(data.task, data.y_test, np.asarray(booster.predict(data.x_test)))
    gathered = allgather(cfg, "metrics", [*sums, float(len(data.y_train))])
    total = [float(sum(col)) for col in zip(*gathered, strict=True)]
    payload: dict[str, Any] = {
        "metrics": {**tabular.metrics(data.task, total[:-1]), "n_train": int(total[-1])},
        "local": {"n_train": len(data.y_train), "n_test": len(data.y_test), "files": data.files},
        "training": {
            "rounds": rounds,
            "seconds": round(seconds, 3),
            "features": data.features,
            "bins": binning,
            "params": {k: v for k, v in params.items() if k != "forcedbins_filename"},
        },
    }
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        model = out / "model.txt"
        booster.save_model(str(model))
        payload["model"] = {"uri": model.as_uri(), "format": "lightgbm-text", "bytes": model.stat().st_size}
        log.info("model written to %s", model)
    return payload


def main() -> int:
    return run(ALGORITHM, body)


if __name__ == "__main__":
    sys.exit(main())
