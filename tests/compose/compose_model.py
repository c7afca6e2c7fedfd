"""docker-compose.yaml read the way Compose reads it, for the static checks in this folder.

Used by tests/compose/test_*.py: YAML with anchors and merge keys resolved (PyYAML does
that), port and volume strings split into parts, Dockerfiles parsed into instructions.
No container engine is involved; nothing here runs or builds anything.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from gridedge.devstack.paths import REPO_ROOT

COMPOSE = REPO_ROOT / "docker-compose.yaml"
TOP_LEVEL = {"name", "services", "networks", "volumes", "configs", "secrets", "include"}
SERVICE_KEYS = {
    "build", "command", "container_name", "depends_on", "entrypoint", "environment", "env_file", "healthcheck",
    "hostname", "image", "networks", "ports", "privileged", "profiles", "restart", "tmpfs", "ulimits", "user",
    "volumes", "working_dir", "labels", "expose", "extra_hosts", "stop_grace_period", "init",
}  # fmt: skip
RESTART = {"no", "always", "on-failure", "unless-stopped"}
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}


@cache
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return data


def services() -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = compose()["services"]
    return result


@dataclass(frozen=True)
class Port:
    host: int
    container: int


def ports(service: dict[str, Any]) -> list[Port]:
    out = []
    for spec in service.get("ports", []):
        match = re.fullmatch(r"(?:[\d.]+:)?(\d+):(\d+)(?:/tcp|/udp)?", str(spec))
        assert match, f"port {spec!r} is not HOST:CONTAINER"
        out.append(Port(int(match.group(1)), int(match.group(2))))
    return out


@dataclass(frozen=True)
class Mount:
    source: str
    target: str
    read_only: bool

    @property
    def is_bind(self) -> bool:
        return self.source.startswith(("./", "../", "/")) and self.target != ""

    @property
    def is_anonymous(self) -> bool:
        return self.source == ""


def mounts(service: dict[str, Any]) -> list[Mount]:
    out = []
    for spec in service.get("volumes", []):
        parts = str(spec).split(":")
        if len(parts) == 1:
            out.append(Mount("", parts[0], False))
        else:
            out.append(Mount(parts[0], parts[1], len(parts) > 2 and "ro" in parts[2].split(",")))
    return out


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    assert isinstance(env, dict), "environment must be a mapping (NAME: value)"
    return {str(k): str(v) for k, v in env.items()}


def connections(service: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``AIRFLOW_CONN_*`` entries parsed as Airflow's JSON connection format."""
    return {
        key.removeprefix("AIRFLOW_CONN_").lower(): json.loads(value)
        for key, value in environment(service).items()
        if key.startswith("AIRFLOW_CONN_")
    }


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str
    line: int


def dockerfile(path: Path) -> list[Instruction]:
    """Instructions of a Dockerfile, continuation lines joined, comments dropped."""
    out: list[Instruction] = []
    buffer, start = "", 0
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not buffer and (not line or line.startswith("#")):
            continue
        if not buffer:
            start = number
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        buffer += line
        keyword, _, args = buffer.partition(" ")
        out.append(Instruction(keyword.upper(), args.strip(), start))
        buffer = ""
    return out
