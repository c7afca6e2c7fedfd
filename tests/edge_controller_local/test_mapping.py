"""Playing a rendered Pod locally: mounts become folders, python becomes this interpreter."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from edge_controller.builders import build_pods, validate
from edge_controller.local.mapping import MappingError, expand_var_refs, pod_process
from gridedge.contract.network import local_network


def pods(spec: dict[str, object], world: int = 2) -> list[dict[str, object]]:
    body = {
        "image": "gridedge/xgboost:0.1.0",
        "command": ["python", "-m", "gridedge_sdk.algorithms.xgboost_train"],
        "args": ["--model", "/output/model.json"],
        "framework": "xgboost",
        "worldSize": world,
        "data": {"claimName": "site-data", "path": "site-00/part-${rank}.parquet"},
        "resultSink": {"bootstrapServers": "127.0.0.1:9092"},
        **spec,
    }
    task = validate(
        {
            "apiVersion": "gridedge.io/v1alpha1",
            "kind": "EdgeTask",
            "metadata": {"name": "fc", "namespace": "grid"},
            "spec": body,
        }
    )
    return build_pods(task, local_network("grid", "fc", world, 40000, [40001, 40002][:world]))


def test_paths_under_mounts_point_at_local_folders(tmp_path):
    (_, pod1) = pods({})
    spec = pod_process(pod1, 1, tmp_path / "pod1", {"site-data": tmp_path / "sites"}, {}, {})
    assert spec.argv[0] == sys.executable
    assert spec.argv[1:] == (
        "-m",
        "gridedge_sdk.algorithms.xgboost_train",
        "--model",
        str(tmp_path / "pod1" / "volumes" / "output" / "model.json"),
    )
    assert spec.env["GRIDEDGE_DATA_PATH"] == str(tmp_path / "sites" / "site-00" / "part-1.parquet")
    assert spec.env["GRIDEDGE_RANK"] == "1" and spec.env["DMLC_TRACKER_PORT"] == "40000"
    assert spec.cwd == tmp_path / "pod1"


def test_var_refs_expand_like_the_kubelet_and_secrets_resolve(tmp_path):
    env = [
        {"name": "TRACKER", "value": "$(MASTER_ADDR):$(MASTER_PORT)"},
        {"name": "KEEP", "value": "$(UNDEFINED) and $$(MASTER_ADDR)"},
        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "token"}}},
    ]
    (pod0, _) = pods({"env": env})
    spec = pod_process(pod0, 0, tmp_path, {"site-data": tmp_path}, {"creds": {"token": "s3cret"}}, {})
    assert spec.env["TRACKER"] == "127.0.0.1:40000"
    assert spec.env["KEEP"] == "$(UNDEFINED) and $(MASTER_ADDR)"
    assert spec.env["TOKEN"] == "s3cret"
    assert expand_var_refs("$(A)$(B)", {"A": "1"}) == "1$(B)"


def test_unmapped_claim_missing_secret_and_missing_command_are_named(tmp_path):
    (pod0, _) = pods({})
    with pytest.raises(MappingError, match="no local folder for PersistentVolumeClaim 'site-data'"):
        pod_process(pod0, 0, tmp_path, {}, {}, {})
    (pod0, _) = pods({"env": [{"name": "T", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "k"}}}]})
    with pytest.raises(MappingError, match="env T needs secretKeyRef creds/k"):
        pod_process(pod0, 0, tmp_path, {"site-data": tmp_path}, {}, {})
    (pod0, _) = pods({"command": None})
    with pytest.raises(MappingError, match="has no command"):
        pod_process(pod0, 0, tmp_path, {"site-data": tmp_path}, {}, {})


def test_inherited_env_is_small_and_pod_env_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SOME_HOST_SECRET", "x")
    (pod0, _) = pods({})
    spec = pod_process(pod0, 0, tmp_path, {"site-data": Path(tmp_path)}, {}, {"GRIDEDGE_RANK": "9"})
    assert "SOME_HOST_SECRET" not in spec.env
    assert spec.env["GRIDEDGE_RANK"] == "0"
