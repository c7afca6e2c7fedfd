"""The EdgeTask vocabulary that the controller, the local runtime and the Airflow side share.

Phases, frameworks, clean-pod policies, condition types and the defaults of the spec.
Imported by the edge controller (which writes ``status``), the local runtime, and the
Airflow trigger (which reads ``status.phase``). Pure constants: no I/O, no validation
logic (that lives in ``edge_controller.builders``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class Phase(StrEnum):
    """``status.phase`` of an EdgeTask. Only Succeeded and Failed are terminal."""

    PENDING = "Pending"
    RUNNING = "Running"
    RESTARTING = "Restarting"
    SUSPENDED = "Suspended"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"


TERMINAL_PHASES: Final = frozenset({Phase.SUCCEEDED, Phase.FAILED})


class Framework(StrEnum):
    """``spec.framework``: which preset of topology variables every rank gets."""

    GENERIC = "generic"
    XGBOOST = "xgboost"
    LIGHTGBM = "lightgbm"


class CleanPodPolicy(StrEnum):
    """``spec.runPolicy.cleanPodPolicy``: which Pods to delete once the task has finished."""

    NONE = "None"  # keep every Pod (logs stay readable)
    RUNNING = "Running"  # delete the Pods still running (e.g. workers left after a failure)
    ALL = "All"  # delete every Pod


class ConditionType(StrEnum):
    """``status.conditions[].type``; each is True, False or Unknown with a reason."""

    VALID = "Valid"
    CREATED = "Created"
    RUNNING = "Running"
    RESTARTING = "Restarting"
    SUSPENDED = "Suspended"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"


# Reasons the controller writes (status.reason and conditions[].reason).
REASON_INVALID_SPEC: Final = "InvalidSpec"
REASON_CREATED: Final = "Created"
REASON_PODS_PENDING: Final = "PodsPending"
REASON_ALL_RUNNING: Final = "AllRanksRunning"
REASON_RANK_FAILED: Final = "RankFailed"
REASON_BACKOFF_LIMIT_EXCEEDED: Final = "BackoffLimitExceeded"
REASON_DEADLINE_EXCEEDED: Final = "DeadlineExceeded"
REASON_ALL_SUCCEEDED: Final = "AllRanksSucceeded"
REASON_SUSPENDED: Final = "Suspended"
REASON_RESUMED: Final = "Resumed"
REASON_POD_DELETED: Final = "PodDeleted"

DEFAULT_FRAMEWORK: Final = Framework.GENERIC
DEFAULT_WORLD_SIZE: Final = 1
DEFAULT_MASTER_PORT: Final = 29500
DEFAULT_WORKER_PORT: Final = 29501
DEFAULT_BACKOFF_LIMIT: Final = 3
DEFAULT_CLEAN_POD_POLICY: Final = CleanPodPolicy.RUNNING
DEFAULT_DATA_MOUNT_PATH: Final = "/data"
DEFAULT_OUTPUT_MOUNT_PATH: Final = "/output"
DEFAULT_RUN_AS_USER: Final = 1000
MAX_TASK_NAME_LENGTH: Final = 53  # "<name>-worker-63" must fit a 63-character DNS label
CONTAINER_NAME: Final = "main"
