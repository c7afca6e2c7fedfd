"""Env-template rendering for a 64-rank task: GridEdge's renderer vs ``string.Template``.

The controller renders every user env value once per rank; this checks that the
validating renderer (unknown-placeholder errors, ``$$`` escapes) costs little over the
standard library's unchecked substitution.
"""

from __future__ import annotations

import string

from bench.harness import Comparison, alternate
from gridedge.contract.network import kubernetes_network
from gridedge.contract.templates import render, template_values

WORLD = 64
TEMPLATES = [
    "--machines=${machines} --rank=${rank}",
    "tcp://${master_addr}:${master_port}",
    "node ${rank} of ${world_size} at ${host}:${port}",
    "plain value without placeholders",
] * 4


def run(repeats: int) -> list[Comparison]:
    net = kubernetes_network("grid", "forecast", WORLD, 29500, 29501)
    values = [template_values(net, r) for r in range(WORLD)]

    def ours() -> None:
        for v in values:
            for t in TEMPLATES:
                render(t, v)

    def baseline() -> None:
        for v in values:
            for t in TEMPLATES:
                string.Template(t).substitute(v)

    count = WORLD * len(TEMPLATES)
    o, b = alternate(("gridedge render", ours), ("string.Template", baseline), repeats, count, "values")
    return [Comparison("env templates, 64 ranks x 16 values", o, b, "validation + escapes vs unchecked stdlib")]
