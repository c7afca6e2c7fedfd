"""Reading SimBench's real-derived load profiles (15-minute steps, 2016, normalised to peak 1).

Called by :mod:`gridedge.data.prepare`. Reads the CSV the ``simbench`` package ships; must
not write anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

# The 28 HV/MV substation profiles (HS0..HS27) are the natural "site" series.
SUBSTATION_PROFILES = tuple(f"HS{i}" for i in range(28))
SUFFIX = "_pload"


def profile_file(scenario: int = 0) -> Path:
    import simbench

    return Path(simbench.complete_data_path(scenario)) / "LoadProfile.csv"


def available_profiles(scenario: int = 0) -> list[str]:
    header = profile_file(scenario).open().readline().strip().split(";")
    return [c.removesuffix(SUFFIX) for c in header if c.endswith(SUFFIX)]


def read_profiles(names: list[str], scenario: int = 0) -> pd.DataFrame:
    """Active-power profiles, one column per profile name, indexed by UTC timestamp."""
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    known = set(available_profiles(scenario))
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown SimBench load profiles {unknown}; known: {', '.join(sorted(known))}")
    frame = pd.read_csv(profile_file(scenario), sep=";", usecols=["time", *(n + SUFFIX for n in names)])
    # SimBench stamps are local standard time without DST shifts; keep them as naive-UTC steps.
    frame.index = pd.to_datetime(frame.pop("time"), format="%d.%m.%Y %H:%M", utc=True)
    frame.index.name = "timestamp"
    frame.columns = [c.removesuffix(SUFFIX) for c in frame.columns]
    return frame
