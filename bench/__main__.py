"""``make bench``: run the benchmarks and write ``bench/results.md`` (quoted by the docs).

Usage: ``python -m bench [--repeats N] [name ...]`` where name is a module suffix
(``templates``, ``kafka_publish``). Medians over N runs (default 5), ours interleaved
with the baseline so machine noise hits both alike.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import time
from pathlib import Path

from bench.harness import Comparison

BENCHMARKS = ["templates", "kafka_publish", "training"]
OUT = Path(__file__).with_name("results.md")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", default=BENCHMARKS)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rows: list[Comparison] = []
    for name in args.names:
        module = importlib.import_module(f"bench.bench_{name}")
        print(f"running {name} ({args.repeats} repeats) ...", flush=True)
        for row in module.run(args.repeats):
            rows.append(row)
            ours_ms, base_ms = row.ours.median * 1000, row.baseline.median * 1000
            print(
                f"  {row.benchmark}: ours {ours_ms:.1f} ms, baseline {base_ms:.1f} ms, ratio {row.ratio:.2f}",
                flush=True,
            )
    lines = [
        "# Benchmark results",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, by `make bench` "
        f"(median of {args.repeats} runs, ours interleaved with the baseline). "
        "Ratio = ours / baseline median time (below 1: ours is faster).",
        "",
        "| benchmark | ours | baseline | ours median | baseline median | ratio | throughput (ours) | why it matters |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r.benchmark} | {r.ours.name} | {r.baseline.name} | {r.ours.median * 1000:.1f} ms | "
            f"{r.baseline.median * 1000:.1f} ms | {r.ratio:.2f} | {r.ours.rate:,.0f} {r.ours.unit}/s | {r.note} |"
        )
    OUT.write_text("\n".join(lines) + "\n")
    (OUT.with_suffix(".json")).write_text(
        json.dumps(
            [
                {"benchmark": r.benchmark, "ours_s": r.ours.seconds, "baseline_s": r.baseline.seconds, "ratio": r.ratio}
                for r in rows
            ],
            indent=2,
        )
    )
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
