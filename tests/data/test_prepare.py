"""SimBench site preparation: per-site folders from distinct real profiles, honest day-ahead lags."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd  # type: ignore[import-untyped]
import pytest

from gridedge.data.features import LAG_HOURS, SEASONAL_NAIVE, feature_columns
from gridedge.data.prepare import PrepareSpec, prepare
from gridedge.data.simbench_profiles import read_profiles


def test_sites_get_distinct_profiles_and_both_tables(tmp_path):
    manifest = prepare(PrepareSpec(out=tmp_path, sites=2, profiles=("HS0", "HS1", "HS2"), resolution="60min"))
    assert manifest["sites"]["site-00"]["profiles"] == ["HS0", "HS2"]
    assert manifest["sites"]["site-01"]["profiles"] == ["HS1"]
    assert json.loads((tmp_path / "manifest.json").read_text()) == manifest
    meas = pd.read_parquet(tmp_path / "site-00" / "measurements")
    assert set(meas.columns) == {"timestamp", "asset_id", "p_mw"}
    assert len(meas) == 2 * 366 * 24
    assets = pd.read_csv(tmp_path / "site-00" / "assets.csv")
    assert (assets["rated_mw"] < assets["peak_mw"]).all()
    # The series is the real profile, scaled: its maximum is the asset's peak.
    hs0 = meas[meas.asset_id == "trafo-HS0"]["p_mw"]
    assert hs0.max() == pytest.approx(assets.set_index("asset_id").loc["trafo-HS0", "peak_mw"], rel=0.05)


def test_every_lag_is_at_least_a_day_and_matches_the_series(tmp_path):
    prepare(PrepareSpec(out=tmp_path, sites=1, profiles=("HS3",), resolution="60min"))
    feats = pd.read_parquet(tmp_path / "site-00" / "features").set_index("timestamp")
    assert list(feats.columns) == ["asset_id", *feature_columns(), "target", "high_load"]
    assert min(LAG_HOURS) >= 24 and not feats.isna().any().any()
    raw = read_profiles(["HS3"]).resample("60min").mean()["HS3"]
    scale = feats["target"].iloc[500] / raw.loc[feats.index[500]]
    t = feats.index[1000]
    assert feats.loc[t, SEASONAL_NAIVE] == pytest.approx(raw.loc[t - pd.Timedelta(hours=168)] * scale)
    assert feats.loc[t, "lag_24h"] == pytest.approx(raw.loc[t - pd.Timedelta(hours=24)] * scale)


def test_the_command_writes_sites_and_rejects_unknown_profiles(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "gridedge.data", "--out", str(tmp_path), "--sites", "1", "--profiles", "HS4"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "site-00" / "features" / "part-trafo-HS4.parquet").is_file()
    named = subprocess.run(
        [
            sys.executable,
            "-m",
            "gridedge.data",
            "--out",
            str(tmp_path / "n"),
            "--sites",
            "2",
            "--profiles",
            "HS4,HS5",
            "--site-names",
            "north,south",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert named.returncode == 0, named.stderr
    assert (tmp_path / "n" / "south" / "measurements" / "part-trafo-HS5.parquet").is_file()
    bad = subprocess.run(
        [sys.executable, "-m", "gridedge.data", "--out", str(tmp_path), "--profiles", "HS4,NOPE"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2 and "unknown SimBench load profiles ['NOPE']" in bad.stderr
