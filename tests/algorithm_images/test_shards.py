"""Shard reading: which rows each rank gets, byte accounting, and one-line data errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd  # type: ignore[import-untyped]
import pytest

from gridedge_sdk.errors import ConfigError, DataError
from gridedge_sdk.shards import read_shard


def write_parts(folder: Path, count: int, rows: int = 10) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        frame = pd.DataFrame({"part": [i] * rows, "x": range(rows)})
        if i % 2:
            frame.to_csv(folder / f"part-{i:02d}.csv", index=False)
        else:
            frame.to_parquet(folder / f"part-{i:02d}.parquet", index=False)
    return folder


def test_parts_are_dealt_round_robin_and_bytes_counted(tmp_path):
    folder = write_parts(tmp_path / "d", 5)
    seen = []
    for rank in range(2):
        shard = read_shard(folder, rank, 2)
        seen.append(sorted(shard.frame["part"].unique()))
        assert shard.bytes_read == sum(f.stat().st_size for f in shard.files) > 0
    assert seen == [[0, 2, 4], [1, 3]]


def test_rows_partition_cuts_contiguous_blocks(tmp_path):
    path = tmp_path / "all.parquet"
    pd.DataFrame({"x": range(10)}).to_parquet(path)
    blocks = [read_shard(path, r, 3, "rows").frame["x"].tolist() for r in range(3)]
    assert blocks == [[0, 1, 2], [3, 4, 5], [6, 7, 8, 9]]


def test_a_single_file_is_the_whole_shard_by_default(tmp_path):
    path = tmp_path / "mine.csv"
    pd.DataFrame({"x": [1, 2]}).to_csv(path, index=False)
    assert len(read_shard(path, 1, 4).frame) == 2


def test_missing_path_names_it(tmp_path):
    with pytest.raises(DataError, match=f"data path {tmp_path / 'nope'} does not exist"):
        read_shard(tmp_path / "nope", 0, 1)


def test_more_ranks_than_parts_is_an_empty_shard(tmp_path):
    folder = write_parts(tmp_path / "d", 2)
    with pytest.raises(DataError, match="empty shard: rank 2 of 3 gets none of the 2 parts"):
        read_shard(folder, 2, 3)


def test_zero_rows_is_an_empty_shard(tmp_path):
    path = tmp_path / "empty.parquet"
    pd.DataFrame({"x": pd.Series([], dtype=float)}).to_parquet(path)
    with pytest.raises(DataError, match="empty shard: rank 0 of 1 read 0 rows"):
        read_shard(path, 0, 1)


def test_folder_without_data_files_and_bad_partition(tmp_path):
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(DataError, match="holds no Parquet or CSV files"):
        read_shard(tmp_path, 0, 1)
    with pytest.raises(ConfigError, match="parameter 'partition' must be one of"):
        read_shard(tmp_path, 0, 1, "random")


def test_corrupt_file_is_a_data_error(tmp_path):
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"not parquet at all")
    with pytest.raises(DataError, match=f"cannot read {path}"):
        read_shard(path, 0, 1)
