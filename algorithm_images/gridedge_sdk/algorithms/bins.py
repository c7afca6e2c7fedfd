"""Feature bins every LightGBM rank agrees on, from all ranks' local quantile sketches.

Called by :mod:`.lightgbm_train` before training. With ``pre_partition=True`` LightGBM
bins each feature from one worker's shard only, which costs accuracy when shards differ
(split by substation, say). Instead every rank sketches its own features (sorted distinct
values when there are few, else quantiles at fixed probabilities, plus its row count); the
sketches are all-gathered; each rank merges them by the same deterministic rule into bin
upper bounds and hands them to LightGBM as ``forcedbins_filename``. Same inputs, same
function, so every rank writes the same file. Pure: arrays in, lists out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

SKETCH_POINTS = 1025


def sketch(x: npt.NDArray[np.float64], max_bin: int) -> list[dict[str, Any]]:
    """One JSON-ready sketch per feature column of ``x``."""
    import numpy as np

    probs = np.linspace(0.0, 1.0, SKETCH_POINTS)
    out: list[dict[str, Any]] = []
    for j in range(x.shape[1]):
        col = x[:, j]
        col = col[np.isfinite(col)]
        distinct = np.unique(col)
        entry: dict[str, Any] = {"n": int(col.size)}
        if distinct.size <= max_bin:
            entry["distinct"] = distinct.tolist()
        if col.size:
            entry["quantiles"] = np.quantile(col, probs).tolist()
        out.append(entry)
    return out


def merge(sketches: list[list[dict[str, Any]]], max_bin: int) -> list[dict[str, Any]]:
    """LightGBM's forced-bins JSON (``[{"feature": j, "bin_upper_bound": [...]}, ...]``)."""
    import numpy as np

    n_features = len(sketches[0])
    probs = np.linspace(0.0, 1.0, SKETCH_POINTS)
    forced: list[dict[str, Any]] = []
    for j in range(n_features):
        parts = [s[j] for s in sketches if s[j]["n"] > 0]
        if not parts:
            continue
        if all("distinct" in p for p in parts):
            values = np.unique(np.concatenate([np.asarray(p["distinct"], dtype=np.float64) for p in parts]))
            if values.size <= max_bin:
                if values.size > 1:
                    forced.append({"feature": j, "bin_upper_bound": ((values[:-1] + values[1:]) / 2).tolist()})
                continue
        # Global CDF as the row-weighted mixture of each rank's CDF, inverted at even steps.
        grid = np.unique(np.concatenate([np.asarray(p["quantiles"], dtype=np.float64) for p in parts]))
        total = sum(p["n"] for p in parts)
        cdf = sum(p["n"] * np.interp(grid, np.asarray(p["quantiles"]), probs) for p in parts) / total
        targets = np.linspace(0.0, 1.0, max_bin + 1)[1:-1]
        bounds = np.unique(np.interp(targets, cdf, grid))
        if bounds.size:
            forced.append({"feature": j, "bin_upper_bound": bounds.tolist()})
    return forced
