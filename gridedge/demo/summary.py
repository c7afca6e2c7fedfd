"""What the demo run found, per site: forecast error vs seasonal naive, warnings, bytes.

Called by :mod:`gridedge.demo.__main__` with the gathered results (``{site: result
message}``, the XCom of each workflow's ``*_results`` task) and the warnings log the
``gridedge_warnings`` DAG writes. Pure: reads dicts and one JSON-lines file, prints nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class SiteSummary:
    site: str
    rmse: float | None = None
    baseline_rmse: float | None = None
    warnings: int = 0  # raised at the edge (the statistics result counts what it published)
    recorded: int = 0  # of those, recorded at the centre by the gridedge_warnings DAG so far
    assets_warned: set[str] = field(default_factory=set)
    bytes_read: int = 0
    bytes_sent: int = 0

    @property
    def improvement(self) -> float | None:
        if self.rmse is None or not self.baseline_rmse:
            return None
        return 1.0 - self.rmse / self.baseline_rmse


def _metric(metrics: dict[str, Any], *names: str) -> float | None:
    for name in names:
        value = metrics.get(name)
        if isinstance(value, int | float):
            return float(value)
    return None


def summarise(
    forecast: dict[str, dict[str, Any]], statistics: dict[str, dict[str, Any]], warnings: list[dict[str, Any]]
) -> dict[str, SiteSummary]:
    sites: dict[str, SiteSummary] = {}
    for site, message in forecast.items():
        s = sites.setdefault(site, SiteSummary(site))
        metrics = (message.get("payload") or {}).get("metrics") or {}
        s.rmse = _metric(metrics, "rmse")
        s.baseline_rmse = _metric(metrics, "seasonal_naive_rmse", "baseline_rmse")
    for results in (forecast, statistics):
        for site, message in results.items():
            s = sites.setdefault(site, SiteSummary(site))
            s.bytes_read += int((message.get("bytes") or {}).get("read", 0))
            s.bytes_sent += int((message.get("bytes") or {}).get("sent", 0))
    for site, message in statistics.items():
        s = sites[site]
        for asset, stats in ((message.get("payload") or {}).get("statistics") or {}).items():
            raised = int(stats.get("warnings", 0)) if isinstance(stats, dict) else 0
            s.warnings += raised
            if raised:
                s.assets_warned.add(str(asset))
    by_task = {str((m.get("task") or {}).get("name")): site for site, m in statistics.items()}
    for w in warnings:
        found = by_task.get(str((w.get("task") or {}).get("name")))
        if found is not None:
            sites[found].recorded += 1
    return sites


def warnings_raised(statistics: dict[str, dict[str, Any]]) -> int:
    """How many warning messages the statistics results say they published (per asset)."""
    total = 0
    for message in statistics.values():
        per_asset = (message.get("payload") or {}).get("statistics") or {}
        total += sum(int(a.get("warnings", 0)) for a in per_asset.values() if isinstance(a, dict))
    return total


def warnings_of(statistics: dict[str, dict[str, Any]], warnings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The warnings published by the EdgeTasks behind these statistics results."""
    tasks = {(m.get("task") or {}).get("name") for m in statistics.values()}
    return [w for w in warnings if (w.get("task") or {}).get("name") in tasks]


def read_warnings(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        if line.strip():
            out.append(json.loads(line))
    return out


def _mb(n: int) -> str:
    return f"{n / 1e6:.2f} MB" if n >= 1e5 else f"{n / 1e3:.1f} kB"


def render(sites: dict[str, SiteSummary]) -> str:
    lines = ["", "GridEdge demo summary", ""]
    lines.append(
        f"{'site':8s} {'forecast RMSE':>14s} {'seasonal naive':>15s} {'better by':>10s} "
        f"{'warnings':>9s} {'kept at edge':>13s} {'sent':>10s} {'ratio':>7s}"
    )
    for s in sites.values():
        rmse = f"{s.rmse:.3f} MW" if s.rmse is not None else "-"
        base = f"{s.baseline_rmse:.3f} MW" if s.baseline_rmse is not None else "-"
        better = f"{s.improvement * 100:.0f} %" if s.improvement is not None else "-"
        ratio = f"{s.bytes_read / s.bytes_sent:,.0f}x" if s.bytes_sent else "-"
        lines.append(
            f"{s.site:8s} {rmse:>14s} {base:>15s} {better:>10s} {s.warnings:>9d} "
            f"{_mb(s.bytes_read):>13s} {_mb(s.bytes_sent):>10s} {ratio:>7s}"
        )
        if s.assets_warned:
            lines.append(
                f"{'':8s} warned assets: {', '.join(sorted(s.assets_warned))}; "
                f"{s.recorded} of {s.warnings} warnings recorded by the gridedge_warnings DAG so far"
            )
    return "\n".join(lines)
