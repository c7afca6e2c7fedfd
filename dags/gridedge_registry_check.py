"""GridEdge registry check: an Airflow import error for every broken workflow file.

Parsed by Airflow's DAG processor next to ``gridedge_workflows.py``; it defines no DAG.
When a ``config/workflows/*.yaml`` is invalid, the factory skips it (the other DAGs
load) and this file fails to import with a message naming the workflow file, the entry
and the field, so the error shows in the UI's import errors. No cluster or broker access.
"""

from __future__ import annotations

from gridedge.registry import load_registry, load_workflows


class BrokenWorkflowError(ValueError):
    """One or more workflow files are invalid; the other workflows' DAGs still load."""


_broken = [f.error for f in load_workflows(load_registry()) if f.error is not None]
if _broken:
    raise BrokenWorkflowError(
        f"{len(_broken)} GridEdge workflow file(s) are invalid and have no DAG:\n" + "\n".join(map(str, _broken))
    )
