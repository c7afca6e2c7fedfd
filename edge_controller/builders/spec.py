"""The typed, validated EdgeTask: frozen dataclasses that the builders read.

Built only by :func:`edge_controller.builders.validate.validate`; read by the builders,
the kopf handlers and the local runtime. No parsing or checking here (that is
``validate``), no I/O, no kopf.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gridedge.contract.edgetask import CleanPodPolicy, Framework
from gridedge.contract.names import API_VERSION, KIND


@dataclass(frozen=True)
class KeyRef:
    """A key of a Secret or ConfigMap (``valueFrom``)."""

    kind: str  # "secretKeyRef" or "configMapKeyRef"
    name: str
    key: str
    optional: bool = False


@dataclass(frozen=True)
class EnvEntry:
    """One user env entry: exactly one of ``value`` (literal), ``template`` or ``value_from``."""

    name: str
    value: str | None = None
    template: str | None = None
    value_from: KeyRef | None = None


@dataclass(frozen=True)
class Ports:
    master: int
    worker: int


@dataclass(frozen=True)
class DataSource:
    """The data stays where it is: a PVC (a local PV pins it to its node), mounted per rank.

    ``sub_path`` and ``path`` may hold ``${placeholders}`` (e.g. ``shard-${rank}``).
    """

    claim_name: str
    sub_path: str = ""
    mount_path: str = "/data"
    path: str = ""
    read_only: bool = True


@dataclass(frozen=True)
class OutputSink:
    """Where rank 0 writes artefacts: a PVC, or an emptyDir when ``claim_name`` is empty."""

    mount_path: str = "/output"
    claim_name: str = ""
    sub_path: str = ""


@dataclass(frozen=True)
class SecretRef:
    name: str
    username_key: str = "username"
    password_key: str = "password"


@dataclass(frozen=True)
class ResultSink:
    bootstrap_servers: str = ""
    results_topic: str = ""
    warnings_topic: str = ""
    progress_topic: str = ""
    security_protocol: str = ""
    sasl_mechanism: str = ""
    credentials: SecretRef | None = None


@dataclass(frozen=True)
class RunPolicy:
    backoff_limit: int
    clean_pod_policy: CleanPodPolicy
    active_deadline_seconds: int | None = None
    ttl_seconds_after_finished: int | None = None
    suspend: bool = False


@dataclass(frozen=True)
class Resources:
    requests: tuple[tuple[str, str], ...] = ()
    limits: tuple[tuple[str, str], ...] = ()

    def to_manifest(self) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        if self.requests:
            out["requests"] = dict(self.requests)
        if self.limits:
            out["limits"] = dict(self.limits)
        return out


@dataclass(frozen=True)
class SecurityIds:
    run_as_user: int
    run_as_group: int
    fs_group: int


@dataclass(frozen=True)
class EdgeTaskSpec:
    image: str
    framework: Framework
    world_size: int
    ports: Ports
    run_policy: RunPolicy
    security: SecurityIds
    command: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    working_dir: str = ""
    image_pull_policy: str = ""
    env: tuple[EnvEntry, ...] = ()
    params_json: str = "{}"
    resources: Resources = field(default_factory=Resources)
    node_selector: tuple[tuple[str, str], ...] = ()
    data: DataSource | None = None
    output: OutputSink = field(default_factory=OutputSink)
    result_sink: ResultSink = field(default_factory=ResultSink)
    pod_labels: tuple[tuple[str, str], ...] = ()
    pod_annotations: tuple[tuple[str, str], ...] = ()
    service_account_name: str = ""


@dataclass(frozen=True)
class TaskMeta:
    """The identity of the EdgeTask (uid is empty for a manifest that never reached an apiserver)."""

    name: str
    namespace: str
    uid: str = ""
    generation: int = 0
    labels: tuple[tuple[str, str], ...] = ()
    annotations: tuple[tuple[str, str], ...] = ()

    def label(self, key: str) -> str:
        return dict(self.labels).get(key, "")

    def annotation(self, key: str) -> str:
        return dict(self.annotations).get(key, "")

    @property
    def ref(self) -> str:
        """How every message names the object."""
        return f"EdgeTask {self.namespace}/{self.name}"


@dataclass(frozen=True)
class EdgeTask:
    """A validated EdgeTask: its identity and its spec."""

    meta: TaskMeta
    spec: EdgeTaskSpec

    def owner_reference(self) -> dict[str, Any] | None:
        """The controller owner reference children carry, or None without a uid (local runtime)."""
        if not self.meta.uid:
            return None
        return {
            "apiVersion": API_VERSION,
            "kind": KIND,
            "name": self.meta.name,
            "uid": self.meta.uid,
            "controller": True,
            "blockOwnerDeletion": True,
        }
