"""Network info round-trips through JSON and rejects inconsistent topologies."""

from __future__ import annotations

import pytest

from gridedge.contract.network import NetworkInfo, kubernetes_network, local_network, pod_name


def test_kubernetes_names_are_stable_dns_names_through_the_headless_service() -> None:
    net = kubernetes_network("grid", "forecast", 2, 29500, 29501)
    assert net.master_addr == "forecast-master-0.forecast.grid.svc.cluster.local"
    assert net.worker_addrs[1] == "forecast-worker-1.forecast.grid.svc.cluster.local:29501"
    assert [e.role for e in net.endpoints] == ["master", "worker"]
    assert pod_name("forecast", 1) == "forecast-worker-1"


def test_json_round_trip_with_rank() -> None:
    net = local_network("ns", "t", 4, 5000, [5001, 5002, 5003, 5004])
    data = net.to_dict(rank=3)
    assert data["rank"] == 3 and data["role"] == "worker"
    assert NetworkInfo.from_json(net.to_json(rank=3)) == net


@pytest.mark.parametrize("size", [0, 65])
def test_world_size_out_of_bounds(size: int) -> None:
    with pytest.raises(ValueError, match="world_size must be between 1 and 64"):
        kubernetes_network("ns", "t", size, 1, 2)


def test_local_ports_must_be_distinct() -> None:
    with pytest.raises(ValueError, match="distinct worker ports"):
        local_network("ns", "t", 2, 5000, [5001, 5001])


def test_missing_field_is_named() -> None:
    with pytest.raises(ValueError, match="'workers'"):
        NetworkInfo.from_dict({"namespace": "x"})
