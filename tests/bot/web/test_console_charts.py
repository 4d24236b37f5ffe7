"""Bar charts: labels in bands of their own (never over a bar), times in Paris."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.web.console.charts import FONT_SIZE, bar_chart, sparkline

DESCENT = 3  # below a text's baseline, for digits and "p"


def _points(counts: list[int]) -> list[tuple[datetime, int]]:
    start = datetime(2026, 12, 1, 23, tzinfo=UTC)
    return [(start + timedelta(hours=i), n) for i, n in enumerate(counts)]


@pytest.mark.parametrize(
    "counts",
    [[0, 1, 2, 9], [9, 0, 0, 9], [1] * 168, [0, 0, 0, 0], [3]],
)
def test_no_label_is_drawn_over_a_bar(counts: list[int]) -> None:
    chart = bar_chart(_points(counts))
    peak_box = (chart.peak_y - FONT_SIZE, chart.peak_y + DESCENT)
    date_box = (chart.label_y - FONT_SIZE, chart.label_y + DESCENT)
    for bar in chart.bars:
        top, bottom = bar.y, bar.y + bar.height
        assert top >= chart.plot_top and bottom == pytest.approx(chart.axis_y)
        assert peak_box[1] <= top and date_box[0] >= bottom  # the newest bar too
    assert peak_box[0] >= 0 and date_box[1] <= chart.height


def test_the_tallest_bar_reaches_the_peak_line() -> None:
    chart = bar_chart(_points([1, 4, 2]), height=100)
    assert min(bar.y for bar in chart.bars) == chart.plot_top
    assert chart.axis_y - chart.plot_top == 100 and chart.peak == 4 and chart.total == 7


def test_bars_are_labelled_in_paris_time() -> None:
    chart = bar_chart(_points([1, 2]))
    assert [bar.label for bar in chart.bars] == ["02/12 00h", "02/12 01h"]  # 23:00 UTC is CET 0h
    assert (chart.first, chart.last) == ("02/12 00h", "02/12 01h")
    summer = bar_chart([(datetime(2026, 7, 1, 22, tzinfo=UTC), 1)], fmt="%d/%m %Hh")
    assert summer.first == "02/07 00h"  # CEST


def test_an_empty_chart_is_drawn_empty() -> None:
    chart = bar_chart([])
    assert chart.bars == [] and chart.peak == 0 and chart.first == chart.last == ""


def test_a_sparkline_stays_in_its_box() -> None:
    line = sparkline([0, 3, 1, 7], width=96, height=22)
    ys = [float(point.split(",")[1]) for point in line.points.split()]
    assert min(ys) >= 1 and max(ys) <= 21 and line.total == 11 and line.peak == 7
