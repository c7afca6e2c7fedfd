"""Result, warning and progress messages on Kafka, and the exit codes of algorithm containers.

Built by the algorithm SDK (``gridedge_sdk.publisher``), consumed by the Airflow side
(triggers, AssetWatcher DAGs) and by tests. The wire format is JSON, described by
``schemas/message-v1.json``; :func:`validate` checks a message against it. Pure: builds and
checks dictionaries, never talks to Kafka.

Compatibility: adding an optional field keeps ``SCHEMA_VERSION``; renaming, removing or
retyping a field bumps it and adds ``schemas/message-v<N>.json`` next to the old one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum, StrEnum
from functools import cache
from pathlib import Path
from typing import Any, Final

SCHEMA_VERSION: Final = 1
SCHEMA_PATH: Final = Path(__file__).with_name("schemas") / f"message-v{SCHEMA_VERSION}.json"


class Kind(StrEnum):
    RESULT = "result"
    WARNING = "warning"
    PROGRESS = "progress"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class ExitCode(IntEnum):
    """How an algorithm container ends; the controller's run policy reads these.

    Only :attr:`RETRYABLE` (and a death by signal, see :func:`is_retryable`) is worth a
    restart; every other non-zero code fails the same way again on the same input (sysexits.h
    numbering, so shells and Kubernetes show familiar values).
    """

    OK = 0
    CONFIG = 64  # EX_USAGE: missing or malformed env / parameter
    DATA = 65  # EX_DATAERR: bad data path, empty shard, missing column
    INTERNAL = 70  # EX_SOFTWARE: a bug or an algorithm failure on valid input
    RETRYABLE = 75  # EX_TEMPFAIL: a peer died, Kafka unreachable, a timeout


def is_retryable(exit_code: int) -> bool:
    """RETRYABLE, or killed by a signal (OOM, eviction, a lost node): worth restarting the group.

    Container runtimes report a signal as ``128 + N``; Python's ``subprocess`` as ``-N``.
    """
    return exit_code == ExitCode.RETRYABLE or exit_code >= 128 or exit_code < 0


@dataclass(frozen=True)
class TaskIdentity:
    namespace: str
    name: str
    uid: str | None = None


@dataclass(frozen=True)
class AirflowIdentity:
    dag_id: str | None = None
    run_id: str | None = None
    task_id: str | None = None
    try_number: int | None = None


@dataclass(frozen=True)
class WarningInfo:
    """The asset-specific part of a warning message."""

    asset_id: str
    asset_type: str
    severity: Severity
    code: str
    value: float
    threshold: float
    unit: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    intervals: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "asset_id": self.asset_id,
            "asset_type": self.asset_type,
            "severity": str(self.severity),
            "code": self.code,
            "value": float(self.value),
            "threshold": float(self.threshold),
        }
        if self.unit is not None:
            data["unit"] = self.unit
        if self.start is not None:
            data["start"] = _rfc3339(self.start)
        if self.end is not None:
            data["end"] = _rfc3339(self.end)
        if self.intervals is not None:
            data["intervals"] = int(self.intervals)
        return data


@dataclass(frozen=True)
class ErrorInfo:
    """Why a rank failed. ``retryable`` defaults to what the exit code says."""

    reason: str
    message: str
    exit_code: int
    retryable: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "message": self.message,
            "exit_code": int(self.exit_code),
            "retryable": is_retryable(self.exit_code) if self.retryable is None else self.retryable,
        }


class MessageError(ValueError):
    """A message does not follow the schema; the text names the first offending field."""


def message_key(task: TaskIdentity) -> str:
    """Kafka record key: all messages of one task land on one partition, in order."""
    return f"{task.namespace}/{task.name}"


def message_id(task: TaskIdentity, airflow: AirflowIdentity, rank: int, kind: Kind, sequence: int) -> str:
    attempt = airflow.try_number if airflow.try_number is not None else 0
    return f"{task.uid or task.name}/{attempt}/{rank}/{kind}/{sequence}"


def build_message(
    *,
    kind: Kind,
    task: TaskIdentity,
    airflow: AirflowIdentity,
    rank: int,
    world_size: int,
    algorithm: str,
    sequence: int,
    payload: dict[str, Any],
    bytes_read: int,
    bytes_sent: int,
    warning: WarningInfo | None = None,
    error: ErrorInfo | None = None,
    time: datetime | None = None,
) -> dict[str, Any]:
    """One message as a JSON-ready dict. Results are ``succeeded`` unless ``error`` is given."""
    message: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "kind": str(kind),
        "message_id": message_id(task, airflow, rank, kind, sequence),
        "sequence": sequence,
        "time": _rfc3339(time or datetime.now(UTC)),
        "task": {"namespace": task.namespace, "name": task.name, "uid": task.uid},
        "airflow": {
            "dag_id": airflow.dag_id,
            "run_id": airflow.run_id,
            "task_id": airflow.task_id,
            "try_number": airflow.try_number,
        },
        "rank": rank,
        "world_size": world_size,
        "algorithm": algorithm,
        "payload": payload,
        "bytes": {"read": int(bytes_read), "sent": int(bytes_sent)},
    }
    if kind is Kind.RESULT:
        message["status"] = "failed" if error is not None else "succeeded"
    if error is not None:
        message["error"] = error.to_dict()
    if warning is not None:
        message["warning"] = warning.to_dict()
    return message


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":"), sort_keys=True, allow_nan=False).encode()


def decode(value: bytes | str) -> dict[str, Any]:
    """Parse and validate one Kafka record value."""
    try:
        data = json.loads(value)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise MessageError(f"message is not valid JSON: {e}") from e
    if not isinstance(data, dict):
        raise MessageError("message must be a JSON object")
    validate(data)
    return data


@cache
def schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_PATH.read_text())
    return data


def validate(message: dict[str, Any]) -> None:
    """Raise :class:`MessageError` naming the first field that breaks the schema."""
    import jsonschema  # lazily: the SDK's fast-fail path should not pay for it

    validator = jsonschema.Draft202012Validator(schema(), format_checker=jsonschema.FormatChecker())
    errors = list(validator.iter_errors(message))
    if errors:
        # A wrong field explains more than the kind-dependent rules it then also breaks.
        error = min(errors, key=lambda e: (e.validator in ("not", "if", "allOf"), -len(e.absolute_path)))
        where = "/".join(str(p) for p in error.absolute_path) or "(message)"
        text = error.message if error.validator != "not" else "a field that is not allowed for this kind or status"
        raise MessageError(f"message field {where}: {text[:300]}")


def _rfc3339(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
