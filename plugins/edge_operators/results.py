"""Find one EdgeTask's result message on Kafka, by task identity, without a consumer group.

Used by EdgeTaskResultTrigger (through ``sync_to_async``) and by the operator's
non-deferrable mode. It reads from the task's creation time (``offsets_for_times``) on
every partition with its own throw-away group id and never commits, so a restarted or
duplicated trigger reads the same messages again and two copies never steal from each
other. It must not publish anything or hold state beyond one scan.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from airflow.sdk import BaseHook
from confluent_kafka import OFFSET_END, Consumer, TopicPartition

from gridedge.contract import messages

log = logging.getLogger(__name__)
CLOCK_SKEW_MS = 120_000  # the producer's clock may lag the apiserver's


def kafka_config(kafka_config_id: str) -> dict[str, Any]:
    """The confluent-kafka settings of an ``apache-kafka`` Airflow connection."""
    extra: dict[str, Any] = dict(BaseHook.get_connection(kafka_config_id).extra_dejson)
    if not extra.get("bootstrap.servers"):
        raise ValueError(f"Kafka connection {kafka_config_id!r} has no 'bootstrap.servers' in its extra")
    return extra


@dataclass(frozen=True)
class TaskKey:
    namespace: str
    name: str
    uid: str | None = None

    def matches(self, message: dict[str, Any]) -> bool:
        task = message.get("task") or {}
        if task.get("namespace") != self.namespace or task.get("name") != self.name:
            return False
        return not (self.uid and task.get("uid") and task.get("uid") != self.uid)


class ResultScanner:
    """Scan ``topic`` for the result of ``key`` published at or after ``since_ms``."""

    def __init__(self, config: dict[str, Any], topic: str, key: TaskKey, since_ms: int) -> None:
        self.config = config
        self.topic = topic
        self.key = key
        self.since_ms = max(0, since_ms - CLOCK_SKEW_MS)
        self._consumer: Consumer | None = None
        self.seen_ranks: set[int] = set()
        self._assigned = False
        # poll() runs in a worker thread; close() from cleanup must wait for an in-flight poll.
        self._lock = threading.Lock()
        self._closed = False

    def open(self) -> None:
        settings = {
            **self.config,
            "group.id": f"gridedge-result-scan-{uuid.uuid4().hex}",
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
        }
        self._consumer = Consumer(settings)
        self._assign()

    def _assign(self) -> bool:
        assert self._consumer is not None
        meta = self._consumer.list_topics(self.topic, timeout=10)
        topic = meta.topics.get(self.topic)
        if topic is None or topic.error is not None or not topic.partitions:
            return False  # not created yet: the first publisher creates it; try again on the next poll
        wanted = [TopicPartition(self.topic, p, self.since_ms) for p in sorted(topic.partitions)]
        offsets = self._consumer.offsets_for_times(wanted, timeout=10)
        for tp in offsets:
            if tp.offset < 0:
                tp.offset = OFFSET_END
        self._consumer.assign(offsets)
        self._assigned = True
        return True

    def poll(self, timeout: float) -> dict[str, Any] | None:
        """The matching result of rank 0 (or any failed rank's result), or None after ``timeout``."""
        with self._lock:
            if self._closed:
                return None
            if self._consumer is None:
                self.open()
            assert self._consumer is not None
            if not self._assigned and not self._assign():
                return None
            record = self._consumer.poll(timeout)
        return self._match(record)

    def _match(self, record: Any) -> dict[str, Any] | None:
        if record is None:
            return None
        if record.error():
            log.warning("Kafka error while waiting for the result of %s/%s: %s", *self._ref(), record.error())
            return None
        value = record.value()
        if value is None:
            return None  # a tombstone
        try:
            message = messages.decode(value)
        except messages.MessageError as e:
            log.warning("skipping a message on %s that is not a GridEdge message: %s", self.topic, e)
            return None
        if message["kind"] != "result" or not self.key.matches(message):
            return None
        self.seen_ranks.add(int(message["rank"]))
        if message.get("status") == "failed" or int(message["rank"]) == 0:
            return message
        return None

    def _ref(self) -> tuple[str, str]:
        return self.key.namespace, self.key.name

    def close(self) -> None:
        with self._lock:
            consumer, self._consumer = self._consumer, None
            self._closed = True
        if consumer is not None:
            consumer.close()
