"""Write per-site data folders from SimBench's distinct real load profiles.

Called as ``python -m gridedge.data --out DIR`` (see :mod:`gridedge.data.__main__`) by the
demo, the tests and planners. Each site gets the series of its own substations:

``DIR/<site>/measurements/part-<asset>.parquet``  timestamp, asset_id, p_mw (for statistics)
``DIR/<site>/features/part-<asset>.parquet``      timestamp, asset_id, features, target, high_load
``DIR/<site>/assets.csv``                         asset_id, asset_type, profile, peak_mw, rated_mw
``DIR/manifest.json``                             what was written, from which profiles

SimBench profiles are normalised to a peak of 1; each asset is scaled to a deterministic
peak in MW, and its transformer rating is a fraction of that peak (``--rating-ratio``) so
that real peaks of the profile cross it. Must not train or publish.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gridedge.data.features import TARGET, day_ahead_features, feature_columns
from gridedge.data.simbench_profiles import SUBSTATION_PROFILES, read_profiles

RESOLUTIONS = {"15min": 4, "60min": 1}
HIGH_LOAD = "high_load"
HIGH_LOAD_SHARE = 0.6


@dataclass(frozen=True)
class PrepareSpec:
    out: Path
    sites: int = 2
    profiles: tuple[str, ...] = SUBSTATION_PROFILES[:8]
    resolution: str = "60min"
    rating_ratio: float = 0.9
    scenario: int = 0
    missing_fraction: float = 0.0
    site_names: tuple[str, ...] = ()  # folder names, e.g. the registry's site data paths; default site-NN
    extra: dict[str, Any] = field(default_factory=dict)


def peak_mw(profile: str) -> float:
    """A deterministic substation peak between 20 and 60 MW, so sites differ in scale."""
    return 20.0 + (zlib.crc32(profile.encode()) % 4000) / 100.0


def site_name(i: int) -> str:
    return f"site-{i:02d}"


def prepare(spec: PrepareSpec) -> dict[str, Any]:
    """Write the folders; return the manifest (also written to ``out/manifest.json``)."""
    import numpy as np
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    if spec.resolution not in RESOLUTIONS:
        raise ValueError(f"resolution must be one of {', '.join(RESOLUTIONS)}, got {spec.resolution!r}")
    if spec.site_names and len(spec.site_names) != spec.sites:
        raise ValueError(f"{len(spec.site_names)} site names given for {spec.sites} sites")
    if not 1 <= spec.sites <= len(spec.profiles):
        raise ValueError(f"sites must be between 1 and the number of profiles ({len(spec.profiles)}), got {spec.sites}")
    profiles = read_profiles(list(spec.profiles), spec.scenario)
    if spec.resolution == "60min":
        profiles = profiles.resample("60min").mean()
    steps_per_hour = RESOLUTIONS[spec.resolution]
    rng = np.random.default_rng(7)
    manifest: dict[str, Any] = {
        "source": "simbench",
        "scenario": spec.scenario,
        "resolution": spec.resolution,
        "features": feature_columns(),
        "target": TARGET,
        "labels": {"regression": TARGET, "classification": HIGH_LOAD},
        "sites": {},
    }
    for i in range(spec.sites):
        site = spec.site_names[i] if spec.site_names else site_name(i)
        root = spec.out / site
        (root / "measurements").mkdir(parents=True, exist_ok=True)
        (root / "features").mkdir(parents=True, exist_ok=True)
        assets = []
        for profile in spec.profiles[i :: spec.sites]:
            asset = f"trafo-{profile}"
            peak = peak_mw(profile)
            p_mw = profiles[profile] * peak
            features = day_ahead_features(p_mw, steps_per_hour)
            features.insert(1, "asset_id", asset)
            # A classification label: the hour is in the asset's top load band.
            features[HIGH_LOAD] = (features[TARGET] > HIGH_LOAD_SHARE * peak).astype("int8")
            features.to_parquet(root / "features" / f"part-{asset}.parquet", index=False)
            measured = p_mw.copy()
            if spec.missing_fraction > 0:
                measured[rng.random(len(measured)) < spec.missing_fraction] = np.nan
            frame = pd.DataFrame({"timestamp": measured.index, "asset_id": asset, "p_mw": measured.to_numpy()})
            frame.to_parquet(root / "measurements" / f"part-{asset}.parquet", index=False)
            assets.append(
                {
                    "asset_id": asset,
                    "asset_type": "transformer",
                    "profile": profile,
                    "peak_mw": round(peak, 3),
                    "rated_mw": round(peak * spec.rating_ratio, 3),
                }
            )
        pd.DataFrame(assets).to_csv(root / "assets.csv", index=False)
        manifest["sites"][site] = {
            "assets": [a["asset_id"] for a in assets],
            "profiles": [a["profile"] for a in assets],
        }
    (spec.out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return manifest
