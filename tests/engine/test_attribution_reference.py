"""Agreement with ChannelAttribution 2.2.5 on its own example data (Data.csv).

Two sources: the outputs derived from that package and stored with the data set
(always checked when the data set is present), and the package itself when it is
installed (a dev extra; it needs a C++ build and matplotlib).

ChannelAttribution's Markov model is a simulation: ``nfold`` (10) runs of 10,000 random
walks each, run ``r`` seeded with ``seed + r``. Seeds closer than 10 apart therefore
share runs, so independent repetitions use seeds 0, 10, 20, ...
"""

from __future__ import annotations

import contextlib
import csv
import io
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from revloop.engine.attribution import (
    Journeys,
    first_touch,
    last_touch,
    linear,
    markov,
    read_channelattribution_paths,
)

FOLDER = "channelattribution-paths"

# Order-1 credited conversions over 30 independent ChannelAttribution runs (seeds 0, 10,
# ..., 290), measured on this data set: (smallest, largest) per channel. The exact
# values must lie inside, and within the runs' range of the stored seed-0 run.
CA_ORDER1_CONVERSIONS_RANGE = {
    "alpha": (5192.241, 5449.055),
    "beta": (2443.957, 2642.879),
    "delta": (0.0, 13.08),
    "epsilon": (523.822, 728.684),
    "eta": (3199.949, 3430.975),
    "gamma": (109.917, 217.418),
    "iota": (3748.288, 3981.646),
    "kappa": (202.966, 310.097),
    "lambda": (1196.656, 1385.29),
    "mi": (0.0, 4.376),
    "theta": (1893.427, 2101.099),
    "zeta": (326.315, 482.045),
}
# The same 30 runs, credited conversion value.
CA_ORDER1_VALUE_RANGE = {
    "alpha": (18231.7, 19516.6),
    "beta": (9094.0, 10158.5),
    "delta": (0.0, 48.6),
    "epsilon": (2032.2, 3221.2),
    "eta": (12321.6, 13499.1),
    "gamma": (419.4, 1490.6),
    "iota": (14380.2, 15592.3),
    "kappa": (789.9, 1480.2),
    "lambda": (4583.6, 5690.5),
    "mi": (0.0, 34.6),
    "theta": (6847.3, 8100.1),
    "zeta": (1195.1, 2138.0),
}


@pytest.fixture
def folder(datasets: Path) -> Path:
    path = datasets / FOLDER
    if not (path / "Data.csv").is_file():
        pytest.skip(f"{path / 'Data.csv'} not present")
    return path


@pytest.fixture
def journeys(folder: Path) -> Journeys:
    return read_channelattribution_paths(folder / "Data.csv")


@pytest.fixture
def reference(folder: Path) -> dict[str, dict[str, float]]:
    file = folder / "DERIVED_reference_outputs_channelattribution_2.2.5.csv"
    with file.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {
        row["channel_name"]: {k: float(v) for k, v in row.items() if k != "channel_name"}
        for row in rows
    }


