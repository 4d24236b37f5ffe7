"""Bar charts as geometry for inline SVG, drawn by the template (no script, no CDN).

The template writes numbers into SVG attributes; nothing here is markup, so autoescaping
still covers every label.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    count: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    peak: int
    first: str
    last: str
    total: int


def bar_chart(
    points: list[tuple[datetime, int]], width: int = 720, height: int = 140, fmt: str = "%d/%m %Hh"
) -> Chart:
    peak = max((count for _, count in points), default=0)
    slot = width / max(len(points), 1)
    bars = []
    for index, (when, count) in enumerate(points):
        bar_height = (height - 4) * count / peak if peak else 0.0
        bars.append(
            Bar(
                x=round(index * slot, 2),
                y=round(height - bar_height, 2),
                width=round(max(slot - 1, 0.5), 2),
                height=round(bar_height, 2),
                label=when.strftime(fmt),
                count=count,
            )
        )
    return Chart(
        width=width,
        height=height,
        bars=bars,
        peak=peak,
        first=points[0][0].strftime(fmt) if points else "",
        last=points[-1][0].strftime(fmt) if points else "",
        total=sum(count for _, count in points),
    )


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    points: str  # "x,y x,y ..." for an SVG polyline: numbers only, nothing to escape
    total: int
    peak: int


def sparkline(values: list[int], width: int = 96, height: int = 22) -> Sparkline:
    """A small trend line (one point per day) to sit in a table cell."""
    peak = max(values, default=0)
    step = width / max(len(values) - 1, 1)
    usable = height - 2  # keep the stroke inside the box
    coords = []
    for index, value in enumerate(values):
        y = height - 1 - (usable * value / peak if peak else 0.0)
        coords.append(f"{round(index * step, 2)},{round(y, 2)}")
    return Sparkline(width, height, " ".join(coords), sum(values), peak)
