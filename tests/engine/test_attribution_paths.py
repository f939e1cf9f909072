"""Journeys: the array layout, ChannelAttribution's path files, and the model registry."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from revloop.engine.attribution import (
    MODELS,
    AttributionOptions,
    JourneyError,
    Journeys,
    PathFileError,
    UnknownModelError,
    read_channelattribution_paths,
    run_model,
)


def write(tmp_path: Path, text: str) -> Path:
    file = tmp_path / "paths.csv"
    file.write_text(text, encoding="utf-8")
    return file


def test_from_paths_layout() -> None:
    journeys = Journeys.from_paths([["b", "a"], ["a"]], conversions=[1, 0], nulls=[0, 2])
    assert journeys.channels == ("a", "b")
    assert journeys.offsets.tolist() == [0, 2, 3]
    assert journeys.steps.tolist() == [1, 0, 0]
    assert journeys.path_of_step.tolist() == [0, 0, 1]
    assert journeys.position.tolist() == [0, 1, 0]
    assert journeys.path_labels(0) == ("b", "a")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"offsets": np.array([0, 0, 2])}, "path 0 has no touch"),
        ({"steps": np.array([0, 5], dtype=np.int32)}, "channel index"),
        ({"conversions": np.array([-1.0])}, "conversions: path 0"),
        ({"nulls": np.array([1.0, 2.0])}, "nulls: needs one entry per path"),
        ({"opportunity_step": np.array([2])}, "opportunity_step: path 0 points outside"),
        ({"ages_days": np.array([1.0, np.nan])}, "ages_days"),
    ],
)
def test_invalid_journeys_name_the_field(change: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "channels": ("a", "b"),
        "offsets": np.array([0, 2]),
        "steps": np.array([0, 1], dtype=np.int32),
        "conversions": np.array([1.0]),
        "value": np.array([1.0]),
        "nulls": np.array([0.0]),
    }
    with pytest.raises(JourneyError, match=message):
        Journeys(**{**fields, **change})  # type: ignore[arg-type]


def test_read_semicolon_file_strips_steps(tmp_path: Path) -> None:
    file = write(
        tmp_path,
        "path;total_conversions;total_conversion_value;total_null\n"
        "eta > iota > alpha > eta;1;0.244;3\n"
        "  beta>eta ;0;0;4\n",
    )
    journeys = read_channelattribution_paths(file)
    assert journeys.channels == ("alpha", "beta", "eta", "iota")
    assert journeys.path_labels(0) == ("eta", "iota", "alpha", "eta")
    assert journeys.path_labels(1) == ("beta", "eta")
    assert journeys.conversions.tolist() == [1, 0]
    assert journeys.value.tolist() == [0.244, 0]
    assert journeys.nulls.tolist() == [3, 4]


@pytest.mark.parametrize("delimiter", [",", "\t", "|"])
def test_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    header = delimiter.join(["path", "total_conversions", "total_conversion_value", "total_null"])
    row = delimiter.join(["a > b", "2", "5.5", "1"])
    journeys = read_channelattribution_paths(write(tmp_path, f"{header}\n{row}\n"))
    assert journeys.path_labels(0) == ("a", "b")
    assert journeys.total_value == 5.5


def test_optional_columns_can_be_left_out(tmp_path: Path) -> None:
    file = write(tmp_path, "path,total_conversions\na > b,2\n")
    journeys = read_channelattribution_paths(file, value_column=None, nulls_column=None)
    assert journeys.total_conversions == 2
    assert journeys.total_value == 0
    assert journeys.nulls.tolist() == [0]


def test_every_bad_cell_is_reported_by_line_and_column(tmp_path: Path) -> None:
    file = write(
        tmp_path,
        "path;total_conversions;total_conversion_value;total_null\n"
        "a > b;1;2;3\n"  # line 2: fine
        "a > b;x;2;3\n"  # line 3: not a number
        ";1;2;3\n"  # line 4: empty path
        "a >  > b;1;-2;\n",  # line 5: empty step, negative value, missing nulls
    )
    with pytest.raises(PathFileError) as caught:
        read_channelattribution_paths(file)
    errors = [(e.line, e.column) for e in caught.value.errors]
    assert errors == [
        (3, "total_conversions"),
        (4, "path"),
        (5, "path"),
        (5, "total_conversion_value"),
        (5, "total_null"),
    ]
    message = str(caught.value)
    assert "line 3, column 'total_conversions': 'x' is not a number >= 0" in message
    assert "line 4, column 'path': empty path" in message
    assert "line 5, column 'path': empty step in 'a >  > b'" in message
    assert "line 5, column 'total_null': missing" in message


def test_missing_column_is_named(tmp_path: Path) -> None:
    file = write(tmp_path, "path;conversions\na;1\n")
    with pytest.raises(PathFileError, match="'total_conversions'"):
        read_channelattribution_paths(file)
    with pytest.raises(PathFileError, match=r"missing column\(s\) 'total_conversions';"):
        read_channelattribution_paths(file, delimiter=";")


def test_registry_names_every_model() -> None:
    assert set(MODELS) == {
        "first",
        "last",
        "linear",
        "u_shaped",
        "w_shaped",
        "full_path",
        "time_decay",
        "j_shaped",
        "inverse_j",
        "markov",
        "shapley",
    }


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_registered_model_runs_and_names_itself(name: str) -> None:
    journeys = Journeys.from_paths(
        [["a", "b"], ["b"]],
        conversions=[1, 1],
        value=[3, 4],
        nulls=[1, 0],
        ages_days=[[2, 0], [0]],
    )
    result = run_model(name, journeys, AttributionOptions(markov_order=2, half_life_days=3))
    assert result.model == name
    assert result.total_conversions == pytest.approx(2)
    assert result.total_value == pytest.approx(7)


def test_unknown_model_lists_the_choices() -> None:
    journeys = Journeys.from_paths([["a"]], [1])
    with pytest.raises(UnknownModelError, match="choose from first, last, linear"):
        run_model("last_non_direct", journeys)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_copes_with_nothing_to_credit(name: str) -> None:
    nothing_converted = Journeys.from_paths([["a", "b"]], [0], nulls=[4], ages_days=[[1, 0]])
    no_paths = Journeys.from_paths([], [], ages_days=[])
    for journeys in (nothing_converted, no_paths):
        result = run_model(name, journeys)
        assert result.total_conversions == 0
        assert result.channels == journeys.channels
