"""Start and stop the demo stack; the state file says what runs, so re-runs are idempotent.

Called by :mod:`gridedge.demo.__main__`. Services start inside
:func:`gridedge.devstack.process.detached` so they outlive the demo command (the UI stays
up); their process groups land in ``state.json``, which ``stop`` reads. Must not trigger
workflows or read results (that is :mod:`.follow` and :mod:`.summary`).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from gridedge.demo.console import say
from gridedge.devstack.airflow import AirflowHome
from gridedge.devstack.edgetask import apply_crd
from gridedge.devstack.kafka import KafkaBroker
from gridedge.devstack.kube import ControlPlane
from gridedge.devstack.paths import REPO_ROOT, read_versions
from gridedge.devstack.process import ManagedProcess, detached
from gridedge.devstack.standalone import AirflowStandalone
from gridedge.registry import load_registry

SITES = ("north", "south")
NAMESPACE = "gridedge"
DATA_CLAIM = "gridedge-data"


def demo_dir() -> Path:
    return Path(os.environ.get("GRIDEDGE_DEMO_DIR") or REPO_ROOT / ".gridedge" / "demo")


@dataclass(frozen=True)
class Stack:
    airflow_url: str
    password: str
    kafka_bootstrap: str
    kubeconfigs: dict[str, str]
    home: Path
    log_dir: Path
    data_dir: Path
    server: AirflowStandalone


def _record(state: Path, procs: list[ManagedProcess], extra: dict[str, object]) -> None:
    state.write_text(json.dumps({"pgids": [p.pid for p in procs], "names": [p.name for p in procs], **extra}, indent=2))


def stop(quiet: bool = False) -> bool:
    """Stop a previous demo stack (SIGTERM to each process group, then SIGKILL)."""
    state = demo_dir() / "state.json"
    if not state.exists():
        if not quiet:
            say("no demo is running")
        return False
    pgids = [int(p) for p in json.loads(state.read_text()).get("pgids", [])]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pgid in reversed(pgids):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, sig)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_group_alive(g) for g in pgids):
            time.sleep(0.2)
    state.unlink()
    if not quiet:
        say(f"stopped the demo stack ({len(pgids)} services)")
    return True


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def prepare_data(root: Path) -> Path:
    """Two sites' real SimBench data, under the folder names the registry's sites use."""
    data = root / "data"
    if (data / "manifest.json").exists():
        return data
    say("preparing two edge sites' data from SimBench's real load profiles")
    tmp = root / "data.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "gridedge.data",
            "--out",
            str(tmp),
            "--sites",
            str(len(SITES)),
            "--site-names",
            ",".join(SITES),
            "--resolution",  # SimBench's own 15-minute steps, the statistics' interval
            "15min",
        ],
        check=True,
    )
    tmp.rename(data)
    return data


def start(root: Path) -> Stack:
    """Start Kafka, two local edge sites and Airflow; return their addresses."""
    stop(quiet=True)
    versions = read_versions()
    log_dir = root / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    data = prepare_data(root)
    registry = load_registry()
    procs: list[ManagedProcess] = []
    state = root / "state.json"
    with detached():
        broker = KafkaBroker(root / "kafka", log_dir, versions["KAFKA_VERSION"]).start()
        procs.append(broker._proc)  # type: ignore[arg-type]
        _record(state, procs, {})
        kafka = registry.settings.kafka
        broker.create_topics([kafka.results_topic, kafka.warnings_topic, kafka.progress_topic])
        say(f"Kafka {versions['KAFKA_VERSION']} (KRaft) at {broker.bootstrap}")

        kubeconfigs: dict[str, str] = {}
        for site in SITES:
            plane = ControlPlane(
                f"site-{site}", root / f"site-{site}", log_dir, versions["KUBERNETES_VERSION"], api_only=True
            ).start()
            procs.extend(plane._procs.values())
            apply_crd(plane)
            plane.kubectl("create", "namespace", NAMESPACE)
            agent = ManagedProcess(
                f"agent-{site}",
                [
                    sys.executable,
                    "-m",
                    "edge_controller.local.agent",
                    "--kubeconfig",
                    str(plane.kubeconfig),
                    "--workdir",
                    str(root / "runs" / site),
                    "--volume",
                    f"{DATA_CLAIM}={data}",
                ],
                log_dir / f"agent-{site}.log",
            ).start()
            procs.append(agent)
            _record(state, procs, {})
            kubeconfigs[site] = str(plane.kubeconfig)
            say(f"edge site {site}: local runtime behind an EdgeTask API at {plane.server}")

        connections = {
            f"AIRFLOW_CONN_{registry.site(s).connection_id.upper()}": json.dumps(
                {"conn_type": "kubernetes", "extra": {"kube_config_path": kubeconfigs[s], "namespace": NAMESPACE}}
            )
            for s in SITES
        }
        for conn_id, extra in (
            (kafka.connection_id, {"group.id": "gridedge-airflow"}),
            (kafka.warnings_connection_id, {"group.id": "gridedge-warnings", "auto.offset.reset": "earliest"}),
        ):
            connections[f"AIRFLOW_CONN_{conn_id.upper()}"] = json.dumps(
                {"conn_type": "kafka", "extra": {"bootstrap.servers": broker.bootstrap, **extra}}
            )
        home_dir = root / "airflow"
        shutil.rmtree(home_dir, ignore_errors=True)
        home = AirflowHome(home_dir, parallelism=4, extra_env=connections).migrate()
        server = AirflowStandalone(home, log_dir, port=int(os.environ.get("GRIDEDGE_DEMO_PORT", "0") or 0))
        say("starting Airflow (scheduler, dag-processor, triggerer, api-server)")
        server.start()
        procs.append(server._proc)  # type: ignore[arg-type]
    stack = Stack(server.url, server.password(), broker.bootstrap, kubeconfigs, home_dir, log_dir, data, server)
    _record(state, procs, {"airflow_url": stack.airflow_url, "airflow_home": str(home_dir)})
    say(f"Airflow UI at {stack.airflow_url} (login admin / {stack.password})")
    return stack
