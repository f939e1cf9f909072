"""Charts drawn as SVG on the server: no JavaScript, no CDN, readable without a browser plugin."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    y: float
    width: float
    text_x: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    row_height: int


def bar_chart(
    rows: list[tuple[str, float]], *, width: int = 560, label_width: int = 130, row_height: int = 26
) -> BarChart:
    """A horizontal bar chart laid out for the ``web/_bar_chart.html`` template."""
    peak = max((value for _, value in rows), default=0) or 1
    plot_width = width - label_width - 70
    bars = []
    for index, (label, value) in enumerate(rows):
        bar_width = plot_width * value / peak
        bars.append(
            Bar(
                label=label,
                value=value,
                y=index * row_height,
                width=bar_width,
                text_x=label_width + bar_width + 6,
            )
        )
    return BarChart(
        bars=bars,
        width=width,
        height=max(len(rows), 1) * row_height,
        label_width=label_width,
        row_height=row_height,
    )
