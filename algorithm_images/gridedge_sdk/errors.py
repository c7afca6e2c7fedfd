"""The SDK's small vocabulary of errors, each tied to an exit code.

Raised by the SDK and by algorithm entrypoints; turned into a one-line message and an exit
code by :func:`gridedge_sdk.runner.run`. Must not log or exit by itself.
"""

from __future__ import annotations

from gridedge.contract.messages import ExitCode


class AlgorithmError(Exception):
    """Base class. ``exit_code`` tells the runtime whether a retry can help."""

    exit_code: ExitCode = ExitCode.INTERNAL

    @property
    def reason(self) -> str:
        return type(self).__name__


class ConfigError(AlgorithmError):
    """Missing or malformed environment variable or parameter: permanent."""

    exit_code = ExitCode.CONFIG


class DataError(AlgorithmError):
    """The data path does not exist, holds no rows for this rank, or lacks a column: permanent."""

    exit_code = ExitCode.DATA


class RetryableError(AlgorithmError):
    """Worth another attempt: a peer died, a timeout passed, Kafka did not acknowledge."""

    exit_code = ExitCode.RETRYABLE


class PeerLost(RetryableError):
    """Another rank stopped answering during a collective step."""


class PublishFailed(RetryableError):
    """Kafka did not acknowledge every message within the delivery timeout."""
