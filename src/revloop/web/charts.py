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
    #: "count" or "money" (in the company currency): how the values are written.
    unit: str = "count"


def bar_chart(
    rows: list[tuple[str, float]],
    *,
    width: int = 560,
    label_width: int = 130,
    row_height: int = 26,
    unit: str = "count",
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
        unit=unit,
    )


@dataclass(frozen=True)
class FunnelStage:
    """One stage of the funnel: people who reached it and, unless it is the last, what
    became of them at the next step."""

    label: str
    count: int
    next_label: str | None = None
    converted: int = 0
    lost: int = 0
    still_open: int = 0


@dataclass(frozen=True)
class FunnelBar:
    label: str
    count: int
    x: float
    y: float
    width: float
    next_label: str | None
    converted: int
    lost: int
    still_open: int
    #: converted + lost: the people whose outcome at the next step is known.
    known: int
    #: Nobody is ever recorded lost at this step (a lead that never becomes an MQL is
    #: simply still a lead), so the share of known outcomes would always read 100%:
    #: the note gives the share of everyone who reached the stage instead.
    no_losses: bool


@dataclass(frozen=True)
class FunnelChart:
    bars: list[FunnelBar]
    width: int
    height: int
    center: float
    row_height: int
    note_x: float


def funnel_chart(
    stages: list[FunnelStage],
    *,
    width: int = 760,
    row_height: int = 44,
    note_width: int = 330,
) -> FunnelChart:
    """A centred funnel, one bar per stage, for ``web/marketing_funnel_chart.html``."""
    plot = width - note_width
    peak = max((stage.count for stage in stages), default=0) or 1
    bars = []
    for index, stage in enumerate(stages):
        bar_width = max(plot * stage.count / peak, 2.0)
        bars.append(
            FunnelBar(
                label=stage.label,
                count=stage.count,
                x=(plot - bar_width) / 2,
                y=index * row_height,
                width=bar_width,
                next_label=stage.next_label,
                converted=stage.converted,
                lost=stage.lost,
                still_open=stage.still_open,
                known=stage.converted + stage.lost,
                no_losses=stage.lost == 0,
            )
        )
    return FunnelChart(
        bars=bars,
        width=width,
        height=max(len(stages), 1) * row_height,
        center=plot / 2,
        row_height=row_height,
        note_x=plot + 12,
    )


@dataclass(frozen=True)
class Spread:
    label: str
    y: float
    q1: float
    median: float
    q3: float
    high: float
    box: float
    p25: float
    p50: float
    p75: float
    p90: float


@dataclass(frozen=True)
class SpreadChart:
    rows: list[Spread]
    width: int
    height: int
    label_width: int
    row_height: int
    ticks: list[tuple[float, str]]


def spread_chart(
    rows: list[tuple[str, float, float, float, float]],
    *,
    width: int = 760,
    label_width: int = 170,
    row_height: int = 30,
) -> SpreadChart:
    """Quantiles per row (label, p25, p50, p75, p90) on one axis from 0: a whisker from
    p25 to p90, a box from p25 to p75 and the median, for ``web/marketing_spread.html``."""
    peak = max((p90 for *_, p90 in rows), default=0.0) or 1.0
    # Room on the right for the "median · p90" note after the longest whisker.
    plot = width - label_width - 200

    def at(value: float) -> float:
        return label_width + plot * value / peak

    spreads = [
        Spread(
            label=label,
            y=index * row_height,
            q1=at(p25),
            median=at(p50),
            q3=at(p75),
            high=at(p90),
            box=at(p75) - at(p25),
            p25=p25,
            p50=p50,
            p75=p75,
            p90=p90,
        )
        for index, (label, p25, p50, p75, p90) in enumerate(rows)
    ]
    ticks = [(at(peak * f), f"{peak * f:.0f}") for f in (0.0, 0.25, 0.5, 0.75, 1.0)]
    return SpreadChart(
        rows=spreads,
        width=width,
        height=max(len(rows), 1) * row_height + 22,
        label_width=label_width,
        row_height=row_height,
        ticks=ticks,
    )


_LEGEND_STEP = 120
#: Colour-blind-safe categories (Okabe-Ito), then greys.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
    "#999999",
    "#BBBBBB",
)


@dataclass(frozen=True)
class Segment:
    key: str
    value: float
    x: float
    width: float
    color: str


@dataclass(frozen=True)
class StackedBar:
    label: str
    total: float
    y: float
    segments: list[Segment]
    text_x: float


@dataclass(frozen=True)
class LegendItem:
    key: str
    color: str
    x: float
    y: float


@dataclass(frozen=True)
class StackedChart:
    bars: list[StackedBar]
    legend: list[LegendItem]
    #: Height of the legend rows above the bars.
    legend_height: int
    width: int
    height: int
    label_width: int
    row_height: int


def stacked_bar_chart(
    rows: list[tuple[str, dict[str, float]]],
    keys: list[str],
    *,
    width: int = 760,
    label_width: int = 190,
    row_height: int = 26,
) -> StackedChart:
    """Horizontal bars split by ``keys`` (in that order, one colour each), for
    ``web/marketing_stacked.html``."""
    colors = {key: PALETTE[i % len(PALETTE)] for i, key in enumerate(keys)}
    peak = max((sum(parts.values()) for _, parts in rows), default=0.0) or 1.0
    plot = width - label_width - 60
    bars = []
    for index, (label, parts) in enumerate(rows):
        x = float(label_width)
        segments = []
        for key in keys:
            value = parts.get(key, 0.0)
            if value <= 0:
                continue
            segment_width = plot * value / peak
            segments.append(Segment(key, value, x, segment_width, colors[key]))
            x += segment_width
        bars.append(
            StackedBar(
                label=label,
                total=sum(parts.values()),
                y=index * row_height,
                segments=segments,
                text_x=x + 6,
            )
        )
    legend = []
    per_row = max(width // _LEGEND_STEP, 1)
    for index, key in enumerate(keys):
        row, column = divmod(index, per_row)
        legend.append(LegendItem(key, colors[key], column * _LEGEND_STEP, row * 18))
    legend_height = 18 * ((len(keys) + per_row - 1) // per_row) + 8
    return StackedChart(
        bars=bars,
        legend=legend,
        legend_height=legend_height,
        width=width,
        height=max(len(rows), 1) * row_height + legend_height,
        label_width=label_width,
        row_height=row_height,
    )