def ca_ids(folder: Path) -> dict[str, str]:
    """ChannelAttribution numbers channels 1, 2, ... in order of first appearance."""
    ids: dict[str, str] = {}
    with (folder / "Data.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            for step in row["path"].split(">"):
                ids.setdefault(step.strip(), str(len(ids) + 1))
    return ids


def test_data_set_totals(journeys: Journeys) -> None:
    # PROVENANCE.md: 10,000 paths, 19,785 conversions worth 74,802.97, 68,602 nulls
    assert journeys.n_paths == 10_000
    assert len(journeys.channels) == 12
    assert journeys.total_conversions == 19_785
    assert journeys.total_value == pytest.approx(74_802.97, abs=0.01)
    assert journeys.nulls.sum() == 68_602
    assert journeys.lengths.max() == 89


@pytest.mark.parametrize(
    ("model", "prefix"),
    [(first_touch, "first_touch"), (last_touch, "last_touch"), (linear, "linear_touch")],
)
def test_heuristics_equal_the_reference(
    journeys: Journeys, reference: dict[str, dict[str, float]], model: Any, prefix: str
) -> None:
    result = model(journeys)
    for channel, row in reference.items():
        assert result.conversions_by_channel()[channel] == pytest.approx(
            row[f"{prefix}_conversions"], rel=1e-12
        )
        assert result.value_by_channel()[channel] == pytest.approx(
            row[f"{prefix}_value"], rel=1e-12
        )


def test_order1_transition_matrix_equals_the_reference(journeys: Journeys, folder: Path) -> None:
    ids = ca_ids(folder)
    with (folder / "DERIVED_transition_matrix_order1_channelattribution_2.2.5.csv").open() as f:
        expected = {
            (row["channel_from"], row["channel_to"]): float(row["transition_probability"])
            for row in csv.DictReader(f)
        }
    matrix = markov(journeys).transition_matrix
    assert matrix is not None
    ours = {(ids.get(a, a), ids.get(b, b)): p for (a, b), p in matrix.as_dict().items()}
    assert ours.keys() == expected.keys()
    for key, probability in expected.items():
        assert ours[key] == pytest.approx(probability, rel=1e-12)


def test_markov_order1_within_the_reference_run_to_run_spread(
    journeys: Journeys, reference: dict[str, dict[str, float]]
) -> None:
    result = markov(journeys)
    conversions, value = result.conversions_by_channel(), result.value_by_channel()
    assert result.total_conversions == pytest.approx(19_785)
    for channel, (low, high) in CA_ORDER1_CONVERSIONS_RANGE.items():
        assert low <= conversions[channel] <= high, channel
        assert abs(conversions[channel] - reference[channel]["markov_o1_conversions"]) <= (
            high - low
        ), channel
    for channel, (low, high) in CA_ORDER1_VALUE_RANGE.items():
        assert low <= value[channel] <= high, channel


@pytest.fixture
def channel_attribution() -> Any:
    with contextlib.redirect_stdout(io.StringIO()):  # it prints a banner on import
        return pytest.importorskip("ChannelAttribution")


def _quiet(function: Any, *args: Any, **kwargs: Any) -> Any:
    with contextlib.redirect_stdout(io.StringIO()):
        return function(*args, **kwargs, flg_pro=False)


def test_oracle_heuristics(
    channel_attribution: ModuleType, journeys: Journeys, folder: Path
) -> None:
    pandas = pytest.importorskip("pandas")
    data = pandas.read_csv(folder / "Data.csv", sep=";")
    table = _quiet(
        channel_attribution.heuristic_models,
        data,
        "path",
        "total_conversions",
        var_value="total_conversion_value",
    ).set_index("channel_name")
    for model, prefix in ((first_touch, "first"), (last_touch, "last"), (linear, "linear")):
        ours = model(journeys)
        for channel in journeys.channels:
            expected = table.loc[channel]
            assert ours.conversions_by_channel()[channel] == pytest.approx(
                expected[f"{prefix}_touch_conversions"], rel=1e-12
            )
            assert ours.value_by_channel()[channel] == pytest.approx(
                expected[f"{prefix}_touch_value"], rel=1e-12
            )


@pytest.mark.parametrize("order", [1, 2, 3])
def test_oracle_transition_matrix(
    channel_attribution: ModuleType, journeys: Journeys, folder: Path, order: int
) -> None:
    pandas = pytest.importorskip("pandas")
    data = pandas.read_csv(folder / "Data.csv", sep=";")
    theirs = _quiet(
        channel_attribution.transition_matrix,
        data,
        "path",
        "total_conversions",
        var_null="total_null",
        order=order,
        flg_equal=False,
    )["transition_matrix"]
    expected = {
        (a, b): p
        for a, b, p in zip(
            theirs["channel_from"],
            theirs["channel_to"],
            theirs["transition_probability"],
            strict=True,
        )
    }
    ids = ca_ids(folder)

    def as_ca(state: str) -> str:
        if state.startswith("("):
            return state
        return " ".join(ids[channel] for channel in state.split(" > "))

    matrix = markov(journeys, order=order, repeats="channelattribution").transition_matrix
    assert matrix is not None
    ours = {(as_ca(a), as_ca(b)): p for (a, b), p in matrix.as_dict().items()}
    assert ours.keys() == expected.keys()
    assert [ours[key] for key in expected] == pytest.approx(list(expected.values()), rel=1e-12)


@pytest.mark.parametrize("order", [1, 2, 3])
def test_oracle_markov_within_its_run_to_run_spread(
    channel_attribution: ModuleType, journeys: Journeys, folder: Path, order: int
) -> None:
    """The exact credit is no farther from the mean of 10 simulated runs than the
    farthest of those runs is."""
    pandas = pytest.importorskip("pandas")
    data = pandas.read_csv(folder / "Data.csv", sep=";")
    runs = [
        _quiet(
            channel_attribution.markov_model,
            data,
            "path",
            "total_conversions",
            var_value="total_conversion_value",
            var_null="total_null",
            order=order,
            seed=seed,
            verbose=False,
        ).set_index("channel_name")
        for seed in range(0, 100, 10)
    ]
    ours = markov(journeys, order=order, repeats="channelattribution")
    for column, exact in (
        ("total_conversions", ours.conversions_by_channel()),
        ("total_conversion_value", ours.value_by_channel()),
    ):
        for channel in journeys.channels:
            simulated = np.array([run.loc[channel, column] for run in runs])
            mean = simulated.mean()
            assert abs(exact[channel] - mean) <= np.abs(simulated - mean).max(), (column, channel)
