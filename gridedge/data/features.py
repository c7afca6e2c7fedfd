"""Day-ahead load-forecast features: lags of at least one day, and calendar columns.

Called by :mod:`gridedge.data.prepare` per asset series, and by tests to compute baselines.
Every lag is at least 24 hours, so a forecast made the day before could compute it. Pure:
frames in, frames out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

TARGET = "target"
SEASONAL_NAIVE = "lag_168h"  # same hour one week earlier: the baseline a forecast must beat
LAG_HOURS = (24, 25, 48, 72, 168, 336)


def feature_columns() -> list[str]:
    lags = [f"lag_{h}h" for h in LAG_HOURS]
    return [*lags, "mean_24h_lag24", "max_24h_lag24", "hour", "minute", "dayofweek", "is_weekend", "dayofyear", "month"]


def day_ahead_features(series: pd.Series, steps_per_hour: int) -> pd.DataFrame:
    """Rows ``timestamp, <features>, target`` for one asset; rows with incomplete lags dropped."""
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    out = pd.DataFrame(index=series.index)
    for h in LAG_HOURS:
        out[f"lag_{h}h"] = series.shift(h * steps_per_hour)
    day = 24 * steps_per_hour
    lagged = series.shift(day)
    out["mean_24h_lag24"] = lagged.rolling(day).mean()
    out["max_24h_lag24"] = lagged.rolling(day).max()
    idx = series.index
    out["hour"] = idx.hour
    out["minute"] = idx.minute
    out["dayofweek"] = idx.dayofweek
    out["is_weekend"] = (idx.dayofweek >= 5).astype("int8")
    out["dayofyear"] = idx.dayofyear
    out["month"] = idx.month
    out[TARGET] = series
    out = out.dropna()
    out.index.name = "timestamp"
    return out.reset_index()
