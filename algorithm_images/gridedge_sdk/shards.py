"""Reading this rank's data shard: a Parquet or CSV file, or a folder of parts.

Called by entrypoints after the config is parsed. Which rows a rank gets is decided here
and only here (parameter ``partition``):

- ``parts`` (default for a folder): the data files in the folder, sorted by name, are dealt
  out round-robin, part ``i`` to rank ``i % world_size``.
- ``none`` (default for a file): the whole path is this rank's data, as when every edge
  node mounts only its own measurements.
- ``rows``: the file, or all parts concatenated, is cut into ``world_size`` contiguous row
  blocks and the rank takes its own.

Counts the raw bytes it reads from disk for the byte accounting. Must not publish or
train; an empty shard or a missing path is a :class:`DataError` naming the path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gridedge_sdk.errors import ConfigError, DataError

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

DATA_SUFFIXES = (".parquet", ".pq", ".csv", ".csv.gz")
PARTITIONS = ("auto", "parts", "none", "rows")


@dataclass(frozen=True)
class Shard:
    frame: pd.DataFrame
    files: tuple[Path, ...]
    bytes_read: int


def data_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith(DATA_SUFFIXES))


def assign(path: Path, rank: int, world_size: int, partition: str = "auto") -> tuple[list[Path], str]:
    """The files rank ``rank`` reads and the effective partition mode."""
    if partition not in PARTITIONS:
        raise ConfigError(f"parameter 'partition' must be one of {', '.join(PARTITIONS)}; got {partition!r}")
    if not path.exists():
        raise DataError(f"data path {path} does not exist")
    if path.is_file():
        if not path.name.endswith(DATA_SUFFIXES):
            raise DataError(f"data file {path} is neither Parquet nor CSV (suffixes {', '.join(DATA_SUFFIXES)})")
        if partition == "parts":
            raise ConfigError(f"parameter 'partition' is 'parts' but data path {path} is a file, not a folder")
        return [path], ("none" if partition == "auto" else partition)
    files = data_files(path)
    if not files:
        raise DataError(f"data folder {path} holds no Parquet or CSV files")
    mode = "parts" if partition == "auto" else partition
    if mode == "parts":
        mine = files[rank::world_size]
        if not mine:
            raise DataError(f"empty shard: rank {rank} of {world_size} gets none of the {len(files)} parts in {path}")
        return mine, mode
    return files, mode


def read_shard(
    path: Path, rank: int, world_size: int, partition: str = "auto", columns: Sequence[str] | None = None
) -> Shard:
    """Read this rank's rows; raise :class:`DataError` if there are none."""
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    files, mode = assign(path, rank, world_size, partition)
    frames = [_read(f, columns) for f in files]
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if mode == "rows":
        n = len(frame)
        lo, hi = n * rank // world_size, n * (rank + 1) // world_size
        frame = frame.iloc[lo:hi].reset_index(drop=True)
    if frame.empty:
        raise DataError(f"empty shard: rank {rank} of {world_size} read 0 rows from {path} (partition {mode})")
    return Shard(frame, tuple(files), sum(f.stat().st_size for f in files))


def _read(path: Path, columns: Sequence[str] | None) -> pd.DataFrame:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    try:
        if path.name.endswith((".parquet", ".pq")):
            return pd.read_parquet(path, columns=list(columns) if columns else None)
        frame = pd.read_csv(path)
    except (OSError, ValueError) as e:
        raise DataError(f"cannot read {path}: {e}".splitlines()[0]) from e
    if columns:
        absent = [c for c in columns if c not in frame.columns]
        if absent:
            raise DataError(f"{path} lacks the columns {', '.join(absent)}")
        frame = frame[list(columns)]
    return frame
