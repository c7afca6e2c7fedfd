"""Session fixtures over the real local services of :mod:`gridedge.devstack`.

Services start once per test session, on 127.0.0.1, and stop at the end — also on
failure or Ctrl-C (fixture finalizers, an atexit hook, and PR_SET_PDEATHSIG on every
child). Any test that uses one of these fixtures is marked ``integration``
automatically, so ``make test-unit`` never starts a service. On a failure the report
names the service log folder and shows the tails of its logs.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gridedge.devstack.airflow import AirflowHome
from gridedge.devstack.kafka import KafkaBroker
from gridedge.devstack.kube import ControlPlane, KwokNode
from gridedge.devstack.paths import REPO_ROOT, read_versions
from gridedge.devstack.process import install_cleanup_handlers, stop_all

SERVICE_FIXTURES = {"kafka_broker", "edge_clusters", "edge_cluster", "airflow_home"}
EDGE_SITES = {
    "edge-north": (
        KwokNode("north-node-1", {"gridedge.io/site": "north"}),
        KwokNode("north-node-2", {"gridedge.io/site": "north"}),
    ),
    "edge-south": (KwokNode("south-node-1", {"gridedge.io/site": "south"}),),
}
_timings: dict[str, dict[str, Any]] = {}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if SERVICE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gridedge")


@pytest.fixture(scope="session")
def service_log_dir() -> Path:
    path = REPO_ROOT / ".gridedge" / "logs" / time.strftime("session-%Y%m%d-%H%M%S")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session", autouse=True)
def _cleanup_on_exit() -> Iterator[None]:
    install_cleanup_handlers()
    yield
    stop_all()


@pytest.fixture(scope="session")
def kafka_broker(session_dir: Path, service_log_dir: Path) -> Iterator[KafkaBroker]:
    start = time.monotonic()
    broker = KafkaBroker(session_dir / "kafka", service_log_dir, read_versions()["KAFKA_VERSION"])
    try:
        broker.start()
        _record(
            "kafka",
            start,
            broker.provisioned.cold if broker.provisioned else False,
            broker.provisioned.seconds if broker.provisioned else 0.0,
        )
        yield broker
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def edge_clusters(session_dir: Path, service_log_dir: Path) -> Iterator[dict[str, ControlPlane]]:
    """Two independent control planes standing for two edge sites."""
    version = read_versions()["KUBERNETES_VERSION"]
    planes = {
        name: ControlPlane(name, session_dir / name, service_log_dir, version, nodes)
        for name, nodes in EDGE_SITES.items()
    }
    start = time.monotonic()
    try:
        # Provision (build if cold) once before starting both, so they don't race to build.
        from gridedge.devstack.provision import kubernetes_bin

        prov = kubernetes_bin(version)
        # Started from the main thread, one after the other: children get PR_SET_PDEATHSIG,
        # which would kill them when a worker thread that forked them exits.
        for plane in planes.values():
            plane.start()
        _record("kubernetes (2 control planes)", start, prov.cold, prov.seconds)
        yield planes
    finally:
        for plane in planes.values():
            plane.stop()


@pytest.fixture(scope="session")
def edge_cluster(edge_clusters: dict[str, ControlPlane]) -> ControlPlane:
    return edge_clusters["edge-north"]


@pytest.fixture(scope="session")
def airflow_home(session_dir: Path) -> AirflowHome:
    start = time.monotonic()
    home = AirflowHome(session_dir / "airflow").migrate()
    _record("airflow db migrate", start, False, 0.0)
    return home


def _record(name: str, start: float, cold: bool, provision_seconds: float) -> None:
    _timings[name] = {
        "ready_seconds": round(time.monotonic() - start, 1),
        "provision_seconds": round(provision_seconds, 1),
        "provision": "cold (built/downloaded)" if cold else "warm (cache hit)",
    }


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    outcome: Any = yield
    report = outcome.get_result()
    if report.failed and SERVICE_FIXTURES & set(getattr(item, "fixturenames", ())):
        log_root = REPO_ROOT / ".gridedge" / "logs"
        sessions = sorted(log_root.glob("session-*"))
        if sessions:
            latest = sessions[-1]
            tails = [f"service logs: {latest}"]
            for log in sorted(latest.glob("*.log")):
                lines = log.read_text(errors="replace").splitlines()[-8:]
                tails.append(f"--- {log.name} (last {len(lines)} lines)\n" + "\n".join(lines))
            report.sections.append(("gridedge service logs", "\n".join(tails)))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _timings:
        return
    terminalreporter.section("gridedge service start-up")
    for name, t in _timings.items():
        terminalreporter.write_line(
            f"{name:32s} ready in {t['ready_seconds']:6.1f}s  (provisioning {t['provision']}: "
            f"{t['provision_seconds']:.1f}s)"
        )
    out = REPO_ROOT / ".gridedge" / "provisioning.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(_timings, indent=2))
