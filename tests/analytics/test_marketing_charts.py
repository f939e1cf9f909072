"""The Marketing page's SVG charts are laid out from the figures they show."""

from __future__ import annotations

import pytest

from revloop.web.charts import FunnelStage, funnel_chart, spread_chart, stacked_bar_chart


def test_funnel_bars_are_centred_and_proportional() -> None:
    chart = funnel_chart([FunnelStage("Lead", 400, "MQL", 100, 100, 200), FunnelStage("MQL", 100)])
    lead, mql = chart.bars
    assert lead.width == pytest.approx(4 * mql.width)
    for bar in chart.bars:
        assert bar.x + bar.width / 2 == pytest.approx(chart.center)
    assert chart.note_x > lead.x + lead.width


def test_spread_rows_keep_the_quantile_order() -> None:
    chart = spread_chart([("a", 1.0, 2.0, 4.0, 10.0), ("b", 0.0, 0.5, 1.0, 2.0)])
    for row in chart.rows:
        assert row.q1 <= row.median <= row.q3 <= row.high
        assert row.box == pytest.approx(row.q3 - row.q1)
    assert chart.rows[0].high > chart.rows[1].high


def test_stacked_segments_add_up_and_the_legend_wraps() -> None:
    keys = [f"reason_{i}" for i in range(9)]
    chart = stacked_bar_chart(
        [("x", dict.fromkeys(keys, 1.0)), ("y", {"reason_0": 3.0})], keys, width=480
    )
    x, y = chart.bars
    assert x.total == 9
    assert sum(s.width for s in x.segments) == pytest.approx(3 * y.segments[0].width)
    assert len({item.y for item in chart.legend}) > 1
    assert all(item.x < 480 for item in chart.legend)
