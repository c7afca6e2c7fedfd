"""The DAG factory: one Airflow DAG per registered workflow, fanned out to its sites.

Called by the thin DAG files in ``dags/`` at parse time (and by the UI plugin and tests).
Each workflow step becomes one EdgeTaskOperator mapped over the workflow's sites (one
EdgeTask per site, on that site's cluster, next to its data) and a gather task that
collects the per-site results into one XCom. It must not reach any cluster or broker:
parsing a DAG file does no I/O beyond reading ``config/``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from airflow.sdk import DAG, task

from edge_operators.operators.edge_task import EdgeTaskOperator
from gridedge.registry import Registry, Site, Workflow, load_registry
from gridedge.registry.loader import TaskTemplate


def site_kwargs(site: Site, data_subpath: str = "") -> dict[str, Any]:
    """The per-site (mapped) arguments of an EdgeTaskOperator (``data_subpath``: the application's folder)."""
    return {
        "site": site.name,
        "edge_cluster_conn_id": site.connection_id,
        "namespace": site.namespace,
        "data": site.data.to_spec(data_subpath),
        "node_selector": dict(site.node_selector),
        "pod_labels": dict(site.labels),
        "pod_annotations": dict(site.pod_annotations),
    }


def application_kwargs(template: TaskTemplate, registry: Registry, workflow: Workflow | None = None) -> dict[str, Any]:
    """The per-step (partial) arguments: what every site runs."""
    kafka = registry.settings.kafka
    airflow = registry.settings.airflow
    timeout = (workflow.result_timeout_seconds if workflow else None) or airflow.result_timeout_seconds
    return {
        "image": template.image,
        "command": list(template.command),
        "arguments": list(template.args),
        "env": dict(template.env),
        "task_params": dict(template.params),
        "framework": template.framework,
        "world_size": template.world_size,
        "container_resources": template.resources,
        "kafka_config_id": kafka.connection_id,
        "results_topic": kafka.results_topic,
        "result_timeout": float(timeout),
        "poll_interval": airflow.poll_interval_seconds,
    }


def registered_task(
    task_id: str, application: str, site: str, registry: Registry | None = None, **overrides: Any
) -> EdgeTaskOperator:
    """An EdgeTaskOperator for a registered application on a registered site (DAG authors' shortcut)."""
    registry = registry or load_registry()
    template = registry.template(application)
    kwargs = {**application_kwargs(template, registry), **site_kwargs(registry.site(site), template.data_subpath)}
    return EdgeTaskOperator(task_id=task_id, **{**kwargs, **overrides})


@task
def gather_results(sites: list[str], results: list[dict[str, Any]]) -> dict[str, Any]:
    """``{site: result message}``: map index i ran on ``sites[i]``."""
    return dict(zip(sites, list(results), strict=True))


def build_dag(workflow: Workflow, registry: Registry) -> DAG:
    airflow = registry.settings.airflow
    retries = airflow.retries if workflow.retries is None else workflow.retries
    start = dt.datetime.combine(workflow.start_date, dt.time(), tzinfo=dt.UTC)
    with DAG(
        dag_id=workflow.name,
        description=workflow.description or None,
        schedule=workflow.schedule,
        start_date=start,
        catchup=workflow.catchup,
        tags=["gridedge", *workflow.tags],
        default_args={
            "owner": airflow.owner,
            "retries": retries,
            "retry_delay": dt.timedelta(seconds=airflow.retry_delay_seconds),
        },
        doc_md=f"GridEdge workflow `{workflow.name}` from `{registry.root}/workflows` "
        f"(sites: {', '.join(workflow.sites)}).",
    ) as dag:
        previous: Any = None
        for step in workflow.steps:
            template = registry.template(step.application, step)
            runs = EdgeTaskOperator.partial(
                task_id=step.id, **application_kwargs(template, registry, workflow)
            ).expand_kwargs([site_kwargs(registry.site(s), template.data_subpath) for s in workflow.sites])
            gathered = gather_results.override(task_id=f"{step.id}_results")(
                list(workflow.sites),
                runs.output,  # type: ignore[arg-type]  # resolves to the per-site results at run time
            )
            if previous is not None:
                previous >> runs
            previous = gathered
    return dag
