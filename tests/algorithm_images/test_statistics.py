"""Statistics through the local runtime: per-asset figures and early warnings on the real broker."""

from __future__ import annotations

import shutil
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest

from edge_controller.local import run_task
from tests.algorithm_images.helpers import consume, manifest, topics


def overload_episodes(series: pd.Series, threshold: float, min_len: int) -> int:
    """Independent count: runs of consecutive hours above the threshold, at least min_len long."""
    above = (series > threshold).astype(int).to_numpy()
    count, run = 0, 0
    for flag in [*above, 0]:
        if flag:
            run += 1
        else:
            count += int(run >= min_len)
            run = 0
    return count


@pytest.fixture(scope="module")
def statistics_run(kafka_broker, simbench_sites, tmp_path_factory):
    work = tmp_path_factory.mktemp("statistics")
    site = work / "site"
    shutil.copytree(simbench_sites / "site-00" / "measurements", site / "measurements")
    shutil.copy(simbench_sites / "site-00" / "assets.csv", site / "assets.csv")
    # Blank 10 % of one asset's hours: a MISSING_DATA warning must follow.
    part = site / "measurements" / "part-trafo-HS5.parquet"
    frame = pd.read_parquet(part)
    frame.loc[np.random.default_rng(1).random(len(frame)) < 0.1, "p_mw"] = np.nan
    frame.to_parquet(part, index=False)
    names = topics("statistics")
    kafka_broker.create_topics(list(names.values()))
    params = {"assets_file": "../assets.csv", "overload_intervals": 3}
    task = manifest("stats", "statistics", 2, params, "site/measurements", kafka_broker.bootstrap, names)
    status = run_task(task, work / "run", volumes={"site-data": work, "models": work / "out"}, timeout=120)
    return status, site, names, kafka_broker.bootstrap


def test_rank_zero_reports_every_asset_and_figures_match_the_data(statistics_run):
    status, site, names, bootstrap = statistics_run
    assert status.phase == "Succeeded", status.message
    results = consume(bootstrap, names["results"], 2)
    master = next(m for m in results if m["rank"] == 0)
    stats = master["payload"]["statistics"]
    meas = pd.read_parquet(site / "measurements")
    assert sorted(stats) == sorted(meas["asset_id"].unique()) and len(stats) == 8
    for asset, group in meas.groupby("asset_id"):
        values = group["p_mw"].dropna()
        assert stats[asset]["peak"] == pytest.approx(values.max())
        assert stats[asset]["load_factor"] == pytest.approx(values.mean() / values.max())
    assert stats["trafo-HS5"]["missing_fraction"] == pytest.approx(0.1, abs=0.02)
    assert all(m["bytes"]["read"] > 0 for m in results)


def test_overload_and_missing_data_warnings_arrive_per_episode(statistics_run):
    status, site, names, bootstrap = statistics_run
    assert status.phase == "Succeeded", status.message
    warnings = consume(bootstrap, names["warnings"], 1)
    meas = pd.read_parquet(site / "measurements")
    rated = pd.read_csv(site / "assets.csv").set_index("asset_id")["rated_mw"]
    got: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for w in warnings:
        got.setdefault((w["warning"]["asset_id"], w["warning"]["code"]), []).append(w)
    for asset, group in meas.groupby("asset_id"):
        series = group.set_index("timestamp")["p_mw"].sort_index()
        expected = min(overload_episodes(series, rated[asset], 3), 20)
        episodes = got.get((asset, "TRANSFORMER_OVERLOAD"), [])
        assert len(episodes) == expected, asset
        for w in episodes:
            assert w["warning"]["value"] > w["warning"]["threshold"] == pytest.approx(rated[asset])
            assert w["warning"]["intervals"] >= 3 and w["warning"]["severity"] in ("warning", "critical")
    assert sum(len(v) for k, v in got.items() if k[1] == "TRANSFORMER_OVERLOAD") > 0
    (missing,) = got[("trafo-HS5", "MISSING_DATA")]
    assert missing["warning"]["value"] == pytest.approx(0.1, abs=0.02)
