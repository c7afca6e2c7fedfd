"""The registry (``config/``) as table rows for the page, and the site of each connection.

Called by :mod:`.page_data`. Reads ``gridedge.registry`` only; a broken registry becomes
an error text on the page instead of an exception. Pure apart from reading YAML files.
"""

from __future__ import annotations

from edge_operators.monitoring.view_models import Catalogue, CatalogueRow
from gridedge.registry import Registry, RegistryError, load_registry, load_workflows


def _short(value: object, limit: int = 80) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def load() -> tuple[Registry | None, str | None]:
    try:
        return load_registry(), None
    except RegistryError as e:
        return None, str(e)


def catalogue(registry: Registry | None, error: str | None) -> Catalogue:
    if registry is None:
        return Catalogue(error=error or "the registry could not be read")
    algorithms = tuple(
        CatalogueRow(
            name,
            (a.image, str(a.framework), str(a.world_size), " ".join(a.command), _short(a.params), a.description),
        )
        for name, a in sorted(registry.algorithms.items())
    )
    applications = tuple(
        CatalogueRow(name, (a.algorithm, " ".join(a.args), _short(a.params), a.description))
        for name, a in sorted(registry.applications.items())
    )
    workflows: list[CatalogueRow] = []
    for wf_file in load_workflows(registry):
        wf = wf_file.workflow
        if wf is None:
            workflows.append(CatalogueRow(wf_file.path.stem, ("—", "—", "—", f"broken: {wf_file.error}")))
            continue
        steps = ", ".join(f"{s.id} ({s.application})" for s in wf.steps)
        workflows.append(CatalogueRow(wf.name, (wf.schedule or "manual", ", ".join(wf.sites), steps, wf.description)))
    return Catalogue(algorithms, applications, tuple(workflows))


def sites_by_connection(registry: Registry | None) -> dict[str, str]:
    if registry is None:
        return {}
    return {site.connection_id: name for name, site in registry.sites.items()}
