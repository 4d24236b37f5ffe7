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
