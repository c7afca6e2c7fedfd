"""Typed registry entries: what a planner registers in ``config/``.

Pydantic models, one per concept of the seed paper (nodes, algorithms, applications,
workflows) plus the Airflow and Kafka settings. Field checks that need only the entry
itself live here; references between entries are checked in :mod:`.loader`. No I/O.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gridedge.contract import templates
from gridedge.contract.edgetask import Framework
from gridedge.contract.names import RESERVED_ENV
from gridedge.contract.network import MAX_WORLD_SIZE

DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
IDENTIFIER = r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$"  # Airflow dag_id / task_id / conn_id
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _relative_path(value: str) -> str:
    if value.startswith("/") or ".." in value.split("/"):
        raise ValueError(f"must be a relative path inside the claim, got {value!r}")
    templates.check(value)
    return value


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteData(_Entry):
    """Where a site's data lives: a PersistentVolumeClaim on its cluster (a local PV pins it to
    the node next to the data) and the folder inside it. Maps to the EdgeTask's ``spec.data``."""

    claim_name: str = Field(pattern=DNS_LABEL, max_length=253)
    sub_path: str = ""
    path: str = ""

    @field_validator("sub_path", "path")
    @classmethod
    def _relative(cls, value: str) -> str:
        return _relative_path(value)

    def to_spec(self, subpath: str = "") -> dict[str, str]:
        """``spec.data``; ``subpath`` (an application's folder) goes under ``path``."""
        spec = {"claimName": self.claim_name}
        if self.sub_path:
            spec["subPath"] = self.sub_path
        path = "/".join(p for p in (self.path, subpath) if p)
        if path:
            spec["path"] = path
        return spec


class Site(_Entry):
    """An edge node: one edge cluster (an Airflow connection) and where its data lives."""

    name: str = Field(pattern=DNS_LABEL, max_length=30)
    connection_id: str = Field(pattern=IDENTIFIER, description="Airflow connection of the cncf.kubernetes type")
    namespace: str = Field(default="default", pattern=DNS_LABEL, max_length=63)
    data: SiteData
    labels: dict[str, str] = Field(default_factory=dict)
    node_selector: dict[str, str] = Field(default_factory=dict)
    pod_annotations: dict[str, str] = Field(default_factory=dict, description="added to every task Pod")
    description: str = ""


def _check_env(env: dict[str, str]) -> dict[str, str]:
    for name, value in env.items():
        if not ENV_NAME.match(name):
            raise ValueError(f"{name!r} is not a valid environment variable name")
        if name in RESERVED_ENV:
            raise ValueError(f"{name} is reserved: GridEdge injects it from the network info")
        templates.check(value)
    return env


class Algorithm(_Entry):
    """An algorithm image with its framework preset, environment parameters and defaults."""

    name: str = Field(pattern=DNS_LABEL)
    image: str = Field(min_length=1)
    framework: Framework = Framework.GENERIC
    command: list[str] = Field(min_length=1)
    args: list[str] = Field(default_factory=list)
    world_size: int = Field(default=1, ge=1, le=MAX_WORLD_SIZE)
    env: dict[str, str] = Field(default_factory=dict, description="values may hold ${placeholder} templates")
    params: dict[str, Any] = Field(default_factory=dict)
    resources: dict[str, dict[str, str]] = Field(default_factory=dict)
    description: str = ""

    _env = field_validator("env")(_check_env)

    @field_validator("resources")
    @classmethod
    def _resource_keys(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        unknown = set(value) - {"requests", "limits"}
        if unknown:
            raise ValueError(f"only 'requests' and 'limits' are allowed, got {sorted(unknown)}")
        return value


class Application(_Entry):
    """An algorithm plus the command arguments and parameters of one use of it."""

    name: str = Field(pattern=DNS_LABEL)
    algorithm: str
    args: list[str] = Field(default_factory=list)
    params: dict[str, Any] = Field(default_factory=dict)
    env: dict[str, str] = Field(default_factory=dict)
    world_size: int | None = Field(default=None, ge=1, le=MAX_WORLD_SIZE)
    data_subpath: str = Field(default="", description="folder under the site's data path this application reads")
    description: str = ""

    _env = field_validator("env")(_check_env)

    @field_validator("data_subpath")
    @classmethod
    def _relative(cls, value: str) -> str:
        return _relative_path(value)


class Step(_Entry):
    """One application in a workflow; runs on every target site of the workflow."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)
    application: str
    args: list[str] | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    world_size: int | None = Field(default=None, ge=1, le=MAX_WORLD_SIZE)


class Workflow(_Entry):
    """Ordered applications, an execution period and the target sites: one DAG."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)
    description: str = ""
    schedule: str | None = None
    start_date: dt.date = dt.date(2026, 1, 1)
    catchup: bool = False
    sites: list[str] = Field(min_length=1)
    steps: list[Step] = Field(min_length=1)
    tags: list[str] = Field(default_factory=list)
    retries: int | None = Field(default=None, ge=0, le=10)
    result_timeout_seconds: int | None = Field(default=None, ge=1)

    @field_validator("steps")
    @classmethod
    def _unique_ids(cls, steps: list[Step]) -> list[Step]:
        seen: set[str] = set()
        for step in steps:
            if step.id in seen:
                raise ValueError(f"step id {step.id!r} is used twice")
            seen.add(step.id)
        return steps

    @field_validator("sites")
    @classmethod
    def _unique_sites(cls, sites: list[str]) -> list[str]:
        if len(set(sites)) != len(sites):
            raise ValueError(f"a site is listed twice: {sites}")
        return sites


class KafkaSettings(_Entry):
    connection_id: str = Field(default="gridedge_kafka", pattern=IDENTIFIER)
    # The warnings AssetWatcher commits offsets under its connection's group.id: its own connection.
    warnings_connection_id: str = Field(default="gridedge_kafka_warnings", pattern=IDENTIFIER)
    bootstrap_servers: str = "127.0.0.1:9092"
    results_topic: str = "gridedge.results"
    warnings_topic: str = "gridedge.warnings"
    progress_topic: str = "gridedge.progress"


class AirflowSettings(_Entry):
    owner: str = "gridedge"
    retries: int = Field(default=1, ge=0, le=10)
    retry_delay_seconds: int = Field(default=30, ge=0)
    result_timeout_seconds: int = Field(default=600, ge=1)
    poll_interval_seconds: float = Field(default=2.0, gt=0)
    warnings_log: str = Field(default="gridedge-warnings.jsonl", description="relative paths are under AIRFLOW_HOME")


class Settings(_Entry):
    airflow: AirflowSettings = AirflowSettings()
    kafka: KafkaSettings = KafkaSettings()
