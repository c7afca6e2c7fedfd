"""The triggers on the real apiservers and broker: serialize, status, result, combined."""

from __future__ import annotations

import asyncio
import importlib
import time
import uuid
from typing import Any

import pytest

from edge_operators.hooks.edge_cluster import EdgeClusterHook
from edge_operators.identity import creation_ms
from edge_operators.triggers.edge_task import EdgeTaskTrigger
from edge_operators.triggers.result import EdgeTaskResultTrigger
from edge_operators.triggers.status import EdgeTaskStatusTrigger
from gridedge.contract import messages
from gridedge.devstack.kafka import KafkaBroker
from gridedge.devstack.kube import ControlPlane
from tests.edge_operators.fixtures import NAMESPACE
from tests.edge_operators.helpers import publish_result, set_status
from tests.edge_operators.test_edge_cluster_hook import manifest

TRIGGERS = [
    EdgeTaskStatusTrigger("t", "ns", "edge_north", resync_seconds=5, unreachable_timeout=7.0, retry_delay=0.5),
    EdgeTaskResultTrigger("t", "ns", "uid-1", 123, "gridedge_kafka", "gridedge.results", "edge_north", 9.0, 0.5),
    EdgeTaskTrigger("t", "ns", "uid-1", 123, "edge_north", "gridedge_kafka", "topic", False, 30.0, 5, 8.0, False),
]


@pytest.mark.parametrize("trigger", TRIGGERS, ids=lambda t: type(t).__name__)
def test_serialize_round_trips_every_argument(trigger: Any) -> None:
    classpath, kwargs = trigger.serialize()
    module, _, name = classpath.rpartition(".")
    cls = getattr(importlib.import_module(module), name)
    assert cls is type(trigger)
    assert cls(**kwargs).serialize() == (classpath, kwargs)
    defaults = cls.__init__.__code__.co_varnames[1 : cls.__init__.__code__.co_argcount]
    assert set(kwargs) == set(defaults)


def _created(hook: EdgeClusterHook, prefix: str) -> dict[str, Any]:
    return hook.create_edge_task(manifest(f"{prefix}-{uuid.uuid4().hex[:8]}"))


async def _later(delay: float, fn: Any, *args: Any, **kwargs: Any) -> None:
    await asyncio.sleep(delay)
    await asyncio.to_thread(fn, *args, **kwargs)


def test_status_trigger_reports_the_controllers_reason(edge_connections: dict[str, str]) -> None:
    hook = EdgeClusterHook(edge_connections["edge-north"])
    obj = _created(hook, "st-fail")
    name = obj["metadata"]["name"]
    trigger = EdgeTaskStatusTrigger(name, NAMESPACE, edge_connections["edge-north"], resync_seconds=5)

    async def scenario() -> dict[str, Any]:
        change = _later(
            0.5,
            set_status,
            hook,
            name,
            NAMESPACE,
            phase="Failed",
            reason="RankFailed",
            message="rank 1 exited with code 137 (OOMKilled)",
        )
        result: dict[str, Any] = (await asyncio.wait_for(asyncio.gather(trigger.wait_for_terminal(), change), 30))[0]
        return result

    ev = asyncio.run(scenario())
    assert ev["status"] == "error"
    assert ev["message"] == f"EdgeTask {NAMESPACE}/{name} failed: RankFailed: rank 1 exited with code 137 (OOMKilled)"


def test_status_trigger_survives_an_apiserver_restart(
    edge_connections: dict[str, str], edge_clusters: dict[str, ControlPlane]
) -> None:
    plane = edge_clusters["edge-south"]
    hook = EdgeClusterHook(edge_connections["edge-south"])
    name = _created(hook, "st-restart")["metadata"]["name"]
    trigger = EdgeTaskStatusTrigger(
        name, NAMESPACE, edge_connections["edge-south"], resync_seconds=3, unreachable_timeout=90, retry_delay=0.5
    )

    async def scenario() -> dict[str, Any]:
        waiting = asyncio.create_task(trigger.wait_for_terminal())
        await asyncio.sleep(1.0)
        await asyncio.to_thread(plane.restart_component, "kube-apiserver")
        assert not waiting.done()
        fresh = EdgeClusterHook(edge_connections["edge-south"])  # new client: the old pool's sockets died
        await asyncio.to_thread(set_status, fresh, name, NAMESPACE, phase="Succeeded", reason="AllRanksSucceeded")
        return await asyncio.wait_for(waiting, 60)

    ev = asyncio.run(scenario())
    assert ev["status"] == "success" and ev["phase"] == "Succeeded"


