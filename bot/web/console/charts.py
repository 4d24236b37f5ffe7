"""Bar charts as geometry for inline SVG, drawn by the template (no script, no CDN).

The template writes numbers into SVG attributes; nothing here is markup, so autoescaping
still covers every label. Labels have bands of their own: the peak's above the bars, the first
and last dates below the axis, so no label is ever drawn over a bar, however tall the newest.
Times are labelled in Paris time, as everywhere in the console.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
FONT_SIZE = 11
PEAK_BAND = 16  # above the bars: the peak's label, and its dashed line at the bars' top
DATE_BAND = 18  # below the axis: the first and last dates


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
    height: int  # the whole drawing: peak band, bars, date band
    plot_top: float  # the tallest bar reaches here; the peak's label sits above it
    axis_y: float  # the bars stand on this line; the dates sit below it
    peak_y: float  # baseline of the peak's label
    label_y: float  # baseline of the first and last dates
    bars: list[Bar]
    peak: int
    first: str
    last: str
    total: int


def _label(when: datetime, fmt: str) -> str:
    moment = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return moment.astimezone(PARIS).strftime(fmt)


def bar_chart(
    points: list[tuple[datetime, int]], width: int = 720, height: int = 140, fmt: str = "%d/%m %Hh"
) -> Chart:
    """`height` is the bars' room; the chart adds a band above for the peak and one below for
    the dates."""
    peak = max((count for _, count in points), default=0)
    slot = width / max(len(points), 1)
    plot_top = float(PEAK_BAND)
    axis_y = plot_top + height
    bars = []
    for index, (when, count) in enumerate(points):
        bar_height = height * count / peak if peak else 0.0
        bars.append(
            Bar(
                x=round(index * slot, 2),
                y=round(axis_y - bar_height, 2),
                width=round(max(slot - 1, 0.5), 2),
                height=round(bar_height, 2),
                label=_label(when, fmt),
                count=count,
            )
        )
    return Chart(
        width=width,
        height=int(axis_y + DATE_BAND),
        plot_top=plot_top,
        axis_y=axis_y,
        peak_y=plot_top - 4,
        label_y=axis_y + FONT_SIZE + 3,
        bars=bars,
        peak=peak,
        first=_label(points[0][0], fmt) if points else "",
        last=_label(points[-1][0], fmt) if points else "",
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
