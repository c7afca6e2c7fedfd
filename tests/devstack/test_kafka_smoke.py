"""The local Kafka broker does real round trips (produce, consume, commit)."""

from __future__ import annotations

import time
import uuid

from confluent_kafka import Consumer, Producer

from gridedge.devstack.kafka import KafkaBroker


def test_produce_then_consume_round_trip(kafka_broker: KafkaBroker) -> None:
    topic = f"smoke-{uuid.uuid4().hex[:8]}"
    kafka_broker.create_topics([topic], partitions=2)
    producer = Producer({"bootstrap.servers": kafka_broker.bootstrap, "enable.idempotence": True, "acks": "all"})
    sent = {f"key-{i}": f"value-{i}" for i in range(20)}
    for key, value in sent.items():
        producer.produce(topic, key=key, value=value)
    assert producer.flush(30) == 0

    consumer = Consumer(
        {
            "bootstrap.servers": kafka_broker.bootstrap,
            "group.id": f"g-{topic}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe([topic])
    received: dict[str, str] = {}
    deadline = time.monotonic() + 60
    try:
        while len(received) < len(sent) and time.monotonic() < deadline:
            msg = consumer.poll(1.0)
            if msg is None or msg.error():
                continue
            received[bytes(msg.key() or b"").decode()] = bytes(msg.value() or b"").decode()
            consumer.commit(message=msg, asynchronous=False)
    finally:
        consumer.close()
    assert received == sent
