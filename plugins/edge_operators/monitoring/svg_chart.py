"""An inline SVG line chart of a forecast: actual against predicted (and baseline) load.

Called by :mod:`.page_render`. Returns markup with every text escaped; no JavaScript, so
the chart reads the same in any browser and in a server-side screenshot. Pure.
"""

from __future__ import annotations

from html import escape

from edge_operators.monitoring.view_models import ForecastSeries

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 28, 34
SERIES_STYLE = {
    "actual": ("#1f4e79", ""),
    "predicted": ("#d35400", "6 3"),
    "baseline": ("#7f8c8d", "2 3"),
}


def _points(values: tuple[float, ...], low: float, high: float) -> str:
    span = (high - low) or 1.0
    step = (WIDTH - LEFT - RIGHT) / max(len(values) - 1, 1)
    inner = HEIGHT - TOP - BOTTOM
    return " ".join(f"{LEFT + i * step:.1f},{TOP + inner * (1 - (v - low) / span):.1f}" for i, v in enumerate(values))


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def forecast_chart(series: ForecastSeries, title: str) -> str:
    lines = {"actual": series.actual, "predicted": series.predicted}
    if series.baseline:
        lines["baseline"] = series.baseline
    every = [v for values in lines.values() for v in values]
    low, high = min(every), max(every)
    unit = f" ({series.unit})" if series.unit else ""
    parts = [
        f'<svg class="forecast-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" data-points="{len(series.time)}" '
        f'aria-label="{escape(title)}: predicted versus actual load">',
        f"<title>{escape(title)}: predicted versus actual load{escape(unit)}</title>",
        f'<rect x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" height="{HEIGHT - TOP - BOTTOM}" '
        'fill="#fbfcfd" stroke="#c8d0d8"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" class="tick">{escape(_fmt(high))}</text>',
        f'<text x="{LEFT - 6}" y="{HEIGHT - BOTTOM}" text-anchor="end" class="tick">{escape(_fmt(low))}</text>',
        f'<text x="{LEFT}" y="{HEIGHT - 12}" class="tick">{escape(series.time[0])}</text>',
        f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 12}" text-anchor="end" class="tick">{escape(series.time[-1])}</text>',
        f'<text x="12" y="{TOP - 10}" class="tick">load{escape(unit)}</text>',
    ]
    x = LEFT + 80
    for name, values in lines.items():
        colour, dash = SERIES_STYLE[name]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline class="series series-{name}" fill="none" stroke="{colour}" stroke-width="1.6"'
            f'{dash_attr} points="{_points(values, low, high)}"/>'
        )
        parts.append(
            f'<line x1="{x}" y1="{TOP - 14}" x2="{x + 22}" y2="{TOP - 14}" stroke="{colour}" '
            f'stroke-width="2"{dash_attr}/><text x="{x + 26}" y="{TOP - 10}" class="tick">{name}</text>'
        )
        x += 110
    parts.append("</svg>")
    return "".join(parts)
