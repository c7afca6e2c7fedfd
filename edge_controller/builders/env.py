"""The environment of one rank: reserved GRIDEDGE_* values, the framework preset, the user's env.

Called by :mod:`.pods` for every rank. Order matters: reserved and preset names come first
so that a user's plain value may refer to them with Kubernetes' ``$(MASTER_ADDR)``. User
templates are rendered here with ``${placeholders}`` from the network info. Pure: no I/O.
"""

from __future__ import annotations

import posixpath
from typing import Any

from edge_controller.builders.spec import EdgeTask
from gridedge.contract import names as n
from gridedge.contract.edgetask import Framework
from gridedge.contract.network import NetworkInfo
from gridedge.contract.templates import render, template_values


def _plain(name: str, value: str) -> dict[str, Any]:
    return {"name": name, "value": value}


def data_path(task: EdgeTask, values: dict[str, str]) -> str:
    """Where this rank's data is inside the container ('' without ``spec.data``)."""
    data = task.spec.data
    if data is None:
        return ""
    inner = render(data.path, values)
    return posixpath.join(data.mount_path, inner) if inner else data.mount_path


def reserved_env(task: EdgeTask, network: NetworkInfo, rank: int) -> list[dict[str, Any]]:
    """The GRIDEDGE_* variables: identity, topology, Kafka sink, paths, parameters."""
    ep = network.endpoint(rank)
    meta, sink = task.meta, task.spec.result_sink
    values = template_values(network, rank)
    env = [
        _plain(n.ENV_NETWORK_INFO, network.to_json(rank)),
        _plain(n.ENV_RANK, str(rank)),
        _plain(n.ENV_ROLE, ep.role),
        _plain(n.ENV_WORLD_SIZE, str(network.world_size)),
        _plain(n.ENV_TASK_NAMESPACE, meta.namespace),
        _plain(n.ENV_TASK_NAME, meta.name),
        _plain(n.ENV_TASK_UID, meta.uid),
        _plain(n.ENV_DAG_ID, meta.annotation(n.ANNOTATION_DAG_ID) or meta.label(n.LABEL_DAG_ID)),
        _plain(n.ENV_RUN_ID, meta.annotation(n.ANNOTATION_RUN_ID) or meta.label(n.LABEL_RUN_ID)),
        _plain(n.ENV_AIRFLOW_TASK_ID, meta.annotation(n.ANNOTATION_TASK_ID) or meta.label(n.LABEL_TASK_ID)),
        _plain(n.ENV_TRY_NUMBER, meta.label(n.LABEL_TRY_NUMBER)),
        _plain(n.ENV_KAFKA_BOOTSTRAP, sink.bootstrap_servers),
        _plain(n.ENV_RESULTS_TOPIC, sink.results_topic),
        _plain(n.ENV_WARNINGS_TOPIC, sink.warnings_topic),
        _plain(n.ENV_PROGRESS_TOPIC, sink.progress_topic),
        _plain(n.ENV_DATA_PATH, data_path(task, values)),
        _plain(n.ENV_OUTPUT_PATH, task.spec.output.mount_path),
        _plain(n.ENV_PARAMS, task.spec.params_json),
    ]
    if sink.security_protocol:
        env.append(_plain(n.ENV_KAFKA_SECURITY_PROTOCOL, sink.security_protocol))
    if sink.sasl_mechanism:
        env.append(_plain(n.ENV_KAFKA_SASL_MECHANISM, sink.sasl_mechanism))
    if sink.credentials is not None:
        for name, key in (
            (n.ENV_KAFKA_USERNAME, sink.credentials.username_key),
            (n.ENV_KAFKA_PASSWORD, sink.credentials.password_key),
        ):
            env.append({"name": name, "valueFrom": {"secretKeyRef": {"name": sink.credentials.name, "key": key}}})
    return env


def preset_env(framework: Framework, network: NetworkInfo, rank: int) -> list[dict[str, Any]]:
    """Kubeflow-v1 names for every framework, plus XGBoost's DMLC_* or LightGBM's machine list.

    ``DMLC_TASK_ID`` is the rank zero-padded to the width of the largest rank, so that the
    tracker's ``sortby="task"`` (a string sort) keeps rank order.
    """
    ep = network.endpoint(rank)
    env = [
        _plain(n.ENV_MASTER_ADDR, network.master_addr),
        _plain(n.ENV_MASTER_PORT, str(network.master_port)),
        _plain(n.ENV_KF_WORLD_SIZE, str(network.world_size)),
        _plain(n.ENV_KF_RANK, str(rank)),
        _plain(n.ENV_WORKER_ADDRS, ",".join(network.worker_addrs)),
        _plain(n.ENV_WORKER_PORT, str(ep.port)),
    ]
    if framework is Framework.XGBOOST:
        width = len(str(network.world_size - 1))
        env += [
            _plain(n.ENV_DMLC_TRACKER_URI, network.master_addr),
            _plain(n.ENV_DMLC_TRACKER_PORT, str(network.master_port)),
            _plain(n.ENV_DMLC_TASK_ID, str(rank).zfill(width)),
            _plain(n.ENV_DMLC_NUM_WORKER, str(network.world_size)),
        ]
    elif framework is Framework.LIGHTGBM:
        env += [
            _plain(n.ENV_LGBM_MACHINES, ",".join(network.worker_addrs)),
            _plain(n.ENV_LGBM_LOCAL_LISTEN_PORT, str(ep.port)),
            _plain(n.ENV_LGBM_NUM_MACHINES, str(network.world_size)),
        ]
    return env


def user_env(task: EdgeTask, network: NetworkInfo, rank: int) -> list[dict[str, Any]]:
    """The user's entries in their order: literals as given, templates rendered, valueFrom passed on."""
    values = template_values(network, rank)
    env: list[dict[str, Any]] = []
    for entry in task.spec.env:
        if entry.value_from is not None:
            ref = entry.value_from
            source = {"name": ref.name, "key": ref.key, "optional": ref.optional}
            env.append({"name": entry.name, "valueFrom": {ref.kind: source}})
        elif entry.template is not None:
            env.append(_plain(entry.name, render(entry.template, values)))
        else:
            env.append(_plain(entry.name, entry.value or ""))
    return env


def build_env(task: EdgeTask, network: NetworkInfo, rank: int) -> list[dict[str, Any]]:
    return (
        reserved_env(task, network, rank)
        + preset_env(task.spec.framework, network, rank)
        + user_env(task, network, rank)
    )
