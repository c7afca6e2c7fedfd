"""Fixtures of the algorithm tests: SimBench site data prepared once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from gridedge.data.prepare import PrepareSpec, prepare
from gridedge.data.simbench_profiles import SUBSTATION_PROFILES


@pytest.fixture(scope="session")
def simbench_sites(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """8 real HV/MV substation profiles (HS0–HS7), hourly, all at one site: ``site-00``."""
    out = tmp_path_factory.mktemp("simbench")
    prepare(PrepareSpec(out=out, sites=1, profiles=SUBSTATION_PROFILES[:8], resolution="60min"))
    return out
