"""The local edge agent plays EdgeTasks stored in a bare apiserver and reports their status."""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client, config

from gridedge.contract.names import GROUP, PLURAL, VERSION
from gridedge.devstack.edgetask import apply_crd
from gridedge.devstack.kube import ControlPlane
from gridedge.devstack.paths import read_versions
from gridedge.devstack.process import ManagedProcess

WRITE_RANK = (
    "import os, pathlib, json\n"
    "net = json.loads(os.environ['GRIDEDGE_NETWORK_INFO'])\n"
    "out = pathlib.Path(os.environ['GRIDEDGE_DATA_PATH']) / ('rank-' + os.environ['RANK'])\n"
    "out.write_text(f\"{net['worldSize']} {os.environ['MASTER_ADDR']}\")\n"
)


@pytest.fixture(scope="module")
def bare_api(session_dir: Path, service_log_dir: Path) -> Iterator[ControlPlane]:
    plane = ControlPlane(
        "local-site", session_dir / "local-site", service_log_dir, read_versions()["KUBERNETES_VERSION"], api_only=True
    )
    try:
        plane.start()
        apply_crd(plane)
        yield plane
    finally:
        plane.stop()


@pytest.fixture
def agent(bare_api: ControlPlane, tmp_path: Path, service_log_dir: Path) -> Iterator[Path]:
    data = tmp_path / "data"
    data.mkdir()
    proc = ManagedProcess(
        "local-agent",
        [
            sys.executable,
            "-m",
            "edge_controller.local.agent",
            "--kubeconfig",
            str(bare_api.kubeconfig),
            "--workdir",
            str(tmp_path / "work"),
            "--volume",
            f"scratch={data}",
        ],
        service_log_dir / f"local-agent-{tmp_path.name}.log",
    ).start()
    try:
        yield data
    finally:
        proc.stop()


def _task(name: str, code: str, world: int) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "EdgeTask",
        "metadata": {"name": name},
        "spec": {
            "image": "python:3.11-slim",
            "command": ["python", "-c", code],
            "worldSize": world,
            "data": {"claimName": "scratch"},
        },
    }


def _wait_terminal(api: client.CustomObjectsApi, ns: str, name: str, timeout: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = api.get_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, name).get("status") or {}
        if status.get("phase") in ("Succeeded", "Failed"):
            return dict(status)
        time.sleep(0.3)
    raise AssertionError(f"EdgeTask {ns}/{name} not terminal after {timeout}s")


def test_agent_runs_tasks_and_writes_their_status(bare_api: ControlPlane, agent: Path) -> None:
    api_client = config.new_client_from_config(config_file=str(bare_api.kubeconfig))
    core, api = client.CoreV1Api(api_client), client.CustomObjectsApi(api_client)
    ns = f"agent-{uuid.uuid4().hex[:6]}"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=ns)))
    api.create_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, _task("pair", WRITE_RANK, 2))
    api.create_namespaced_custom_object(
        GROUP, VERSION, ns, PLURAL, _task("broken", "import sys; print('ERROR no shard'); sys.exit(65)", 1)
    )

    ok = _wait_terminal(api, ns, "pair")
    assert ok["phase"] == "Succeeded", ok
    assert (ok["succeeded"], ok["failed"]) == (2, 0)
    assert ok["networkInfo"]["worldSize"] == 2 and ok["networkInfo"]["masterAddr"] == "127.0.0.1"
    assert sorted(p.name for p in agent.iterdir()) == ["rank-0", "rank-1"]
    assert (agent / "rank-1").read_text() == "2 127.0.0.1"

    bad = _wait_terminal(api, ns, "broken")
    assert (bad["phase"], bad["reason"]) == ("Failed", "RankFailed")
    assert "rank 0 (broken-master-0) exited with 65" in bad["message"]
    # The agent creates no Kubernetes children: the site has no nodes to run them.
    assert core.list_namespaced_pod(ns).items == []
