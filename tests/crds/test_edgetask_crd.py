"""The EdgeTask CRD on a real apiserver: schema defaults, what it refuses and why, explain, get.

Also checks that the CRD says the same as the shared contract and the validator.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from kubernetes.client.rest import ApiException

from edge_controller.builders.validate import QUANTITY_PATTERN, SPEC_FIELDS
from gridedge.contract.edgetask import CleanPodPolicy, Framework, Phase
from gridedge.contract.names import RESERVED_ENV
from gridedge.devstack.edgetask import CRD_PATH, apply_crd
from gridedge.devstack.kube import ControlPlane
from tests.edge_controller.support import Tasks, create_namespace, edgetask

CRD = yaml.safe_load(CRD_PATH.read_text())
SCHEMA = CRD["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
SPEC = SCHEMA["properties"]["spec"]["properties"]


def test_crd_agrees_with_the_contract_and_the_validator() -> None:
    assert set(SPEC) == set(SPEC_FIELDS)
    assert SPEC["framework"]["enum"] == [str(f) for f in Framework]
    assert SPEC["runPolicy"]["properties"]["cleanPodPolicy"]["enum"] == [str(c) for c in CleanPodPolicy]
    assert SCHEMA["properties"]["status"]["properties"]["phase"]["enum"] == [str(p) for p in Phase]
    rule = SPEC["env"]["items"]["properties"]["name"]["x-kubernetes-validations"][0]["rule"]
    assert set(re.findall(r"'([A-Z_]+)'", rule)) == set(RESERVED_ENV)
    assert CRD["spec"]["names"]["shortNames"] == ["et"]
    quantity = SPEC["resources"]["properties"]["limits"]["additionalProperties"]["pattern"]
    assert quantity == QUANTITY_PATTERN


@pytest.fixture(scope="module")
def plane(edge_cluster: ControlPlane) -> ControlPlane:
    apply_crd(edge_cluster)
    return edge_cluster


@pytest.fixture(scope="module")
def tasks(plane: ControlPlane) -> Tasks:
    return Tasks(plane, create_namespace(plane, "crd"))


def test_defaults_are_applied_by_the_apiserver(tasks: Tasks) -> None:
    created = tasks.create(edgetask("minimal", image="gridedge/stats:1"))
    spec = created["spec"]
    assert spec["framework"] == "generic" and spec["worldSize"] == 1
    assert spec["ports"] == {"master": 29500, "worker": 29501}
    assert spec["runPolicy"] == {"backoffLimit": 3, "cleanPodPolicy": "Running", "suspend": False}


def _refused(tasks: Tasks, name: str, **spec: Any) -> str:
    with pytest.raises(ApiException) as err:
        tasks.create(edgetask(name, **spec))
    assert err.value.status == 422, err.value.body
    return str(err.value.body)


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ({}, "spec.image: Required value"),
        ({"image": "x", "worldSize": 0}, "spec.worldSize: Invalid value: 0"),
        ({"image": "x", "worldSize": 65}, "should be less than or equal to 64"),
        ({"image": "x", "framework": "pytorch"}, 'supported values: \\"generic\\", \\"xgboost\\", \\"lightgbm\\"'),
        ({"image": "x", "env": [{"name": "RANK", "value": "3"}]}, "this env name is reserved"),
        ({"image": "x", "env": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]}, "Duplicate value"),
        ({"image": "x", "env": [{"name": "A", "value": "1", "template": "${rank}"}]}, "exactly one of value"),
        ({"image": "x", "ports": {"master": 7000, "worker": 7000}}, "ports.master and ports.worker must differ"),
        ({"image": "x", "runPolicy": {"cleanPodPolicy": "Sometimes"}}, "spec.runPolicy.cleanPodPolicy"),
        ({"image": "x", "data": {"claimName": "c", "subPath": "../etc"}}, "subPath must be a relative path"),
        ({"image": "x", "resources": {"limits": {"memory": "lots"}}}, "spec.resources.limits.memory"),
        (
            {"image": "x", "podTemplate": {"metadata": {"labels": {"gridedge.io/rank": "0"}}}},
            "are set by the controller",
        ),
    ],
)
def test_bad_specs_are_refused_naming_the_field(tasks: Tasks, spec: dict[str, Any], fragment: str) -> None:
    assert fragment in _refused(tasks, "bad", **spec)


def test_long_names_are_refused(tasks: Tasks) -> None:
    assert "at most 53 characters" in _refused(tasks, "a" * 54, image="x")


def test_image_and_world_size_are_immutable(tasks: Tasks) -> None:
    tasks.create(edgetask("frozen", image="gridedge/stats:1", worldSize=2))
    with pytest.raises(ApiException) as err:
        tasks.patch_spec("frozen", {"worldSize": 3})
    assert err.value.status == 422 and "cannot change after creation" in str(err.value.body)
    patched = tasks.patch_spec("frozen", {"runPolicy": {"suspend": True}})
    assert patched["spec"]["runPolicy"]["suspend"] is True


def test_kubectl_explain_and_get_by_short_name(plane: ControlPlane, tasks: Tasks) -> None:
    explain = plane.kubectl("explain", "edgetask.spec")
    for field in ("worldSize", "framework", "runPolicy", "Reserved names", "DMLC_TRACKER_URI"):
        assert field in explain, explain
    assert "backoffLimit" in plane.kubectl("explain", "et.spec.runPolicy")
    tasks.create(edgetask("listed", image="gridedge/stats:1", worldSize=4))
    out = plane.kubectl("get", "et", "-n", tasks.namespace, "listed")
    header, row = out.strip().splitlines()
    assert header.split() == ["NAME", "PHASE", "WORLD", "RUNNING", "SUCCEEDED", "RESTARTS", "AGE"]
    assert row.split()[:2] == ["listed", "4"]


def test_every_status_field_the_controller_writes_survives_pruning() -> None:
    """A status key missing from the schema would be pruned silently and the machine would loop."""
    from datetime import UTC, datetime

    from edge_controller.reconcile.machine import decide
    from tests.edge_controller.builders.sample import manifest

    now = datetime(2026, 12, 3, tzinfo=UTC)
    body = manifest(runPolicy={"activeDeadlineSeconds": 5})
    body["metadata"]["generation"] = 1
    written: set[str] = set()
    for status in ({}, {"phase": "Running", "materialized": True}, {"phase": "Succeeded", "completionTime": "x"}):
        body["status"] = status
        written |= set(decide(body, [], now).status)
    allowed = set(SCHEMA["properties"]["status"]["properties"])
    assert written <= allowed, written - allowed
    condition = set(SCHEMA["properties"]["status"]["properties"]["conditions"]["items"]["properties"])
    for c in decide(body, [], now).status["conditions"]:
        assert set(c) <= condition


EXAMPLES = sorted((CRD_PATH.parent / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples_pass_the_validator(path: Any) -> None:
    from edge_controller.builders import validate

    assert validate(yaml.safe_load(path.read_text())).spec.image


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples_pass_the_apiserver(plane: ControlPlane, tasks: Tasks, path: Any) -> None:
    out = plane.kubectl("apply", "--dry-run=server", "-n", tasks.namespace, "-f", str(path))
    assert "created (server dry run)" in out
