"""Build an EdgeTask manifest from operator arguments, and check it before submitting.

Called by EdgeTaskOperator.execute. The check is the controller's own validator
(``edge_controller.builders.validate``), so the Airflow task fails at once, with the
field path, on a spec the controller would reject. Pure: no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from edge_controller.builders.fields import SpecError
from edge_controller.builders.validate import validate
from gridedge.contract.names import API_VERSION, KIND


def env_entries(env: Mapping[str, str] | Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A ``{name: value}`` mapping becomes EdgeTask env entries; ``${...}`` values are templates."""
    if not isinstance(env, Mapping):
        return [dict(e) for e in env]
    return [{"name": k, "template": str(v)} if "${" in str(v) else {"name": k, "value": str(v)} for k, v in env.items()]


def build_manifest(
    *,
    name: str,
    namespace: str,
    labels: Mapping[str, str],
    annotations: Mapping[str, str],
    spec: Mapping[str, Any],
) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {"name": name, "namespace": namespace, "labels": dict(labels), "annotations": dict(annotations)},
        "spec": {k: v for k, v in spec.items() if v not in (None, [], {}, "")},
    }


def check_manifest(manifest: Mapping[str, Any]) -> str | None:
    """None when the controller would accept it, else ``spec.<field>: why``."""
    try:
        json.dumps(manifest)
        validate(manifest)
    except SpecError as e:
        return str(e)
    except TypeError as e:
        return f"not serialisable to JSON: {e}"
    return None
