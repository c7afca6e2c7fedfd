"""Publishing results, warnings and progress to Kafka, with byte accounting.

Used through :class:`gridedge_sdk.runner.Context`. One idempotent producer per rank
(``acks=all``, bounded retries and delivery timeout), keyed by task so a task's messages
stay ordered; every message is validated against the schema before it is sent.
:meth:`Publisher.close` flushes and raises :class:`PublishFailed` if Kafka did not
acknowledge everything. Must not decide what to publish.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from gridedge.contract.messages import (
    ErrorInfo,
    Kind,
    WarningInfo,
    build_message,
    encode,
    message_key,
    validate,
)
from gridedge_sdk.config import TaskConfig
from gridedge_sdk.errors import PublishFailed

log = logging.getLogger("gridedge_sdk.publisher")

DELIVERY_TIMEOUT_MS = 30_000
FLUSH_TIMEOUT_S = 40.0


class ByteCounter:
    """Raw bytes this rank read from local data, and bytes it sent over Kafka."""

    def __init__(self) -> None:
        self.read = 0
        self.sent = 0

    def add_read(self, n: int) -> None:
        self.read += int(n)


class Publisher:
    def __init__(self, config: TaskConfig, algorithm: str, counter: ByteCounter) -> None:
        self.config = config
        self.algorithm = algorithm
        self.counter = counter
        self._sequence = 0
        self._failures: list[str] = []
        self._lock = threading.Lock()
        from confluent_kafka import Producer

        self._producer = Producer(
            {
                "bootstrap.servers": config.kafka_bootstrap,
                "enable.idempotence": True,
                "acks": "all",
                "retries": 10,
                "retry.backoff.ms": 200,
                "delivery.timeout.ms": DELIVERY_TIMEOUT_MS,
                "linger.ms": 5,
                "client.id": f"gridedge-{config.task.name}-rank{config.rank}",
                **config.kafka_settings,
                # librdkafka's own log lines go through logging, so they carry the rank.
                "logger": logging.getLogger("gridedge_sdk.kafka"),
            }
        )

    def _topic(self, kind: Kind) -> str:
        return {
            Kind.RESULT: self.config.results_topic,
            Kind.WARNING: self.config.warnings_topic,
            Kind.PROGRESS: self.config.progress_topic,
        }[kind]

    def publish(
        self,
        kind: Kind,
        payload: dict[str, Any],
        warning: WarningInfo | None = None,
        error: ErrorInfo | None = None,
    ) -> dict[str, Any]:
        """Build, validate and enqueue one message; returns the message as sent."""
        with self._lock:
            sequence = self._sequence
            self._sequence += 1
            message, value = self._build(kind, sequence, payload, warning, error)
            self.counter.sent += len(value)
        self._producer.produce(
            self._topic(kind), value=value, key=message_key(self.config.task).encode(), on_delivery=self._delivered
        )
        self._producer.poll(0)
        return message

    def _build(
        self, kind: Kind, sequence: int, payload: dict[str, Any], warning: WarningInfo | None, error: ErrorInfo | None
    ) -> tuple[dict[str, Any], bytes]:
        # bytes.sent counts this message too; its length depends on the number it carries,
        # so settle it by fixed-point iteration (converges in at most a few steps).
        size = 0
        for _ in range(5):
            message = build_message(
                kind=kind,
                task=self.config.task,
                airflow=self.config.airflow,
                rank=self.config.rank,
                world_size=self.config.world_size,
                algorithm=self.algorithm,
                sequence=sequence,
                payload=payload,
                bytes_read=self.counter.read,
                bytes_sent=self.counter.sent + size,
                warning=warning,
                error=error,
            )
            value = encode(message)
            if len(value) == size:
                break
            size = len(value)
        validate(message)
        return message, value

    def _delivered(self, err: Any, msg: Any) -> None:
        if err is not None:
            self._failures.append(f"{msg.topic()}: {err}")

    def close(self, timeout: float = FLUSH_TIMEOUT_S) -> None:
        """Flush everything; raise :class:`PublishFailed` unless Kafka acknowledged all of it."""
        left = self._producer.flush(timeout)
        if left:
            raise PublishFailed(
                f"{left} message(s) not delivered to Kafka at {self.config.kafka_bootstrap} in {timeout:.0f}s"
            )
        if self._failures:
            raise PublishFailed(f"Kafka rejected {len(self._failures)} message(s): {self._failures[0]}")
        log.info("published %d message(s), %d bytes sent", self._sequence, self.counter.sent)
