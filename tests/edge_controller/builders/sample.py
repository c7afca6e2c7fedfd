"""Sample EdgeTask manifests for the builder tests (plain dicts, as the apiserver returns them)."""

from __future__ import annotations

import copy
from typing import Any

BASE: dict[str, Any] = {
    "apiVersion": "gridedge.io/v1alpha1",
    "kind": "EdgeTask",
    "metadata": {
        "name": "forecast",
        "namespace": "grid",
        "uid": "0b7c0d4e-1111-2222-3333-444455556666",
        "labels": {"gridedge.io/dag-id": "load_forecast", "gridedge.io/try-number": "2", "team": "ops"},
        "annotations": {"gridedge.io/run-id": "manual__2026-12-03T09:00:00+00:00"},
    },
    "spec": {"image": "gridedge/xgboost:1", "command": ["python", "-m", "algo"], "args": ["--rounds", "10"]},
}


def manifest(**spec: Any) -> dict[str, Any]:
    """BASE with ``spec`` keys replaced (a key set to None is removed)."""
    out = copy.deepcopy(BASE)
    for key, value in spec.items():
        if value is None:
            out["spec"].pop(key, None)
        else:
            out["spec"][key] = value
    return out
