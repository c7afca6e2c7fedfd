"""Network info: the topology of one EdgeTask's ranks (seed paper, Algorithm 2).

The controller (Kubernetes runtime) and the local runtime build it when they create a
task's workers; it is injected whole as JSON (``GRIDEDGE_NETWORK_INFO``) and through the
framework presets; the algorithm SDK parses it back. Rank 0 is the master. Pure data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from gridedge.contract.names import ROLE_MASTER, ROLE_WORKER

MAX_WORLD_SIZE = 64


@dataclass(frozen=True)
class Endpoint:
    """One rank: where its Pod (or local process) listens."""

    rank: int
    role: str
    host: str
    port: int
    pod_name: str

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class NetworkInfo:
    """The realised topology of a task. ``endpoints[r]`` is rank ``r``."""

    namespace: str
    task_name: str
    service_name: str
    world_size: int
    master_addr: str
    master_port: int
    endpoints: tuple[Endpoint, ...]

    def __post_init__(self) -> None:
        if not 1 <= self.world_size <= MAX_WORLD_SIZE:
            raise ValueError(f"world_size must be between 1 and {MAX_WORLD_SIZE}, got {self.world_size}")
        if len(self.endpoints) != self.world_size:
            raise ValueError(f"expected {self.world_size} endpoints, got {len(self.endpoints)}")
        for i, ep in enumerate(self.endpoints):
            if ep.rank != i:
                raise ValueError(f"endpoint {i} has rank {ep.rank}; endpoints must be in rank order")

    @property
    def worker_addrs(self) -> list[str]:
        """``host:port`` of every rank in rank order (LightGBM's machine list)."""
        return [ep.address for ep in self.endpoints]

    def endpoint(self, rank: int) -> Endpoint:
        if not 0 <= rank < self.world_size:
            raise ValueError(f"rank must be between 0 and {self.world_size - 1}, got {rank}")
        return self.endpoints[rank]

    def to_dict(self, rank: int | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "namespace": self.namespace,
            "taskName": self.task_name,
            "serviceName": self.service_name,
            "worldSize": self.world_size,
            "masterAddr": self.master_addr,
            "masterPort": self.master_port,
            "workers": [
                {"rank": ep.rank, "role": ep.role, "host": ep.host, "port": ep.port, "podName": ep.pod_name}
                for ep in self.endpoints
            ],
        }
        if rank is not None:
            ep = self.endpoint(rank)
            data["rank"] = ep.rank
            data["role"] = ep.role
        return data

    def to_json(self, rank: int | None = None) -> str:
        return json.dumps(self.to_dict(rank), separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NetworkInfo:
        try:
            endpoints = tuple(
                Endpoint(int(w["rank"]), str(w["role"]), str(w["host"]), int(w["port"]), str(w["podName"]))
                for w in data["workers"]
            )
            return cls(
                namespace=str(data["namespace"]),
                task_name=str(data["taskName"]),
                service_name=str(data["serviceName"]),
                world_size=int(data["worldSize"]),
                master_addr=str(data["masterAddr"]),
                master_port=int(data["masterPort"]),
                endpoints=endpoints,
            )
        except KeyError as e:
            raise ValueError(f"network info is missing the field {e.args[0]!r}") from e

    @classmethod
    def from_json(cls, text: str) -> NetworkInfo:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise ValueError(f"network info is not valid JSON: {e}") from e
        if not isinstance(data, dict):
            raise ValueError("network info must be a JSON object")
        return cls.from_dict(data)


def role_of(rank: int) -> str:
    return ROLE_MASTER if rank == 0 else ROLE_WORKER


def pod_name(task_name: str, rank: int) -> str:
    """Deterministic Pod name of a rank: creating twice finds the first one."""
    return f"{task_name}-{role_of(rank)}-{rank}"


def kubernetes_network(
    namespace: str,
    task_name: str,
    world_size: int,
    master_port: int,
    worker_port: int,
    cluster_domain: str = "cluster.local",
) -> NetworkInfo:
    """Topology on Kubernetes: stable per-rank DNS names through the task's headless Service.

    Each Pod sets ``hostname`` to its name and ``subdomain`` to the Service, so rank r is
    reachable at ``<pod>.<service>.<namespace>.svc.<cluster_domain>``.
    """
    service = task_name
    endpoints = tuple(
        Endpoint(
            rank=r,
            role=role_of(r),
            host=f"{pod_name(task_name, r)}.{service}.{namespace}.svc.{cluster_domain}",
            port=worker_port,
            pod_name=pod_name(task_name, r),
        )
        for r in range(world_size)
    )
    return NetworkInfo(
        namespace, task_name, service, world_size, endpoints[0].host if endpoints else "", master_port, endpoints
    )


def local_network(
    namespace: str, task_name: str, world_size: int, master_port: int, worker_ports: list[int], host: str = "127.0.0.1"
) -> NetworkInfo:
    """Topology of the local runtime: every rank on one host, a port per rank."""
    if len(worker_ports) != world_size or len(set(worker_ports)) != world_size:
        raise ValueError(f"local runtime needs {world_size} distinct worker ports, got {worker_ports}")
    if master_port in worker_ports:
        raise ValueError(f"master port {master_port} collides with a worker port")
    endpoints = tuple(
        Endpoint(rank=r, role=role_of(r), host=host, port=worker_ports[r], pod_name=pod_name(task_name, r))
        for r in range(world_size)
    )
    return NetworkInfo(namespace, task_name, task_name, world_size, host, master_port, endpoints)
