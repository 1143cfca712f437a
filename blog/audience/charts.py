"""Server-rendered SVG charts: the geometry here, the markup in admin/_charts.html.

Each function turns the rows a table shows into shapes in a fixed viewBox; the macro
draws them with a <title> and <desc>, and the page puts the same rows in a table beside
the chart, so a screen reader (or a reader who prefers numbers) loses nothing. Colours
have at least 4.5:1 contrast on white (COLOURS), so bars and lines stay visible
(WCAG 1.4.11 asks 3:1 of graphics).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# Dark blue, and a burnt orange for the second series: 9.0:1 and 5.1:1 on white.
COLOURS = ("#1d4e89", "#b0431b")


@dataclass
class Chart:
    """Shapes in a `width` x `height` viewBox, ready for the macro to draw."""

    width: int
    height: int
    bars: list[dict] = field(default_factory=list)
    line: str = ""
    ticks: list[dict] = field(default_factory=list)
    labels: list[dict] = field(default_factory=list)
    peak: int = 0
    colours: tuple[str, str] = COLOURS


def _nice(peak: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above `peak` (at least 1)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= peak:
                return step * factor
        step *= 10


def columns(points: list[tuple[date, int, int]], width: int = 640, height: int = 220) -> Chart:
    """Vertical bars for the first number of each point, a line for the second."""
    left, bottom, top = 48, 28, 10
    peak = _nice(max([max(views, visitors) for _, views, visitors in points] + [1]))
    chart = Chart(width, height, peak=peak)
    inner_w, inner_h = width - left - 8, height - bottom - top
    slot = inner_w / max(len(points), 1)
    line = []
    for n, (day, views, visitors) in enumerate(points):
        h = inner_h * views / peak
        x = left + n * slot
        chart.bars.append({"x": round(x + slot * 0.1, 1), "y": round(top + inner_h - h, 1),
                           "w": round(max(slot * 0.8, 1), 1), "h": round(h, 1),
                           "label": f"{day.isoformat()}: {views}"})  # fmt: skip
        line.append(f"{x + slot / 2:.1f},{top + inner_h - inner_h * visitors / peak:.1f}")
        every = max(1, len(points) // 6)
        if n % every == 0:
            chart.labels.append({"x": round(x + slot / 2, 1), "y": height - 8,
                                 "text": day.strftime("%d %b")})  # fmt: skip
    chart.line = " ".join(line)
    for k in range(5):
        value = peak * k // 4
        chart.ticks.append({"y": round(top + inner_h - inner_h * k / 4, 1), "text": str(value)})
    return chart


def bars(rows: list[tuple[str, int]], width: int = 640, row_height: int = 26) -> Chart:
    """Horizontal bars, one per (label, value) row, the label above the bar's value."""
    label_w = 220
    peak = max([value for _, value in rows] + [1])
    chart = Chart(width, max(row_height * len(rows), row_height), peak=peak)
    for n, (label, value) in enumerate(rows):
        w = (width - label_w - 60) * value / peak
        y = n * row_height
        chart.bars.append({"x": label_w, "y": y + 4, "w": round(max(w, 1), 1),
                           "h": row_height - 8, "label": f"{label}: {value}",
                           "text": label if len(label) <= 32 else label[:31] + "…",
                           "value": value, "tx": label_w + round(w, 1) + 6,
                           "ty": y + row_height / 2 + 5})  # fmt: skip
    return chart
