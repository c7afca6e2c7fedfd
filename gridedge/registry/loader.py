"""Load and cross-check ``config/``: one error per broken file, naming entry and field.

Called by the DAG factory (at parse time), the operator, the UI plugin and the demo.
Workflows load one file at a time, so a broken workflow never hides the others. It must
not import Airflow or reach any cluster: it reads YAML and validates.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from gridedge.registry.errors import Problem, RegistryError
from gridedge.registry.models import Algorithm, Application, Settings, Site, Step, Workflow

CONFIG_ENV = "GRIDEDGE_CONFIG_DIR"
REPO_CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"
M = TypeVar("M", bound=BaseModel)


def config_dir() -> Path:
    """``$GRIDEDGE_CONFIG_DIR`` if set, else the checkout's ``config/``."""
    return Path(os.environ.get(CONFIG_ENV) or REPO_CONFIG_DIR)


@dataclass(frozen=True)
class TaskTemplate:
    """Everything an EdgeTask needs from the registry for one step (before the site)."""

    application: str
    algorithm: str
    image: str
    framework: str
    command: list[str]
    args: list[str]
    env: dict[str, str]
    params: dict[str, Any]
    world_size: int
    resources: dict[str, dict[str, str]]
    data_subpath: str = ""


@dataclass(frozen=True)
class Registry:
    settings: Settings
    sites: dict[str, Site]
    algorithms: dict[str, Algorithm]
    applications: dict[str, Application]
    root: Path = field(default=REPO_CONFIG_DIR)

    def site(self, name: str) -> Site:
        try:
            return self.sites[name]
        except KeyError:
            raise KeyError(f"unknown site {name!r}; registered sites: {', '.join(sorted(self.sites))}") from None

    def template(self, application: str, step: Step | None = None) -> TaskTemplate:
        """Merge algorithm defaults, application and (optionally) step overrides."""
        try:
            app = self.applications[application]
        except KeyError:
            known = ", ".join(sorted(self.applications))
            raise KeyError(f"unknown application {application!r}; registered applications: {known}") from None
        algo = self.algorithms[app.algorithm]
        args = list(algo.args) + list(app.args)
        if step is not None and step.args is not None:
            args = list(algo.args) + list(step.args)
        world = (step.world_size if step else None) or app.world_size or algo.world_size
        return TaskTemplate(
            application=app.name,
            algorithm=algo.name,
            image=algo.image,
            framework=algo.framework.value,
            command=list(algo.command),
            args=args,
            env={**algo.env, **app.env},
            params={**algo.params, **app.params, **(step.params if step else {})},
            world_size=world,
            resources={k: dict(v) for k, v in algo.resources.items()},
            data_subpath=app.data_subpath,
        )


@dataclass(frozen=True)
class WorkflowFile:
    """One ``workflows/*.yaml``: its workflow, or why it is broken."""

    path: Path
    workflow: Workflow | None
    error: RegistryError | None


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text()) or {}
    except FileNotFoundError:
        raise RegistryError(path, [Problem("", "", "file not found")]) from None
    except yaml.YAMLError as e:
        raise RegistryError(path, [Problem("", "", f"not valid YAML: {e}")]) from e


def _problems(entry: str, error: ValidationError) -> list[Problem]:
    return [
        Problem(entry, ".".join(str(p) for p in err["loc"]) or "", err["msg"].removeprefix("Value error, "))
        for err in error.errors()
    ]


def _entries(path: Path, section: str, model: type[M]) -> dict[str, M]:
    data = _read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get(section, {}), dict):
        raise RegistryError(path, [Problem("", section, f"must be a mapping of name to {model.__name__}")])
    problems: list[Problem] = []
    out: dict[str, M] = {}
    for name, body in (data.get(section) or {}).items():
        if not isinstance(body, dict):
            problems.append(Problem(str(name), "", "must be a mapping"))
            continue
        try:
            out[str(name)] = model.model_validate({"name": str(name), **body})
        except ValidationError as e:
            problems.extend(_problems(str(name), e))
    extra = set(data) - {section}
    if extra:
        problems.append(Problem("", ", ".join(sorted(extra)), f"unknown top-level key; expected only {section!r}"))
    if problems:
        raise RegistryError(path, problems)
    return out


def load_settings(root: Path | None = None) -> Settings:
    """Only ``settings.yaml`` (Airflow and Kafka settings); defaults when it is absent."""
    path = (root or config_dir()) / "settings.yaml"
    try:
        return Settings.model_validate(_read_yaml(path)) if path.exists() else Settings()
    except ValidationError as e:
        raise RegistryError(path, _problems("settings", e)) from e


def load_registry(root: Path | None = None) -> Registry:
    """Sites, algorithms, applications and settings, with references checked."""
    root = root or config_dir()
    settings = load_settings(root)
    sites = _entries(root / "sites.yaml", "sites", Site)
    algorithms = _entries(root / "algorithms.yaml", "algorithms", Algorithm)
    applications = _entries(root / "applications.yaml", "applications", Application)
    dangling = [
        Problem(name, "algorithm", f"unknown algorithm {app.algorithm!r}; registered: {', '.join(sorted(algorithms))}")
        for name, app in applications.items()
        if app.algorithm not in algorithms
    ]
    if dangling:
        raise RegistryError(root / "applications.yaml", dangling)
    return Registry(settings, sites, algorithms, applications, root)


def _check_references(workflow: Workflow, sites: Mapping[str, Site], apps: Mapping[str, Application]) -> list[Problem]:
    problems = [
        Problem(workflow.name, f"sites.{i}", f"unknown site {s!r}; registered sites: {', '.join(sorted(sites))}")
        for i, s in enumerate(workflow.sites)
        if s not in sites
    ]
    problems += [
        Problem(
            workflow.name,
            f"steps.{i}.application",
            f"unknown application {step.application!r}; registered applications: {', '.join(sorted(apps))}",
        )
        for i, step in enumerate(workflow.steps)
        if step.application not in apps
    ]
    return problems


def load_workflow(path: Path, registry: Registry) -> Workflow:
    data = _read_yaml(path)
    entry = str(data.get("name", path.stem)) if isinstance(data, dict) else path.stem
    if not isinstance(data, dict):
        raise RegistryError(path, [Problem(entry, "", "a workflow file must be a mapping")])
    try:
        workflow = Workflow.model_validate(data)
    except ValidationError as e:
        raise RegistryError(path, _problems(entry, e)) from e
    problems = _check_references(workflow, registry.sites, registry.applications)
    if problems:
        raise RegistryError(path, problems)
    return workflow


def load_workflows(registry: Registry, root: Path | None = None) -> list[WorkflowFile]:
    """Every ``workflows/*.yaml`` under ``root``, each loaded on its own."""
    folder = (root or registry.root) / "workflows"
    out: list[WorkflowFile] = []
    names: dict[str, Path] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            wf = load_workflow(path, registry)
        except RegistryError as e:
            out.append(WorkflowFile(path, None, e))
            continue
        if wf.name in names:
            err = RegistryError(path, [Problem(wf.name, "name", f"already used by {names[wf.name].name}")])
            out.append(WorkflowFile(path, None, err))
            continue
        names[wf.name] = path
        out.append(WorkflowFile(path, wf, None))
    return out
