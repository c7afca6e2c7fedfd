"""Per-asset load statistics and early warnings: ``python -m gridedge_sdk.algorithms.statistics``.

Run by the controller or the local runtime, one process per rank; each rank reads its
shard of measurements (``timestamp``, ``asset_id``, a value column; parts are usually one
asset each) and publishes, per asset: samples, missing intervals, mean, peak and its time,
load factor (mean / peak), energy and peak utilisation against the asset's rating.
Warnings, one message per episode:

- ``TRANSFORMER_OVERLOAD``: above ``overload_ratio`` × rating for at least
  ``overload_intervals`` consecutive intervals (critical above 1.2 × rating);
- ``MISSING_DATA``: more than ``missing_threshold`` of the expected intervals missing.

Ratings come from ``ratings`` ({asset: MW}) or ``assets_file`` (CSV with ``asset_id``,
``rated_mw``, optional ``asset_type``; relative to the data path's folder). With several
ranks, rank 0's result gathers every rank's statistics. Must not train models.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gridedge.contract.messages import Severity, WarningInfo
from gridedge_sdk.errors import ConfigError, DataError
from gridedge_sdk.exchange import allgather
from gridedge_sdk.params import Params
from gridedge_sdk.runner import Context, run

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

ALGORITHM = "statistics"
log = logging.getLogger(f"gridedge_sdk.{ALGORITHM}")
ASSET_TYPES = ("transformer", "feeder", "line", "load", "substation", "meter", "other")


@dataclass(frozen=True)
class Settings:
    """Every parameter, read before any data so that a malformed one fails first."""

    value_column: str
    interval: str | None
    missing_threshold: float
    overload_ratio: float
    overload_intervals: int
    max_warnings_per_asset: int
    unit: str

    @classmethod
    def from_params(cls, p: Params) -> Settings:
        return cls(
            value_column=p.string("value_column", "p_mw"),
            interval=p.optional_string("interval"),
            missing_threshold=p.number("missing_threshold", 0.05, minimum=0.0, maximum=1.0),
            overload_ratio=p.number("overload_ratio", 1.0, minimum=0.0),
            overload_intervals=p.integer("overload_intervals", 3, minimum=1),
            max_warnings_per_asset=p.integer("max_warnings_per_asset", 20, minimum=0),
            unit=p.string("unit", "MW"),
        )


def ratings(ctx: Context) -> dict[str, tuple[float, str]]:
    """asset id → (rating, asset type)."""
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    p = ctx.params
    out: dict[str, tuple[float, str]] = {}
    default_type = p.choice("asset_type", ASSET_TYPES, "transformer")
    if "assets_file" in p:
        path = Path(p.string("assets_file"))
        if not path.is_absolute():
            base = ctx.config.data_path if ctx.config.data_path.is_dir() else ctx.config.data_path.parent
            path = base / path
        if not path.is_file():
            raise DataError(f"assets file {path} (parameter 'assets_file') does not exist")
        table = pd.read_csv(path)
        if not {"asset_id", "rated_mw"} <= set(table.columns):
            raise DataError(f"assets file {path} needs the columns asset_id and rated_mw")
        for row in table.itertuples(index=False):
            kind = str(getattr(row, "asset_type", default_type))
            out[str(row.asset_id)] = (float(row.rated_mw), kind if kind in ASSET_TYPES else "other")
    for asset, value in p.mapping("ratings", {}).items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ConfigError(f"parameter 'ratings' must map asset ids to positive numbers; {asset!r}: {value!r}")
        out[str(asset)] = (float(value), default_type)
    return out


def episodes(above: pd.Series, min_len: int) -> list[tuple[int, int]]:
    """[start, end] positions of runs of True at least ``min_len`` long."""
    runs: list[tuple[int, int]] = []
    start = None
    values = above.to_numpy()
    for i, flag in enumerate(values):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start >= min_len:
                runs.append((start, i - 1))
            start = None
    if start is not None and len(values) - start >= min_len:
        runs.append((start, len(values) - 1))
    return runs


def asset_statistics(
    ctx: Context, cfg: Settings, asset: str, frame: pd.DataFrame, rating: tuple[float, str] | None
) -> dict[str, Any]:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    series = frame.set_index("timestamp")[cfg.value_column].sort_index()
    series = series[~series.index.duplicated()]
    step = pd.Timedelta(cfg.interval) if cfg.interval else series.index.to_series().diff().median()
    if pd.isna(step) or step <= pd.Timedelta(0):
        raise DataError(f"asset {asset}: cannot infer the measurement interval from {len(series)} sample(s)")
    full = series.reindex(pd.date_range(series.index[0], series.index[-1], freq=step))
    valid = full.dropna()
    if valid.empty:
        raise DataError(f"asset {asset}: every measurement of {cfg.value_column!r} is missing")
    hours = step / pd.Timedelta(hours=1)
    peak = float(valid.max())
    stats: dict[str, Any] = {
        "samples": int(valid.size),
        "expected": int(full.size),
        "missing": int(full.isna().sum()),
        "missing_fraction": float(full.isna().mean()),
        "mean": float(valid.mean()),
        "peak": peak,
        "peak_time": valid.idxmax().isoformat(),
        "load_factor": float(valid.mean() / peak) if peak > 0 else 0.0,
        "energy": float(valid.sum() * hours),
        "interval_minutes": float(step / pd.Timedelta(minutes=1)),
        "warnings": 0,
    }
    missing_threshold = cfg.missing_threshold
    if stats["missing_fraction"] > missing_threshold:
        ctx.warn(
            WarningInfo(
                asset,
                rating[1] if rating else "other",
                Severity.INFO,
                "MISSING_DATA",
                stats["missing_fraction"],
                missing_threshold,
                "fraction",
                full.index[0].to_pydatetime(),
                full.index[-1].to_pydatetime(),
                stats["missing"],
            )
        )
        stats["warnings"] += 1
    if rating is None:
        return stats
    rated, kind = rating
    threshold = rated * cfg.overload_ratio
    stats["rated"] = rated
    stats["peak_utilisation"] = peak / rated
    limit = cfg.max_warnings_per_asset
    runs = episodes(full > threshold, cfg.overload_intervals)
    stats["overload_episodes"] = len(runs)
    for start, end in runs[:limit]:
        window = full.iloc[start : end + 1]
        worst = float(window.max())
        severity = Severity.CRITICAL if worst > 1.2 * rated else Severity.WARNING
        ctx.warn(
            WarningInfo(
                asset,
                kind,
                severity,
                "TRANSFORMER_OVERLOAD" if kind == "transformer" else "OVERLOAD",
                worst,
                threshold,
                cfg.unit,
                window.index[0].to_pydatetime(),
                window.index[-1].to_pydatetime(),
                end - start + 1,
            )
        )
        stats["warnings"] += 1
    return stats


def body(ctx: Context) -> dict[str, Any]:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    cfg = Settings.from_params(ctx.params)
    rated = ratings(ctx)
    value_col = cfg.value_column
    frame = ctx.read_shard().frame
    absent = [c for c in ("timestamp", "asset_id", value_col) if c not in frame.columns]
    if absent:
        raise DataError(f"measurements at {ctx.config.data_path} lack the columns {', '.join(absent)}")
    frame = frame.assign(timestamp=pd.to_datetime(frame["timestamp"], utc=True))
    assets = sorted(str(a) for a in frame["asset_id"].unique())
    stats: dict[str, Any] = {}
    for i, asset in enumerate(assets):
        stats[asset] = asset_statistics(ctx, cfg, asset, frame[frame["asset_id"] == asset], rated.get(asset))
        ctx.progress(i + 1, len(assets))
    gathered = allgather(ctx.config, "statistics", stats)
    if ctx.config.is_master:
        merged = {asset: s for part in gathered for asset, s in part.items()}
        return {"statistics": merged, "assets": sorted(merged), "rows": len(frame)}
    return {"assets": assets, "rows": len(frame)}


def main() -> int:
    return run(ALGORITHM, body)


if __name__ == "__main__":
    sys.exit(main())
