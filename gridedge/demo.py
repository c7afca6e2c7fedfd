"""The README's main job (``make demo``): the smallest real end-to-end path that exists.

Starts a Kafka broker and an edge control plane with a KWOK node on 127.0.0.1, runs a
Pod on the edge node to completion, sends its result over Kafka and reads it back,
then prints a summary and stops everything. Later issues grow this into the full
workflow demo (Airflow, the controller, the algorithm images).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from gridedge.devstack.kafka import KafkaBroker
from gridedge.devstack.kube import ControlPlane, KwokNode
from gridedge.devstack.paths import logs_dir, read_versions
from gridedge.devstack.process import install_cleanup_handlers, stop_all

RESULTS_TOPIC = "gridedge.results"


def _say(msg: str) -> None:
    print(f"[demo {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def run(workdir: Path) -> dict[str, object]:
    versions = read_versions()
    log_dir = logs_dir() / time.strftime("demo-%Y%m%d-%H%M%S")
    _say(f"service logs: {log_dir}")
    t0 = time.monotonic()
    broker = KafkaBroker(workdir / "kafka", log_dir, versions["KAFKA_VERSION"]).start()
    _say(f"Kafka {versions['KAFKA_VERSION']} (KRaft) up at {broker.bootstrap}")
    plane = ControlPlane(
        "edge-demo",
        workdir / "edge-demo",
        log_dir,
        versions["KUBERNETES_VERSION"],
        (KwokNode("substation-a", {"gridedge.io/site": "substation-a"}),),
    ).start()
    _say(f"edge cluster v{versions['KUBERNETES_VERSION']} up at {plane.server} (kubeconfig {plane.kubeconfig})")
    broker.create_topics([RESULTS_TOPIC])

    from confluent_kafka import Consumer, Producer
    from kubernetes import client, config

    core = client.CoreV1Api(config.new_client_from_config(config_file=str(plane.kubeconfig)))
    pod = client.V1Pod(
        metadata=client.V1ObjectMeta(name="demo-task-rank-0", annotations={"kwok.gridedge.io/outcome": "Succeeded"}),
        spec=client.V1PodSpec(
            restart_policy="Never",
            node_selector={"gridedge.io/site": "substation-a"},
            containers=[client.V1Container(name="algorithm", image="gridedge/statistics:0.1.0")],
        ),
    )
    core.create_namespaced_pod("default", pod)
    phase = ""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and phase not in ("Succeeded", "Failed"):
        observed = core.read_namespaced_pod("demo-task-rank-0", "default").status.phase
        if observed != phase:
            phase = observed
            _say(f"pod demo-task-rank-0 on substation-a: {phase}")
        time.sleep(0.2)
    if phase != "Succeeded":
        raise RuntimeError(f"demo pod ended in phase {phase!r}, expected Succeeded")

    result = {"kind": "result", "task": "default/demo-task", "phase": phase, "node": "substation-a"}
    producer = Producer({"bootstrap.servers": broker.bootstrap, "enable.idempotence": True, "acks": "all"})
    producer.produce(RESULTS_TOPIC, key="default/demo-task", value=json.dumps(result))
    producer.flush(30)
    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "demo", "auto.offset.reset": "earliest"})
    consumer.subscribe([RESULTS_TOPIC])
    received = None
    deadline = time.monotonic() + 30
    while received is None and time.monotonic() < deadline:
        msg = consumer.poll(1.0)
        if msg is not None and not msg.error():
            received = json.loads(bytes(msg.value() or b"{}"))
    consumer.close()
    if received != result:
        raise RuntimeError(f"result did not come back over Kafka: {received!r}")
    elapsed = time.monotonic() - t0
    _say(f"result received over Kafka topic {RESULTS_TOPIC}: {received}")
    return {"elapsed_seconds": round(elapsed, 1), "result": received}


def main() -> int:
    install_cleanup_handlers()
    with tempfile.TemporaryDirectory(prefix="gridedge-demo-") as tmp:
        try:
            summary = run(Path(tmp))
        except Exception as e:
            print(f"demo failed: {e}", file=sys.stderr)
            return 1
        finally:
            stop_all()
    print("\nGridEdge demo summary")
    print(f"  edge task default/demo-task: {summary['result']}")
    print(f"  end to end in {summary['elapsed_seconds']}s; all services stopped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
