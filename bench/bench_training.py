"""Distributed training through the local runtime vs one process on the union of the shards.

What a site pays for training next to the data with several ranks: wall time of the whole
task (start-up, tracker or machine list, training, result) and the peak RSS of the largest
rank, for XGBoost and LightGBM on 8 real SimBench substation profiles. Each run is a fresh
``run_task`` in a child interpreter, so its peak RSS is its ranks' own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap
import uuid
from pathlib import Path

from bench.harness import Comparison, Measurement
from gridedge.data.features import feature_columns
from gridedge.data.prepare import PrepareSpec, prepare
from gridedge.data.simbench_profiles import SUBSTATION_PROFILES
from gridedge.devstack.kafka import KafkaBroker
from gridedge.devstack.paths import REPO_ROOT, logs_dir, read_versions

ROUNDS = 50
_RUNNER = textwrap.dedent(
    """
    import json, resource, sys, time
    from pathlib import Path
    from edge_controller.local import run_task
    manifest, work, data = json.loads(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    start = time.perf_counter()
    status = run_task(manifest, work, volumes={"site-data": data, "models": work}, timeout=600)
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"phase": str(status.phase), "message": status.message, "seconds": seconds, "rss_mb": rss}))
    """
)


def _manifest(algorithm: str, world: int, bootstrap: str) -> dict[str, object]:
    name = f"bench-{algorithm.split('_')[0]}-{world}-{uuid.uuid4().hex[:6]}"
    return {
        "apiVersion": "gridedge.io/v1alpha1",
        "kind": "EdgeTask",
        "metadata": {"name": name, "namespace": "bench", "uid": str(uuid.uuid4())},
        "spec": {
            "image": f"gridedge/{algorithm}:0.1.0",
            "command": ["python", "-m", f"gridedge_sdk.algorithms.{algorithm}"],
            "framework": "xgboost" if algorithm == "xgboost_train" else "lightgbm",
            "worldSize": world,
            "env": [{"name": "OMP_NUM_THREADS", "value": "1"}],
            "params": {
                "label": "target",
                "features": feature_columns(),
                "test_from": "2016-11-01",
                "num_boost_round": ROUNDS,
            },
            "data": {"claimName": "site-data", "path": "site-00/features"},
            "output": {"claimName": "models", "subPath": name},
            "resultSink": {"bootstrapServers": bootstrap},
        },
    }


def _once(algorithm: str, world: int, bootstrap: str, data: Path, work: Path) -> tuple[float, float]:
    manifest = _manifest(algorithm, world, bootstrap)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _RUNNER,
            json.dumps(manifest),
            str(work / str(manifest["metadata"]["name"])),  # type: ignore[index]
            str(data),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        cwd=REPO_ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{algorithm} x{world} failed: {done.stderr[-2000:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    if out["phase"] != "Succeeded":
        raise RuntimeError(f"{algorithm} x{world}: {out['message']}")
    return float(out["seconds"]), float(out["rss_mb"])


def run(repeats: int) -> list[Comparison]:
    rows: list[Comparison] = []
    with tempfile.TemporaryDirectory(prefix="gridedge-bench-train-") as tmp:
        root = Path(tmp)
        prepare(PrepareSpec(out=root / "data", sites=1, profiles=SUBSTATION_PROFILES[:8], resolution="60min"))
        broker = KafkaBroker(root / "kafka", logs_dir() / "bench", read_versions()["KAFKA_VERSION"]).start()
        try:
            broker.create_topics(["gridedge.results", "gridedge.warnings", "gridedge.progress"])
            for algorithm in ("xgboost_train", "lightgbm_train"):
                for world in (2, 4):
                    times: dict[int, list[float]] = {1: [], world: []}
                    rss: dict[int, float] = {1: 0.0, world: 0.0}
                    for _ in range(repeats):  # interleaved: single, distributed, single, ...
                        for w in (1, world):
                            seconds, peak = _once(algorithm, w, broker.bootstrap, root / "data", root / "work")
                            times[w].append(seconds)
                            rss[w] = max(rss[w], peak)
                    rows.append(
                        Comparison(
                            f"{algorithm} {ROUNDS} rounds, 8 substations",
                            Measurement(
                                f"{world} ranks (largest rank {rss[world]:.0f} MB)",
                                times[world],
                                1,
                                "tasks",
                                rss[world],
                            ),
                            Measurement(f"1 process (peak {rss[1]:.0f} MB)", times[1], 1, "tasks", rss[1]),
                            "cost of training where the data is, split over ranks",
                        )
                    )
        finally:
            broker.stop()
    return rows
