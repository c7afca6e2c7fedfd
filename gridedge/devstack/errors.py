"""The dev stack's error vocabulary: each says what is missing and how to fix it."""

from __future__ import annotations


class DevStackError(RuntimeError):
    """A local service could not be provisioned or started."""


class ToolMissingError(DevStackError):
    """A required tool (java, go, openssl …) is not installed."""

    def __init__(self, tool: str, hint: str) -> None:
        super().__init__(f"required tool '{tool}' was not found on PATH. {hint}")
        self.tool = tool


class PortInUseError(DevStackError):
    """A port the caller asked for is already taken by another process."""

    def __init__(self, port: int, service: str) -> None:
        super().__init__(
            f"port 127.0.0.1:{port} for {service} is already in use; stop whatever holds it "
            f"(`ss -ltnp 'sport = :{port}'`) or leave the port unset to pick a free one"
        )
        self.port = port


class ServiceStartError(DevStackError):
    """A service exited or did not become healthy in time."""