def test_status_trigger_gives_up_on_an_unreachable_cluster_with_a_clear_message(
    edge_connections: dict[str, str],
) -> None:
    trigger = EdgeTaskStatusTrigger("x", NAMESPACE, "edge_unreachable", unreachable_timeout=1.0, retry_delay=0.3)
    start = time.monotonic()
    ev = asyncio.run(asyncio.wait_for(trigger.wait_for_terminal(), 60))
    assert time.monotonic() - start < 30
    assert ev["status"] == "error"
    assert "edge cluster 'edge_unreachable'" in ev["message"] and "unreachable" in ev["message"]


def test_result_trigger_picks_its_own_task_out_of_the_topic(kafka_connection: str, kafka_broker: KafkaBroker) -> None:
    name = f"res-{uuid.uuid4().hex[:8]}"
    since = int(time.time() * 1000)
    publish_result(kafka_broker.bootstrap, NAMESPACE, "someone-else", "u-other")
    publish_result(kafka_broker.bootstrap, NAMESPACE, name, "u-old-incarnation")  # same name, other uid
    publish_result(kafka_broker.bootstrap, NAMESPACE, name, "u-1", rank=1, world_size=2)
    mine = publish_result(
        kafka_broker.bootstrap, NAMESPACE, name, "u-1", rank=0, world_size=2, payload={"metrics": {"rmse": 0.25}}
    )
    trigger = EdgeTaskResultTrigger(name, NAMESPACE, "u-1", since, kafka_connection, "gridedge.results", timeout=30)

    async def scenario() -> dict[str, Any]:
        try:
            return await trigger.wait_for_result(30)
        finally:
            await trigger.cleanup()

    ev = asyncio.run(scenario())
    assert ev["status"] == "success"
    assert ev["result"]["message_id"] == mine["message_id"]
    assert ev["result"]["payload"] == {"metrics": {"rmse": 0.25}}


def test_result_trigger_reports_a_failed_rank(kafka_connection: str, kafka_broker: KafkaBroker) -> None:
    name = f"resf-{uuid.uuid4().hex[:8]}"
    err = messages.ErrorInfo(reason="DataError", message="shard /data/north is empty", exit_code=2, retryable=False)
    publish_result(kafka_broker.bootstrap, NAMESPACE, name, None, rank=1, world_size=2, error=err)
    trigger = EdgeTaskResultTrigger(
        name, NAMESPACE, "u-2", int(time.time() * 1000), kafka_connection, "gridedge.results"
    )
    ev = asyncio.run(asyncio.wait_for(trigger.wait_for_result(30), 40))
    assert ev["status"] == "error"
    assert "rank 1 failed: DataError: shard /data/north is empty" in ev["message"]


def test_combined_trigger_needs_success_and_the_result(
    edge_connections: dict[str, str], kafka_connection: str, kafka_broker: KafkaBroker
) -> None:
    conn = edge_connections["edge-north"]
    hook = EdgeClusterHook(conn)
    obj = _created(hook, "comb")
    meta = obj["metadata"]

    def make(timeout: float) -> EdgeTaskTrigger:
        return EdgeTaskTrigger(
            meta["name"],
            NAMESPACE,
            meta["uid"],
            creation_ms(obj),
            conn,
            kafka_connection,
            "gridedge.results",
            result_timeout=timeout,
            resync_seconds=5,
        )

    async def no_result() -> dict[str, Any]:
        change = _later(0.3, set_status, hook, meta["name"], NAMESPACE, phase="Succeeded")
        ev: dict[str, Any] = (await asyncio.wait_for(asyncio.gather(make(3).wait(), change), 40))[0]
        return ev

    ev = asyncio.run(no_result())
    assert ev["status"] == "error" and "no result message arrived on gridedge.results within 3s" in ev["message"]

    sent = publish_result(kafka_broker.bootstrap, NAMESPACE, meta["name"], meta["uid"])
    ev = asyncio.run(asyncio.wait_for(make(30).wait(), 40))
    assert ev["status"] == "success" and ev["phase"] == "Succeeded"
    assert ev["result"]["message_id"] == sent["message_id"]
