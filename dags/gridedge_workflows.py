"""GridEdge DAG factory entry: one Airflow DAG per ``config/workflows/*.yaml``.

Parsed by Airflow's DAG processor. Each valid workflow becomes a DAG (see
``edge_operators.factory``); a broken workflow file is skipped here, so it breaks no
other DAG, and is reported as an import error naming its file, entry and field by
``gridedge_registry_check.py``. A broken shared registry file (sites, algorithms,
applications, settings) is this file's import error. No cluster or broker access.
"""

from __future__ import annotations

import warnings

from edge_operators.factory import build_dag
from gridedge.registry import load_registry, load_workflows

registry = load_registry()
for _file in load_workflows(registry):
    if _file.workflow is None:
        warnings.warn(f"GridEdge workflow skipped: {_file.error}", UserWarning, stacklevel=1)
        continue
    globals()[_file.workflow.name] = build_dag(_file.workflow, registry)
