"""The Airflow side's small error vocabulary; every message names cluster and object.

Raised by the hooks and read by operators and triggers. Retryable errors are plain
``AirflowException`` (the task's retries apply); an invalid spec is
``AirflowFailException`` (retrying cannot fix it). No I/O here.
"""

from __future__ import annotations

from airflow.sdk.exceptions import AirflowException, AirflowFailException


def edge_task_ref(namespace: str, name: str) -> str:
    return f"EdgeTask {namespace}/{name}"


class EdgeClusterError(AirflowException):
    """An edge cluster refused or failed a request (retryable)."""

    def __init__(self, cluster: str, what: str, detail: str, status: int | None = None) -> None:
        self.cluster = cluster
        self.what = what
        self.status = status
        super().__init__(f"edge cluster {cluster!r}: {what}: {detail}")


class EdgeClusterUnreachable(EdgeClusterError):
    """The edge cluster's apiserver did not answer (network, DNS, TLS, refused). Retryable."""


class EdgeTaskNotFound(EdgeClusterError):
    """The EdgeTask does not exist (never created, or deleted)."""


class EdgeTaskInvalid(AirflowFailException):
    """The apiserver (CRD schema) or the early validator rejected the EdgeTask: fix the spec."""

    def __init__(self, cluster: str, what: str, detail: str) -> None:
        self.cluster = cluster
        super().__init__(f"edge cluster {cluster!r}: {what} is invalid: {detail}")
