"""Timing helpers shared by the benchmarks: medians over repeats, ratios, peak memory.

Used by ``bench/bench_*.py``; writes nothing itself (``bench/__main__.py`` does).
"""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Measurement:
    name: str
    seconds: list[float]
    unit_count: int
    unit: str
    peak_rss_mb: float | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def rate(self) -> float:
        return self.unit_count / self.median if self.median > 0 else float("inf")


@dataclass(frozen=True)
class Comparison:
    benchmark: str
    ours: Measurement
    baseline: Measurement
    note: str

    @property
    def ratio(self) -> float:
        """ours / baseline median time: below 1 means ours is faster."""
        return self.ours.median / self.baseline.median


def measure(name: str, fn: Callable[[], object], repeats: int, unit_count: int, unit: str) -> Measurement:
    """Run ``fn`` once to warm up, then ``repeats`` times; keep every wall time."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return Measurement(name, times, unit_count, unit)


def alternate(
    ours: tuple[str, Callable[[], object]],
    baseline: tuple[str, Callable[[], object]],
    repeats: int,
    unit_count: int,
    unit: str,
) -> tuple[Measurement, Measurement]:
    """Interleave ours and the baseline run by run, so machine noise hits both alike."""
    ours[1]()
    baseline[1]()
    t_ours: list[float] = []
    t_base: list[float] = []
    for _ in range(repeats):
        for fn, bucket in ((ours[1], t_ours), (baseline[1], t_base)):
            start = time.perf_counter()
            fn()
            bucket.append(time.perf_counter() - start)
    return (Measurement(ours[0], t_ours, unit_count, unit), Measurement(baseline[0], t_base, unit_count, unit))


def children_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
