"""Env templates: ``${placeholder}`` in a user's env value, filled from the network info.

The syntax collides neither with Airflow's Jinja (``{{ }}``) nor with Kubernetes'
``$(VAR)`` expansion, which passes through untouched. ``$$`` is a literal ``$``; a ``$``
followed by anything else is literal too. Substitution is plain text, never evaluation.
An unknown placeholder is an error that names it and lists the known ones.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from gridedge.contract.network import NetworkInfo

_TOKEN = re.compile(r"\$\$|\$\{([^}]*)\}|\$\{")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

PLACEHOLDERS: dict[str, str] = {
    "master_addr": "host of rank 0",
    "master_port": "coordination port on rank 0 (XGBoost tracker, rendezvous)",
    "world_size": "number of ranks",
    "rank": "this rank",
    "role": "master or worker",
    "host": "this rank's host",
    "port": "this rank's listen port",
    "worker_port": "this rank's listen port (alias of port)",
    "worker_addrs": "host:port of every rank, comma-separated, in rank order",
    "worker_hosts": "host of every rank, comma-separated, in rank order",
    "machines": "LightGBM machine list: host:port of every rank, comma-separated",
    "pod_name": "this rank's Pod name",
    "task_name": "the EdgeTask's name",
    "namespace": "the EdgeTask's namespace",
    "service_name": "the headless Service that gives ranks stable names",
}


class TemplateError(ValueError):
    """A template refers to a placeholder that does not exist, or is malformed."""

    def __init__(self, message: str, placeholder: str | None = None) -> None:
        super().__init__(message)
        self.placeholder = placeholder


def template_values(network: NetworkInfo, rank: int) -> dict[str, str]:
    ep = network.endpoint(rank)
    addrs = ",".join(network.worker_addrs)
    return {
        "master_addr": network.master_addr,
        "master_port": str(network.master_port),
        "world_size": str(network.world_size),
        "rank": str(rank),
        "role": ep.role,
        "host": ep.host,
        "port": str(ep.port),
        "worker_port": str(ep.port),
        "worker_addrs": addrs,
        "worker_hosts": ",".join(e.host for e in network.endpoints),
        "machines": addrs,
        "pod_name": ep.pod_name,
        "task_name": network.task_name,
        "namespace": network.namespace,
        "service_name": network.service_name,
    }


def placeholders_in(template: str) -> list[str]:
    """The placeholder names a template uses (validates syntax, not the names)."""
    names: list[str] = []
    for m in _TOKEN.finditer(template):
        if m.group(0) == "$$":
            continue
        if m.group(1) is None:
            raise TemplateError(f"unterminated placeholder at position {m.start()} in {template!r}")
        names.append(m.group(1).strip())
    return names


def check(template: str, known: Mapping[str, str] = PLACEHOLDERS) -> None:
    """Raise :class:`TemplateError` unless every placeholder is known and well formed."""
    for name in placeholders_in(template):
        if not _NAME.match(name) or name not in known:
            raise TemplateError(
                f"unknown placeholder ${{{name}}}; known placeholders: {', '.join(sorted(known))}", placeholder=name
            )


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill ``template`` from ``values`` (see :func:`template_values`)."""
    check(template, values)

    def sub(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        return values[m.group(1).strip()]

    return _TOKEN.sub(sub, template)
