"""A single-node Apache Kafka 4.x broker in KRaft mode on 127.0.0.1.

Used by the test fixtures and the demo. The broker classpath comes from
``scripts/provision_kafka.sh``; this module writes ``server.properties``, formats
the log directory, starts ``kafka.Kafka`` and waits until the broker answers a
metadata request. It does not create topics: callers do, with the admin client.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gridedge.devstack import ports
from gridedge.devstack.errors import PortInUseError, ServiceStartError
from gridedge.devstack.process import ManagedProcess, run_checked
from gridedge.devstack.provision import Provisioned, kafka_libs, require_tool

_LOG4J = """\
status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = {logfile}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.state.name = state.change.logger
logger.state.level = WARN
"""


@dataclass
class KafkaBroker:
    """Start with :meth:`start`, stop with :meth:`stop`; ``bootstrap`` is host:port."""

    workdir: Path
    log_dir: Path
    version: str
    port: int = 0
    controller_port: int = 0
    heap: str = "384m"
    provisioned: Provisioned | None = None
    _proc: ManagedProcess | None = field(default=None, repr=False)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> KafkaBroker:
        for wanted, name in ((self.port, "Kafka broker"), (self.controller_port, "Kafka controller")):
            if wanted and not ports.is_free(wanted):
                raise PortInUseError(wanted, name)
        java = require_tool("java")
        self.provisioned = kafka_libs(self.version)
        libs = self.provisioned.path
        self.port = self.port or ports.free_port()
        self.controller_port = self.controller_port or ports.free_port()

        data = self.workdir / "data"
        if data.exists():
            shutil.rmtree(data)
        data.mkdir(parents=True)
        props = self.workdir / "server.properties"
        props.write_text(
            "\n".join(
                [
                    "process.roles=broker,controller",
                    "node.id=1",
                    f"controller.quorum.voters=1@127.0.0.1:{self.controller_port}",
                    f"listeners=PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
                    f"advertised.listeners=PLAINTEXT://127.0.0.1:{self.port}",
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    f"log.dirs={data}",
                    "num.partitions=1",
                    "offsets.topic.replication.factor=1",
                    "offsets.topic.num.partitions=4",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "min.insync.replicas=1",
                    "default.replication.factor=1",
                    "group.initial.rebalance.delay.ms=0",
                    "auto.create.topics.enable=false",
                    "log.flush.interval.messages=1000000",
                    "",
                ]
            )
        )
        log4j = self.workdir / "log4j2.properties"
        log4j.write_text(_LOG4J.format(logfile=self.log_dir / "kafka-server.log"))
        classpath = f"{libs}/*"
        jvm = [
            java,
            f"-Xmx{self.heap}",
            f"-Xms{self.heap}",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={log4j}",
            f"-Dkafka.logs.dir={self.log_dir}",
            "-cp",
            classpath,
        ]
        cluster_id = run_checked([*jvm, "kafka.tools.StorageTool", "random-uuid"], "kafka-storage random-uuid").strip()
        cluster_id = cluster_id.splitlines()[-1] if cluster_id else str(uuid.uuid4())
        run_checked(
            [*jvm, "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(props)],
            "kafka-storage format",
        )
        self._proc = ManagedProcess("kafka", [*jvm, "kafka.Kafka", str(props)], self.log_dir / "kafka.log").start()
        self._proc.wait_healthy(self._metadata_ok, timeout, "broker answers metadata requests")
        return self

    def _metadata_ok(self) -> bool:
        # Imported lazily: the dev stack must load without the Kafka client installed.
        from confluent_kafka.admin import AdminClient

        with socket.create_connection(("127.0.0.1", self.port), timeout=1):
            pass
        admin = AdminClient({"bootstrap.servers": self.bootstrap, "socket.timeout.ms": 2000})
        md = admin.list_topics(timeout=2)
        return len(md.brokers) == 1

    def create_topics(self, names: list[str], partitions: int = 1) -> None:
        from confluent_kafka import admin as kafka_admin

        admin = kafka_admin.AdminClient({"bootstrap.servers": self.bootstrap})
        new_topic: Any = kafka_admin.NewTopic  # type: ignore[attr-defined]  # not re-exported in the stubs
        futures = admin.create_topics([new_topic(n, num_partitions=partitions, replication_factor=1) for n in names])
        for name, fut in futures.items():
            try:
                fut.result(timeout=30)
            except Exception as e:  # TOPIC_ALREADY_EXISTS is fine: creation is idempotent
                if "TOPIC_ALREADY_EXISTS" not in str(e):
                    raise ServiceStartError(f"creating Kafka topic {name} failed: {e}") from e

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.stop(grace=15)
            self._proc = None


def java_version() -> str:
    java = require_tool("java")
    done = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    return (done.stderr or done.stdout).splitlines()[0] if (done.stderr or done.stdout) else "unknown"
