"""Render :class:`PageData` as one server-side HTML page (no JavaScript).

Called by :mod:`.page_app`. Every value from a cluster, the registry or Airflow is
escaped here; the only markup not built from escaped text is this module's own and the
chart's. Pure: it never reads anything itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from edge_operators.monitoring.svg_chart import forecast_chart
from edge_operators.monitoring.view_models import (
    ByteAccount,
    Catalogue,
    CatalogueRow,
    ClusterView,
    NodeUsage,
    PageData,
    ResultRow,
    WarningRow,
)

STYLE = """
body{font-family:DejaVu Sans,Arial,sans-serif;margin:0;color:#1d2733;background:#f4f6f8;font-size:14px}
header{background:#1f4e79;color:#fff;padding:12px 20px}header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;opacity:.85}nav a{color:#fff;margin-right:14px}
main{padding:8px 20px 24px}section{background:#fff;border:1px solid #dde3e9;border-radius:6px;
margin:14px 0;padding:10px 16px}h2{font-size:17px;margin:6px 0 10px}h3{font-size:15px;margin:12px 0 6px}
table{border-collapse:collapse;width:100%;margin-bottom:8px}th,td{text-align:left;padding:4px 8px;
border-bottom:1px solid #e8ecf0;vertical-align:top}th{background:#f0f3f6;font-weight:600}
.badge{display:inline-block;border-radius:10px;padding:1px 9px;font-size:12px;font-weight:600}
.phase-Succeeded,.ok{background:#d4efdf;color:#145a32}.phase-Failed,.sev-critical,.down{background:#f5d0cc;
color:#7b241c}.phase-Running,.phase-Pending,.phase-Restarting,.phase-Unknown,.phase-Suspended{background:#fdebd0;
color:#7e5109}.sev-warning{background:#fcf3cf;color:#7d6608}.sev-info{background:#d6eaf8;color:#1b4f72}
.bar{background:#e8ecf0;border-radius:3px;height:8px;width:120px;display:inline-block;margin-right:6px}
.bar span{display:block;height:8px;border-radius:3px;background:#2e86c1}.muted{color:#6c7a89}
.error{color:#922b21}.tick{font-size:11px;fill:#4d5b69}.chart{margin:6px 0 14px}
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _table(headers: Sequence[str], rows: Iterable[str], empty: str) -> str:
    body = "".join(rows)
    if not body:
        return f'<p class="muted">{_e(empty)}</p>'
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _bar(used: int, total: int) -> str:
    share = min(used / total, 1.0) if total else 0.0
    return f'<span class="bar"><span style="width:{share * 100:.0f}%"></span></span>{share * 100:.0f}%'


def _bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def _node_row(n: NodeUsage) -> str:
    site_label = n.labels.get("gridedge.io/site", "")
    ready = '<span class="badge ok">Ready</span>' if n.ready else '<span class="badge down">NotReady</span>'
    return (
        f'<tr data-node="{_e(n.name)}"><td>{_e(n.name)}</td><td>{ready}</td><td>{_e(site_label)}</td>'
        f"<td>{_bar(n.cpu_requested_m, n.cpu_allocatable_m)} {n.cpu_requested_m}m / {n.cpu_allocatable_m}m</td>"
        f"<td>{_bar(n.memory_requested, n.memory_allocatable)} {_e(_bytes(n.memory_requested))} / "
        f"{_e(_bytes(n.memory_allocatable))}</td><td>{n.pods} / {n.pods_allocatable}</td></tr>"
    )


def _cluster(c: ClusterView) -> str:
    state = (
        f'<span class="badge down">unreachable</span> <span class="error">{_e(c.error)}</span>'
        if c.error
        else f'<span class="badge ok">reachable</span> <span class="muted">Kubernetes {_e(c.version)}</span>'
    )
    nodes = _table(
        ("node", "status", "site label", "CPU requested / allocatable", "memory requested / allocatable", "pods"),
        (_node_row(n) for n in c.nodes),
        "no nodes listed" if not c.error else "",
    )
    return (
        f'<div class="cluster" data-site="{_e(c.site)}"><h3>{_e(c.site)} '
        f'<span class="muted">connection {_e(c.connection_id)}, namespace {_e(c.namespace)}</span></h3>'
        f"<p>{state} {_e(c.description)}</p>{nodes if not c.error else ''}</div>"
    )


def _tasks(clusters: Sequence[ClusterView]) -> str:
    rows = []
    for c in clusters:
        for t in c.tasks:
            why = " — ".join(x for x in (t.reason, t.message) if x)
            rows.append(
                f'<tr data-site="{_e(t.site)}" data-task="{_e(t.name)}" data-phase="{_e(t.phase)}">'
                f"<td>{_e(t.site)}</td><td>{_e(t.namespace)}/{_e(t.name)}</td>"
                f'<td><span class="badge phase-{_e(t.phase)}">{_e(t.phase)}</span></td>'
                f"<td>{t.world_size} rank{'' if t.world_size == 1 else 's'}: {t.running} running, "
                f"{t.succeeded} succeeded, {t.failed} failed</td>"
                f"<td>{t.restarts}</td><td>{_e(why)}</td>"
                f'<td>{_e(t.dag_id)}<br><span class="muted">{_e(t.task_id)} {_e(t.run_id)}</span></td>'
                f"<td>{_e(t.created)}</td></tr>"
            )
    return _table(
        ("site", "EdgeTask", "phase", "workers", "restarts", "why it is there", "Airflow dag / task / run", "created"),
        rows,
        "no EdgeTasks on any reachable cluster",
    )


def _catalogue_rows(rows: Iterable[CatalogueRow]) -> list[str]:
    return [
        f'<tr data-entry="{_e(r.name)}"><td>{_e(r.name)}</td>' + "".join(f"<td>{_e(c)}</td>" for c in r.cells) + "</tr>"
        for r in rows
    ]


def _registry(cat: Catalogue) -> str:
    if cat.error:
        return f'<p class="error">{_e(cat.error)}</p>'
    return (
        "<h3>Algorithms</h3>"
        + _table(
            ("name", "image", "framework", "ranks", "command", "default parameters", "description"),
            _catalogue_rows(cat.algorithms),
            "no algorithms registered",
        )
        + "<h3>Applications</h3>"
        + _table(
            ("name", "algorithm", "arguments", "parameters", "description"),
            _catalogue_rows(cat.applications),
            "no applications registered",
        )
        + "<h3>Workflows</h3>"
        + _table(
            ("name", "schedule", "sites", "steps", "description"),
            _catalogue_rows(cat.workflows),
            "no workflows registered",
        )
    )


def _metrics(metrics: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.4g}" for k, v in sorted(metrics.items()))


def _results(results: Sequence[ResultRow]) -> str:
    if not results:
        return '<p class="muted">no EdgeTask results in Airflow yet</p>'
    out = []
    for dag_id in sorted({r.dag_id for r in results}):
        mine = [r for r in results if r.dag_id == dag_id]
        rows = [
            f'<tr data-result="{_e(r.edge_task)}" data-site="{_e(r.site)}"><td>{_e(r.run_id)}</td>'
            f"<td>{_e(r.task_id)}{f' [{r.map_index}]' if r.map_index >= 0 else ''}</td><td>{_e(r.site)}</td>"
            f"<td>{_e(r.algorithm)}</td><td>{_e(r.status)}</td><td>{_e(_metrics(r.metrics))}</td>"
            f"<td>{_e(_bytes(r.bytes_read))} read, {_e(_bytes(r.bytes_sent))} sent</td><td>{_e(r.time)}</td></tr>"
            for r in mine
        ]
        charts = [
            f'<div class="chart"><h3>{_e(r.site)}: {_e(r.task_id)} ({_e(r.run_id)})</h3>'
            f"{forecast_chart(r.forecast, f'{r.site} {r.task_id}')}</div>"
            for r in mine
            if r.forecast is not None
        ]
        out.append(
            f'<div class="workflow" data-dag="{_e(dag_id)}"><h3>Workflow {_e(dag_id)}</h3>'
            + _table(("run", "task", "site", "algorithm", "status", "metrics", "bytes", "time"), rows, "")
            + "".join(charts[:6])
            + "</div>"
        )
    return "".join(out)


def _warnings(warnings: Sequence[WarningRow]) -> str:
    rows = [
        f'<tr data-asset="{_e(w.asset_id)}" data-severity="{_e(w.severity)}"><td>{_e(w.time)}</td>'
        f'<td><span class="badge sev-{_e(w.severity)}">{_e(w.severity)}</span></td>'
        f"<td>{_e(w.site)}</td><td>{_e(w.asset_type)} {_e(w.asset_id)}</td><td>{_e(w.code)}</td>"
        f"<td>{w.value:.4g} {_e(w.unit)} (threshold {w.threshold:.4g})</td><td>{_e(w.edge_task)}</td>"
        f"<td>{_e(w.source)}</td></tr>"
        for w in warnings[:200]
    ]
    return _table(
        ("time", "severity", "site", "asset", "code", "value", "EdgeTask", "recorded as"),
        rows,
        "no early warnings recorded",
    )


def _byte_table(accounts: Sequence[ByteAccount]) -> str:
    rows = [
        f'<tr data-site="{_e(a.site)}"><td>{_e(a.site)}</td><td>{a.results}</td>'
        f"<td>{_e(_bytes(a.bytes_read))}</td><td>{_e(_bytes(a.bytes_sent))}</td>"
        f"<td>{'—' if a.kept_ratio is None else f'{a.kept_ratio:,.0f} : 1'}</td></tr>"
        for a in accounts
    ]
    return _table(
        ("site", "results", "raw bytes read (kept at the edge)", "bytes sent to the centre", "kept : sent"),
        rows,
        "no results yet, so nothing to account for",
    )


def render(data: PageData) -> str:
    problems = "".join(f'<p class="error">{_e(p)}</p>' for p in data.problems)
    sections = (
        ("clusters", "Edge clusters", "".join(_cluster(c) for c in data.clusters) or "<p>no sites registered</p>"),
        ("registry", "Registered algorithms, applications and workflows", _registry(data.catalogue)),
        ("tasks", "Recent EdgeTasks", _tasks(data.clusters)),
        ("results", "Results per workflow", _results(data.results)),
        ("warnings", "Early warnings", _warnings(data.warnings)),
        ("bytes", "Byte accounting", _byte_table(data.bytes)),
    )
    nav = "".join(f'<a href="#{key}">{_e(title)}</a>' for key, title, _ in sections)
    body = "".join(f'<section id="{key}"><h2>{_e(title)}</h2>{html}</section>' for key, title, html in sections)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>GridEdge monitoring</title><style>{STYLE}</style></head><body>"
        f"<header><h1>GridEdge monitoring</h1><p>generated {_e(data.generated_at)}</p><nav>{nav}</nav></header>"
        f"<main>{problems}{body}</main></body></html>"
    )
