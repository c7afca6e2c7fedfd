"""The development specification as code: parse, read, run, publish, exit.

Every entrypoint's ``main()`` is ``return run("<name>", body)``. :func:`run` parses the
environment into a :class:`TaskConfig` (failing fast), sets rank-tagged logging, opens the
publisher, calls ``body(ctx)``, publishes the rank's result (succeeded with the returned
payload, or failed with the error), flushes Kafka and returns the exit code. An error ends
as one log line ``<Reason>: <what was wrong>``, also written to Kubernetes' termination log
when the container has one. Must not contain algorithm logic.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from gridedge.contract.messages import ErrorInfo, ExitCode, Kind, WarningInfo
from gridedge_sdk import logs
from gridedge_sdk.config import TaskConfig, from_env
from gridedge_sdk.errors import AlgorithmError, PublishFailed
from gridedge_sdk.params import Params
from gridedge_sdk.publisher import ByteCounter, Publisher
from gridedge_sdk.shards import Shard, read_shard

log = logging.getLogger("gridedge_sdk")
TERMINATION_LOG = Path("/dev/termination-log")


class Context:
    """What an algorithm body gets: the config and the ways to read and report."""

    def __init__(self, config: TaskConfig, publisher: Publisher) -> None:
        self.config = config
        self.publisher = publisher
        self.bytes = publisher.counter
        self._last_progress = 0.0

    @property
    def params(self) -> Params:
        return self.config.params

    def read_shard(self, columns: Sequence[str] | None = None) -> Shard:
        partition = self.config.params.choice("partition", ("auto", "parts", "none", "rows"), "auto")
        shard = read_shard(self.config.data_path, self.config.rank, self.config.world_size, partition, columns)
        self.bytes.add_read(shard.bytes_read)
        log.info("read %d rows from %d file(s), %d bytes", len(shard.frame), len(shard.files), shard.bytes_read)
        return shard

    def progress(self, step: int, total: int, force: bool = False, **extra: Any) -> None:
        """Publish a progress message, at most one per ``progress_interval_s`` unless ``force``."""
        interval = self.config.params.number("progress_interval_s", 2.0, minimum=0)
        now = time.monotonic()
        if not force and step < total and now - self._last_progress < interval:
            return
        self._last_progress = now
        log.info("progress %d/%d", step, total)
        payload = {"progress": {"step": step, "total": total, "fraction": step / total if total else 1.0}, **extra}
        self.publisher.publish(Kind.PROGRESS, payload)

    def warn(self, warning: WarningInfo, payload: Mapping[str, Any] | None = None) -> None:
        self.publisher.publish(Kind.WARNING, dict(payload or {}), warning=warning)

    def abort(self, error: AlgorithmError) -> NoReturn:
        """End the process from any thread (a watchdog) as :func:`run` would end it."""
        _report_failure(self.publisher, error.reason, str(error), error.exit_code, timeout=5.0)
        code = _fail(error)
        logging.shutdown()
        os._exit(code)


Body = Callable[[Context], Mapping[str, Any]]


def run(algorithm: str, body: Body, environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    logs.setup()
    try:
        config = from_env(environ)
    except AlgorithmError as e:
        return _fail(e)
    logs.setup(str(config.rank))
    log.info(
        "%s starting: task %s/%s, rank %d of %d",
        algorithm,
        config.task.namespace,
        config.task.name,
        config.rank,
        config.world_size,
    )
    try:
        publisher = Publisher(config, algorithm, ByteCounter())
    except Exception as e:  # confluent_kafka.KafkaException on a malformed bootstrap
        return _fail(PublishFailed(f"cannot create a Kafka producer for {config.kafka_bootstrap}: {e}"))
    ctx = Context(config, publisher)
    try:
        payload = dict(body(ctx))
        publisher.publish(Kind.RESULT, payload)
        publisher.close()
    except AlgorithmError as e:
        _report_failure(publisher, e.reason, str(e), e.exit_code)
        return _fail(e)
    except Exception as e:
        log.exception("unexpected failure")
        _report_failure(publisher, type(e).__name__, str(e), ExitCode.INTERNAL)
        return _fail(AlgorithmError(f"{type(e).__name__}: {e}"))
    log.info("%s succeeded", algorithm)
    return ExitCode.OK


def _report_failure(publisher: Publisher, reason: str, message: str, code: int, timeout: float = 10.0) -> None:
    """Best effort: tell the centre why, without masking the original error."""
    if reason == PublishFailed.__name__:
        return
    try:
        publisher.publish(Kind.RESULT, {}, error=ErrorInfo(reason, message[:2000], code))
        publisher.close(timeout=timeout)
    except Exception as e:
        log.warning("could not publish the failure result: %s", e)


def _fail(error: AlgorithmError) -> int:
    line = f"{error.reason}: {error}".splitlines()[0]
    log.error("%s", line)
    if TERMINATION_LOG.is_file() and os.access(TERMINATION_LOG, os.W_OK):
        TERMINATION_LOG.write_text(line + "\n")
    return int(error.exit_code)
