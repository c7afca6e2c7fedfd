"""validate() turns a manifest into a frozen typed spec, or names the bad field and what it expected."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from edge_controller.builders import SpecError, validate
from gridedge.contract.edgetask import CleanPodPolicy, Framework
from tests.edge_controller.builders.sample import BASE, manifest


def test_defaults_fill_a_minimal_manifest() -> None:
    task = validate(manifest())
    spec = task.spec
    assert (task.meta.name, task.meta.namespace, task.meta.ref) == ("forecast", "grid", "EdgeTask grid/forecast")
    assert spec.framework is Framework.GENERIC and spec.world_size == 1
    assert (spec.ports.master, spec.ports.worker) == (29500, 29501)
    assert spec.run_policy.backoff_limit == 3 and spec.run_policy.clean_pod_policy is CleanPodPolicy.RUNNING
    assert spec.run_policy.suspend is False and spec.run_policy.active_deadline_seconds is None
    assert spec.command == ("python", "-m", "algo") and spec.params_json == "{}"
    assert spec.result_sink.results_topic == "gridedge.results"


def test_spec_is_frozen() -> None:
    task = validate(manifest())
    with pytest.raises(dataclasses.FrozenInstanceError):
        task.spec.world_size = 3  # type: ignore[misc]


def test_namespace_defaults_for_a_local_manifest() -> None:
    raw = manifest()
    del raw["metadata"]["namespace"], raw["metadata"]["uid"]
    task = validate(raw)
    assert task.meta.namespace == "default" and task.owner_reference() is None


def _error(raw: dict[str, Any]) -> SpecError:
    with pytest.raises(SpecError) as err:
        validate(raw)
    return err.value


@pytest.mark.parametrize(
    ("spec", "path", "fragment"),
    [
        ({"image": None}, "spec.image", "is required"),
        ({"image": " "}, "spec.image", "must not be empty"),
        ({"worldSize": 0}, "spec.worldSize", "between 1 and 64, got 0"),
        ({"worldSize": 65}, "spec.worldSize", "between 1 and 64, got 65"),
        ({"worldSize": True}, "spec.worldSize", "expected an integer, got boolean"),
        ({"framework": "pytorch"}, "spec.framework", "one of generic, xgboost, lightgbm"),
        ({"ports": {"master": 5000, "worker": 5000}}, "spec.ports.worker", "must differ"),
        ({"ports": {"master": 70000}}, "spec.ports.master", "between 1 and 65535"),
        ({"colour": "red"}, "spec.colour", "unknown field"),
        ({"command": "python"}, "spec.command", "expected an array, got string"),
        ({"runPolicy": {"cleanPodPolicy": "Some"}}, "spec.runPolicy.cleanPodPolicy", "one of None, Running, All"),
        ({"runPolicy": {"backoffLimit": -1}}, "spec.runPolicy.backoffLimit", "at least 0"),
        ({"data": {"subPath": "x"}}, "spec.data.claimName", "is required"),
        ({"data": {"claimName": "c", "subPath": "/abs"}}, "spec.data.subPath", "relative path"),
        ({"data": {"claimName": "c", "subPath": "site-${shard}"}}, "spec.data.subPath", "unknown placeholder ${shard}"),
        (
            {"podTemplate": {"metadata": {"labels": {"gridedge.io/rank": "3"}}}},
            "spec.podTemplate.metadata.labels.gridedge.io/rank",
            "set by the controller",
        ),
        ({"resources": {"limits": {"cpu": ["1"]}}}, "spec.resources.limits.cpu", "quantity"),
    ],
)
def test_bad_field_is_named(spec: dict[str, Any], path: str, fragment: str) -> None:
    err = _error(manifest(**spec))
    assert err.path == path
    assert fragment in err.expected
    assert str(err).startswith(f"{path}: ")


def test_reserved_env_name_is_refused_at_its_index() -> None:
    env = [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}, {"name": "MASTER_ADDR", "value": "x"}]
    err = _error(manifest(env=env))
    assert err.path == "spec.env[2].name"
    assert "MASTER_ADDR is reserved" in err.expected and "GRIDEDGE_NETWORK_INFO" in err.expected


def test_duplicate_env_name_points_at_the_second_and_the_first() -> None:
    err = _error(manifest(env=[{"name": "A", "value": "1"}, {"name": "A", "template": "${rank}"}]))
    assert err.path == "spec.env[1].name" and "first at spec.env[0]" in err.expected


def test_unknown_placeholder_is_named_with_the_known_ones() -> None:
    err = _error(manifest(env=[{"name": "PEERS", "template": "${peers}"}]))
    assert err.path == "spec.env[0].template"
    assert "unknown placeholder ${peers}" in err.expected and "master_addr" in err.expected


def test_env_entry_needs_exactly_one_source() -> None:
    err = _error(manifest(env=[{"name": "A", "value": "1", "template": "2"}]))
    assert err.path == "spec.env[0]" and "exactly one of value, template, valueFrom" in err.expected
    err = _error(manifest(env=[{"name": "A"}]))
    assert err.path == "spec.env[0]"


def test_value_from_names_one_source() -> None:
    err = _error(
        manifest(env=[{"name": "A", "valueFrom": {"secretKeyRef": {"name": "s"}}}]),
    )
    assert err.path == "spec.env[0].valueFrom.secretKeyRef.key"


def test_bad_env_name() -> None:
    err = _error(manifest(env=[{"name": "1X", "value": "1"}]))
    assert err.path == "spec.env[0].name" and "C identifier" in err.expected


@pytest.mark.parametrize("name", ["Upper", "9lives", "a" * 54, "ends-"])
def test_task_name_must_leave_room_for_pod_names(name: str) -> None:
    raw = manifest()
    raw["metadata"]["name"] = name
    assert _error(raw).path == "metadata.name"


def test_wrong_kind_and_missing_spec() -> None:
    assert _error({**BASE, "kind": "Job"}).path == "kind"
    assert _error({"metadata": {"name": "x"}}).path == "spec"


@pytest.mark.parametrize("quantity", ["500m", "1Gi", 2, "1.5", "1e3", "0.5Ki"])
def test_quantities_are_accepted(quantity: object) -> None:
    task = validate(manifest(resources={"limits": {"cpu": quantity}}))
    assert task.spec.resources.limits == (("cpu", str(quantity)),)


@pytest.mark.parametrize("quantity", ["lots", "1GB", "-1", ""])
def test_bad_quantities_are_refused(quantity: str) -> None:
    err = _error(manifest(resources={"requests": {"memory": quantity}}))
    assert err.path == "spec.resources.requests.memory" and "quantity" in err.expected
