"""EdgeTask manifest (camelCase dict, as in the CR) → a frozen :class:`EdgeTask`, or a SpecError.

Called by the kopf handlers before anything is created (an invalid task goes to Failed with
the error's path and text) and by the local runtime. It repeats what the CRD schema already
enforces, because a manifest handed to the local runtime never met an apiserver. Pure: no
I/O, no kopf, no Kubernetes client.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from edge_controller.builders import fields as f
from edge_controller.builders.fields import SpecError
from edge_controller.builders.spec import (
    DataSource,
    EdgeTask,
    EdgeTaskSpec,
    EnvEntry,
    KeyRef,
    OutputSink,
    Ports,
    Resources,
    ResultSink,
    RunPolicy,
    SecretRef,
    SecurityIds,
    TaskMeta,
)
from gridedge.contract import edgetask as et
from gridedge.contract.names import (
    API_VERSION,
    KIND,
    LABEL_RANK,
    LABEL_ROLE,
    LABEL_TASK_NAME,
    PROGRESS_TOPIC,
    RESERVED_ENV,
    RESULTS_TOPIC,
    WARNINGS_TOPIC,
)
from gridedge.contract.network import MAX_WORLD_SIZE
from gridedge.contract.templates import TemplateError, check

SPEC_FIELDS = (
    "image",
    "imagePullPolicy",
    "command",
    "args",
    "workingDir",
    "framework",
    "worldSize",
    "ports",
    "env",
    "params",
    "resources",
    "nodeSelector",
    "data",
    "output",
    "resultSink",
    "runPolicy",
    "podTemplate",
    "securityContext",
    "serviceAccountName",
)
_DNS_1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CONTROLLER_LABELS = (LABEL_TASK_NAME, LABEL_RANK, LABEL_ROLE)
_PULL_POLICIES = ("Always", "IfNotPresent", "Never")
# Kubernetes' resource.Quantity: a decimal number, then a binary or decimal SI suffix or an exponent.
QUANTITY_PATTERN = r"^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$"
_QUANTITY = re.compile(QUANTITY_PATTERN)


def validate(manifest: Mapping[str, Any]) -> EdgeTask:
    """Check a whole EdgeTask manifest; raise :class:`SpecError` at the first invalid field."""
    top = f.obj(manifest, "manifest")
    if top.get("apiVersion") not in (None, API_VERSION):
        raise SpecError("apiVersion", f"expected {API_VERSION}, got {top.get('apiVersion')!r}")
    if top.get("kind") not in (None, KIND):
        raise SpecError("kind", f"expected {KIND}, got {top.get('kind')!r}")
    meta = _meta(top.get("metadata"))
    return EdgeTask(meta=meta, spec=_spec(top.get("spec")))


def _meta(raw: object) -> TaskMeta:
    meta = f.obj(raw, "metadata")
    name = f.string(meta.get("name"), "metadata.name")
    if not _DNS_1035.match(name) or len(name) > et.MAX_TASK_NAME_LENGTH:
        raise SpecError(
            "metadata.name",
            f"must be a DNS-1035 label (lower-case letters, digits, '-', starting with a letter) of at most "
            f"{et.MAX_TASK_NAME_LENGTH} characters, so that '<name>-worker-<rank>' is a valid Pod name; got {name!r}",
        )
    generation = meta.get("generation")
    return TaskMeta(
        name=name,
        namespace=f.string(meta.get("namespace"), "metadata.namespace", default="default", non_empty=True),
        uid=f.string(meta.get("uid"), "metadata.uid", default=""),
        generation=generation if isinstance(generation, int) else 0,
        labels=f.string_map(meta.get("labels"), "metadata.labels"),
        annotations=f.string_map(meta.get("annotations"), "metadata.annotations"),
    )


def _spec(raw: object) -> EdgeTaskSpec:
    if raw is None:
        raise SpecError("spec", "is required")
    spec = f.obj(raw, "spec", SPEC_FIELDS)
    pull = f.string(spec.get("imagePullPolicy"), "spec.imagePullPolicy", default="")
    if pull and pull not in _PULL_POLICIES:
        raise SpecError("spec.imagePullPolicy", f"must be one of {', '.join(_PULL_POLICIES)}, got {pull!r}")
    params = f.obj(spec.get("params"), "spec.params")
    labels, annotations = _pod_template(spec.get("podTemplate"))
    return EdgeTaskSpec(
        image=_image(spec.get("image")),
        image_pull_policy=pull,
        command=f.strings(spec.get("command"), "spec.command"),
        args=f.strings(spec.get("args"), "spec.args"),
        working_dir=f.string(spec.get("workingDir"), "spec.workingDir", default=""),
        framework=f.choice(spec.get("framework"), "spec.framework", et.Framework, et.DEFAULT_FRAMEWORK),
        world_size=f.integer(spec.get("worldSize"), "spec.worldSize", et.DEFAULT_WORLD_SIZE, 1, MAX_WORLD_SIZE),
        ports=_ports(spec.get("ports")),
        env=_env(spec.get("env")),
        params_json=json.dumps(dict(params), separators=(",", ":"), sort_keys=True),
        resources=_resources(spec.get("resources")),
        node_selector=f.string_map(spec.get("nodeSelector"), "spec.nodeSelector"),
        data=_data(spec.get("data")),
        output=_output(spec.get("output")),
        result_sink=_result_sink(spec.get("resultSink")),
        run_policy=_run_policy(spec.get("runPolicy")),
        pod_labels=labels,
        pod_annotations=annotations,
        security=_security(spec.get("securityContext")),
        service_account_name=f.string(spec.get("serviceAccountName"), "spec.serviceAccountName", default=""),
    )


def _image(raw: object) -> str:
    if raw is None:
        raise SpecError("spec.image", "is required: the algorithm image every rank runs")
    return f.string(raw, "spec.image", non_empty=True)


def _ports(raw: object) -> Ports:
    ports = f.obj(raw, "spec.ports", ("master", "worker"))
    master = f.integer(ports.get("master"), "spec.ports.master", et.DEFAULT_MASTER_PORT, 1, 65535)
    worker = f.integer(ports.get("worker"), "spec.ports.worker", et.DEFAULT_WORKER_PORT, 1, 65535)
    if master == worker:
        raise SpecError(
            "spec.ports.worker", f"must differ from spec.ports.master (rank 0 listens on both), got {worker}"
        )
    return Ports(master=master, worker=worker)


def _env(raw: object) -> tuple[EnvEntry, ...]:
    seen: dict[str, int] = {}
    entries: list[EnvEntry] = []
    for i, item in enumerate(f.array(raw, "spec.env")):
        path = f"spec.env[{i}]"
        entry = f.obj(item, path, ("name", "value", "template", "valueFrom"))
        name = f.string(entry.get("name"), f"{path}.name", non_empty=True)
        if not _ENV_NAME.match(name):
            raise SpecError(f"{path}.name", f"must be a C identifier ([A-Za-z_][A-Za-z0-9_]*), got {name!r}")
        if name in RESERVED_ENV:
            raise SpecError(
                f"{path}.name",
                f"{name} is reserved: the controller injects it; reserved names: {', '.join(sorted(RESERVED_ENV))}",
            )
        if name in seen:
            raise SpecError(f"{path}.name", f"duplicate env name {name} (first at spec.env[{seen[name]}])")
        seen[name] = i
        given = [key for key in ("value", "template", "valueFrom") if entry.get(key) is not None]
        if len(given) != 1:
            raise SpecError(path, f"needs exactly one of value, template, valueFrom; got {given or 'none'}")
        if given[0] == "value":
            entries.append(EnvEntry(name=name, value=f.string(entry["value"], f"{path}.value")))
        elif given[0] == "template":
            template = f.string(entry["template"], f"{path}.template")
            _check_template(template, f"{path}.template")
            entries.append(EnvEntry(name=name, template=template))
        else:
            entries.append(EnvEntry(name=name, value_from=_value_from(entry["valueFrom"], f"{path}.valueFrom")))
    return tuple(entries)


def _check_template(template: str, path: str) -> None:
    try:
        check(template)
    except TemplateError as e:
        raise SpecError(path, str(e)) from e


def _value_from(raw: object, path: str) -> KeyRef:
    source = f.obj(raw, path, ("secretKeyRef", "configMapKeyRef"))
    if len(source) != 1:
        raise SpecError(path, "needs exactly one of secretKeyRef, configMapKeyRef")
    kind = next(iter(source))
    ref = f.obj(source[kind], f"{path}.{kind}", ("name", "key", "optional"))
    return KeyRef(
        kind=kind,
        name=f.string(ref.get("name"), f"{path}.{kind}.name", non_empty=True),
        key=f.string(ref.get("key"), f"{path}.{kind}.key", non_empty=True),
        optional=f.boolean(ref.get("optional"), f"{path}.{kind}.optional", False),
    )


def _resources(raw: object) -> Resources:
    res = f.obj(raw, "spec.resources", ("requests", "limits"))
    return Resources(
        requests=_quantities(res.get("requests"), "spec.resources.requests"),
        limits=_quantities(res.get("limits"), "spec.resources.limits"),
    )


def _quantities(raw: object, path: str) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for key, value in f.obj(raw, path).items():
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise SpecError(f"{path}.{key}", f"expected a quantity such as '500m' or '1Gi', got {f.type_name(value)}")
        text = str(value)
        if not _QUANTITY.match(text):
            raise SpecError(f"{path}.{key}", f"expected a quantity such as '500m', '2' or '1Gi', got {text!r}")
        out.append((str(key), text))
    return tuple(sorted(out))


def _relative(value: str, path: str) -> str:
    if value.startswith("/") or ".." in value.split("/"):
        raise SpecError(path, f"must be a relative path without '..', got {value!r}")
    return value


def _absolute(value: str, path: str) -> str:
    if not value.startswith("/"):
        raise SpecError(path, f"must be an absolute path, got {value!r}")
    return value


def _data(raw: object) -> DataSource | None:
    if raw is None:
        return None
    data = f.obj(raw, "spec.data", ("claimName", "subPath", "mountPath", "path", "readOnly"))
    sub_path = _relative(f.string(data.get("subPath"), "spec.data.subPath", default=""), "spec.data.subPath")
    inner = _relative(f.string(data.get("path"), "spec.data.path", default=""), "spec.data.path")
    _check_template(sub_path, "spec.data.subPath")
    _check_template(inner, "spec.data.path")
    return DataSource(
        claim_name=f.string(data.get("claimName"), "spec.data.claimName", non_empty=True),
        sub_path=sub_path,
        mount_path=_absolute(
            f.string(data.get("mountPath"), "spec.data.mountPath", default=et.DEFAULT_DATA_MOUNT_PATH),
            "spec.data.mountPath",
        ),
        path=inner,
        read_only=f.boolean(data.get("readOnly"), "spec.data.readOnly", True),
    )


def _output(raw: object) -> OutputSink:
    out = f.obj(raw, "spec.output", ("claimName", "subPath", "mountPath"))
    return OutputSink(
        mount_path=_absolute(
            f.string(out.get("mountPath"), "spec.output.mountPath", default=et.DEFAULT_OUTPUT_MOUNT_PATH),
            "spec.output.mountPath",
        ),
        claim_name=f.string(out.get("claimName"), "spec.output.claimName", default=""),
        sub_path=_relative(f.string(out.get("subPath"), "spec.output.subPath", default=""), "spec.output.subPath"),
    )


def _result_sink(raw: object) -> ResultSink:
    known = (
        "bootstrapServers",
        "resultsTopic",
        "warningsTopic",
        "progressTopic",
        "securityProtocol",
        "saslMechanism",
        "credentialsSecretRef",
    )
    sink = f.obj(raw, "spec.resultSink", known)
    creds = None
    if sink.get("credentialsSecretRef") is not None:
        path = "spec.resultSink.credentialsSecretRef"
        ref = f.obj(sink["credentialsSecretRef"], path, ("name", "usernameKey", "passwordKey"))
        creds = SecretRef(
            name=f.string(ref.get("name"), f"{path}.name", non_empty=True),
            username_key=f.string(ref.get("usernameKey"), f"{path}.usernameKey", default="username"),
            password_key=f.string(ref.get("passwordKey"), f"{path}.passwordKey", default="password"),
        )
    return ResultSink(
        bootstrap_servers=f.string(sink.get("bootstrapServers"), "spec.resultSink.bootstrapServers", default=""),
        results_topic=f.string(sink.get("resultsTopic"), "spec.resultSink.resultsTopic", default=RESULTS_TOPIC),
        warnings_topic=f.string(sink.get("warningsTopic"), "spec.resultSink.warningsTopic", default=WARNINGS_TOPIC),
        progress_topic=f.string(sink.get("progressTopic"), "spec.resultSink.progressTopic", default=PROGRESS_TOPIC),
        security_protocol=f.string(sink.get("securityProtocol"), "spec.resultSink.securityProtocol", default=""),
        sasl_mechanism=f.string(sink.get("saslMechanism"), "spec.resultSink.saslMechanism", default=""),
        credentials=creds,
    )


def _run_policy(raw: object) -> RunPolicy:
    known = ("backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished", "cleanPodPolicy", "suspend")
    policy = f.obj(raw, "spec.runPolicy", known)
    return RunPolicy(
        backoff_limit=f.integer(policy.get("backoffLimit"), "spec.runPolicy.backoffLimit", et.DEFAULT_BACKOFF_LIMIT, 0),
        clean_pod_policy=f.choice(
            policy.get("cleanPodPolicy"),
            "spec.runPolicy.cleanPodPolicy",
            et.CleanPodPolicy,
            et.DEFAULT_CLEAN_POD_POLICY,
        ),
        active_deadline_seconds=f.optional_integer(
            policy.get("activeDeadlineSeconds"), "spec.runPolicy.activeDeadlineSeconds", 1
        ),
        ttl_seconds_after_finished=f.optional_integer(
            policy.get("ttlSecondsAfterFinished"), "spec.runPolicy.ttlSecondsAfterFinished", 0
        ),
        suspend=f.boolean(policy.get("suspend"), "spec.runPolicy.suspend", False),
    )


def _pod_template(raw: object) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    template = f.obj(raw, "spec.podTemplate", ("metadata",))
    meta = f.obj(template.get("metadata"), "spec.podTemplate.metadata", ("labels", "annotations"))
    labels = f.string_map(meta.get("labels"), "spec.podTemplate.metadata.labels")
    for key, _ in labels:
        if key in _CONTROLLER_LABELS:
            raise SpecError(f"spec.podTemplate.metadata.labels.{key}", "is set by the controller and cannot be given")
    return labels, f.string_map(meta.get("annotations"), "spec.podTemplate.metadata.annotations")


def _security(raw: object) -> SecurityIds:
    sec = f.obj(raw, "spec.securityContext", ("runAsUser", "runAsGroup", "fsGroup"))
    user = f.integer(sec.get("runAsUser"), "spec.securityContext.runAsUser", et.DEFAULT_RUN_AS_USER, 1)
    group = f.integer(sec.get("runAsGroup"), "spec.securityContext.runAsGroup", user, 0)
    return SecurityIds(
        run_as_user=user,
        run_as_group=group,
        fs_group=f.integer(sec.get("fsGroup"), "spec.securityContext.fsGroup", group, 0),
    )
