"""Sample EdgeTask manifests (plain dicts, as the apiserver returns them) and the env they must give."""

from __future__ import annotations

import copy
import json
from typing import Any

BASE: dict[str, Any] = {
    "apiVersion": "gridedge.io/v1alpha1",
    "kind": "EdgeTask",
    "metadata": {
        "name": "forecast",
        "namespace": "grid",
        "uid": "0b7c0d4e-1111-2222-3333-444455556666",
        "labels": {"gridedge.io/dag-id": "load_forecast", "gridedge.io/try-number": "2", "team": "ops"},
        "annotations": {"gridedge.io/run-id": "manual__2026-12-03T09:00:00+00:00"},
    },
    "spec": {"image": "gridedge/xgboost:1", "command": ["python", "-m", "algo"], "args": ["--rounds", "10"]},
}


def manifest(**spec: Any) -> dict[str, Any]:
    """BASE with ``spec`` keys replaced (a key set to None is removed)."""
    out = copy.deepcopy(BASE)
    for key, value in spec.items():
        if value is None:
            out["spec"].pop(key, None)
        else:
            out["spec"][key] = value
    return out


UID = "0b7c0d4e-1111-2222-3333-444455556666"
USER_ENV = [
    {"name": "PEERS", "template": "${worker_addrs}"},
    {"name": "ME", "template": "rank ${rank} of ${world_size} at ${host}:${port}, $$HOME stays"},
    {"name": "LITERAL", "value": "${rank} $(MASTER_ADDR)"},
    {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "token"}}},
]


def env_of(pod: dict[str, Any]) -> dict[str, Any]:
    env = pod["spec"]["containers"][0]["env"]
    names = [e["name"] for e in env]
    assert len(names) == len(set(names)), f"duplicate env names: {names}"
    # The apiserver omits an empty value: the variable is still set, to "".
    return {e["name"]: e["valueFrom"] if e.get("valueFrom") else e.get("value") or "" for e in env}


def expected_env(
    framework: str,
    world: int,
    rank: int,
    hosts: list[str],
    ports: list[int],
    master_port: int,
    name: str = "forecast",
    namespace: str = "grid",
    uid: str = UID,
) -> dict[str, Any]:
    """What a rank must see, written out independently of the builder."""
    addrs = ",".join(f"{h}:{p}" for h, p in zip(hosts, ports, strict=True))
    workers = [
        {
            "rank": r,
            "role": "master" if r == 0 else "worker",
            "host": hosts[r],
            "port": ports[r],
            "podName": f"{name}-{'master' if r == 0 else 'worker'}-{r}",
        }
        for r in range(world)
    ]
    network = {
        "namespace": namespace,
        "taskName": name,
        "serviceName": name,
        "worldSize": world,
        "masterAddr": hosts[0],
        "masterPort": master_port,
        "workers": workers,
        "rank": rank,
        "role": workers[rank]["role"],
    }
    env: dict[str, Any] = {
        "GRIDEDGE_NETWORK_INFO": network,
        "GRIDEDGE_RANK": str(rank),
        "GRIDEDGE_ROLE": workers[rank]["role"],
        "GRIDEDGE_WORLD_SIZE": str(world),
        "GRIDEDGE_TASK_NAMESPACE": namespace,
        "GRIDEDGE_TASK_NAME": name,
        "GRIDEDGE_TASK_UID": uid,
        "GRIDEDGE_DAG_ID": "load_forecast",
        "GRIDEDGE_RUN_ID": "manual__2026-12-03T09:00:00+00:00",
        "GRIDEDGE_AIRFLOW_TASK_ID": "",
        "GRIDEDGE_TRY_NUMBER": "2",
        "GRIDEDGE_KAFKA_BOOTSTRAP": "kafka.grid:9092",
        "GRIDEDGE_RESULTS_TOPIC": "gridedge.results",
        "GRIDEDGE_WARNINGS_TOPIC": "site.north.warnings",
        "GRIDEDGE_PROGRESS_TOPIC": "gridedge.progress",
        "GRIDEDGE_DATA_PATH": f"/data/rank-{rank}.parquet",
        "GRIDEDGE_OUTPUT_PATH": "/output",
        "GRIDEDGE_PARAMS": '{"max_depth":6,"rounds":10}',
        "MASTER_ADDR": hosts[0],
        "MASTER_PORT": str(master_port),
        "WORLD_SIZE": str(world),
        "RANK": str(rank),
        "WORKER_ADDRS": addrs,
        "WORKER_PORT": str(ports[rank]),
        "PEERS": addrs,
        "ME": f"rank {rank} of {world} at {hosts[rank]}:{ports[rank]}, $HOME stays",
        "LITERAL": "${rank} $(MASTER_ADDR)",
        "TOKEN": {"secretKeyRef": {"name": "creds", "key": "token", "optional": False}},
    }
    if framework == "xgboost":
        env |= {
            "DMLC_TRACKER_URI": hosts[0],
            "DMLC_TRACKER_PORT": str(master_port),
            "DMLC_TASK_ID": str(rank),  # one digit for world sizes up to 10
            "DMLC_NUM_WORKER": str(world),
        }
    if framework == "lightgbm":
        env |= {
            "LIGHTGBM_MACHINES": addrs,
            "LIGHTGBM_LOCAL_LISTEN_PORT": str(ports[rank]),
            "LIGHTGBM_NUM_MACHINES": str(world),
        }
    return env


def full_manifest(framework: str, world: int, outcome: str = "Succeeded") -> dict[str, Any]:
    """Every kind of spec field set; the env this gives is :func:`expected_env`."""
    return manifest(
        framework=framework,
        worldSize=world,
        env=USER_ENV,
        params={"rounds": 10, "max_depth": 6},
        data={"claimName": "north-meters", "subPath": "site-north", "path": "rank-${rank}.parquet"},
        resultSink={"bootstrapServers": "kafka.grid:9092", "warningsTopic": "site.north.warnings"},
        resources={"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"memory": "2Gi"}},
        nodeSelector={"gridedge.io/site": "north"},
        podTemplate={"metadata": {"annotations": {"kwok.gridedge.io/outcome": outcome}, "labels": {"app": "x"}}},
    )


def decoded(env: dict[str, Any]) -> dict[str, Any]:
    """The env with GRIDEDGE_NETWORK_INFO parsed, to compare as data rather than as a string."""
    return {**env, "GRIDEDGE_NETWORK_INFO": json.loads(env["GRIDEDGE_NETWORK_INFO"])}
