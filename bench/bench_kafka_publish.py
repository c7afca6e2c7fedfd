"""Result publishing on a real broker: the contract's producer vs a fire-and-forget one.

DESIGN.md contract 4 asks for an idempotent producer with acks=all. This measures what
that durability costs against acks=1 without idempotence, on a local KRaft broker.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

from bench.harness import Comparison, alternate
from gridedge.devstack.kafka import KafkaBroker
from gridedge.devstack.paths import logs_dir, read_versions

MESSAGES = 20000
PAYLOAD = b"x" * 1024


def _publisher(bootstrap: str, topic: str, conf: dict[str, object]) -> Callable[[], None]:
    """One long-lived producer (as an algorithm has); each call sends a batch and flushes."""
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5, **conf})
    producer.produce(topic, key="warm-up", value=b"")
    producer.flush(60)

    def publish() -> None:
        for i in range(MESSAGES):
            producer.produce(topic, key=f"task-{i % 16}", value=PAYLOAD)
            producer.poll(0)
        remaining = producer.flush(60)
        if remaining:
            raise RuntimeError(f"{remaining} messages not delivered")

    return publish


def run(repeats: int) -> list[Comparison]:
    with tempfile.TemporaryDirectory(prefix="gridedge-bench-") as tmp:
        broker = KafkaBroker(Path(tmp) / "kafka", logs_dir() / "bench", read_versions()["KAFKA_VERSION"]).start()
        try:
            topic = f"bench-{uuid.uuid4().hex[:6]}"
            broker.create_topics([topic], partitions=4)
            ours = (
                "idempotent, acks=all",
                _publisher(broker.bootstrap, topic, {"enable.idempotence": True, "acks": "all"}),
            )
            base = (
                "acks=1, no idempotence",
                _publisher(broker.bootstrap, topic, {"enable.idempotence": False, "acks": "1"}),
            )
            o, b = alternate(ours, base, repeats, MESSAGES, "messages")
        finally:
            broker.stop()
    return [Comparison(f"Kafka publish, {MESSAGES} x 1 KiB", o, b, "durability of the message contract")]
