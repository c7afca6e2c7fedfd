"""Agreed LightGBM bins: merging per-rank sketches approximates the bins of the union."""

from __future__ import annotations

import numpy as np

from gridedge_sdk.algorithms.bins import merge, sketch


def test_merged_bounds_split_the_union_evenly_even_when_shards_differ():
    rng = np.random.default_rng(0)
    shards = [rng.normal(loc, 1.0, size=(4000, 1)) for loc in (0.0, 3.0, 6.0, 20.0)]
    forced = merge([sketch(s, 63) for s in shards], 63)
    bounds = np.asarray(forced[0]["bin_upper_bound"])
    union = np.concatenate(shards)[:, 0]
    counts = np.histogram(union, bins=np.concatenate([[-np.inf], bounds, [np.inf]]))[0]
    assert len(bounds) == 62
    # An equal-frequency split of the union would put 16000/63 ≈ 254 rows in each bin.
    assert counts.max() < 1.5 * len(union) / 63
    assert counts.min() > 0.5 * len(union) / 63


def test_few_distinct_values_become_midpoints_and_ranks_agree():
    a = np.asarray([[0.0], [1.0], [1.0]])
    b = np.asarray([[2.0], [3.0]])
    one = merge([sketch(a, 255), sketch(b, 255)], 255)
    two = merge([sketch(a, 255), sketch(b, 255)], 255)
    assert one == two == [{"feature": 0, "bin_upper_bound": [0.5, 1.5, 2.5]}]
