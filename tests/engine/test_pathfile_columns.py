"""A path file needs only its paths and conversions; a missing column is named with
the columns the header does hold."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from revloop.engine.attribution import (
    AttributionOptions,
    PathFileError,
    path_file_layout,
    read_channelattribution_paths,
    run_model,
)

FOLDER = "channelattribution-paths"


def write(tmp_path: Path, text: str, name: str = "paths.csv") -> Path:
    file = tmp_path / name
    file.write_text(text, encoding="utf-8")
    return file


def test_value_column_is_optional_and_then_zero(tmp_path: Path) -> None:
    file = write(tmp_path, "path;total_conversions;total_null\na > b;2;3\nb;1;0\n")
    journeys = read_channelattribution_paths(file)
    assert journeys.conversions.tolist() == [2, 1]
    assert journeys.nulls.tolist() == [3, 0]
    assert journeys.value.tolist() == [0, 0]
    layout = path_file_layout(file)
    assert layout.value_column is None
    assert layout.nulls_column == "total_null"


def test_conversions_alone_are_enough(tmp_path: Path) -> None:
    file = write(tmp_path, "path,total_conversions\na > b,2\n")
    journeys = read_channelattribution_paths(file)
    assert journeys.total_conversions == 2
    assert journeys.nulls.tolist() == [0]
    assert path_file_layout(file).columns == ("path", "total_conversions")


def test_missing_required_column_names_it_and_the_columns_found(tmp_path: Path) -> None:
    file = write(tmp_path, "path;conversions;total_conversion_value\na;1;2\n")
    with pytest.raises(PathFileError) as caught:
        read_channelattribution_paths(file)
    message = str(caught.value)
    assert "missing column(s) 'total_conversions'" in message
    assert "the header holds 'path', 'conversions', 'total_conversion_value'" in message
    assert "split on ';'" in message


def test_both_required_columns_missing_are_both_named(tmp_path: Path) -> None:
    file = write(tmp_path, "journey\tconv\nab\t1\n")
    with pytest.raises(PathFileError) as caught:
        read_channelattribution_paths(file)
    message = str(caught.value)
    assert "missing column(s) 'path', 'total_conversions'" in message
    assert "'journey', 'conv'" in message
    assert "split on tab" in message


def test_a_given_delimiter_reports_what_it_splits_to(tmp_path: Path) -> None:
    file = write(tmp_path, "path,total_conversions\na,1\n")
    with pytest.raises(PathFileError, match=r"the header holds 'path,total_conversions'"):
        read_channelattribution_paths(file, delimiter=";")


@given(
    rows=st.lists(
        st.tuples(
            st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=4),
            st.integers(0, 5),
            st.integers(0, 50),
            st.integers(0, 5),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_dropping_the_value_column_changes_only_the_value(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[list[str], int, int, int]],
) -> None:
    folder = tmp_path_factory.mktemp("paths")
    full = ["path;total_conversions;total_conversion_value;total_null"]
    without = ["path;total_conversions;total_null"]
    for steps, conversions, value, nulls in rows:
        full.append(f"{' > '.join(steps)};{conversions};{value};{nulls}")
        without.append(f"{' > '.join(steps)};{conversions};{nulls}")
    with_value = read_channelattribution_paths(write(folder, "\n".join(full) + "\n", "a.csv"))
    no_value = read_channelattribution_paths(write(folder, "\n".join(without) + "\n", "b.csv"))
    assert no_value.channels == with_value.channels
    assert np.array_equal(no_value.offsets, with_value.offsets)
    assert np.array_equal(no_value.steps, with_value.steps)
    assert np.array_equal(no_value.conversions, with_value.conversions)
    assert np.array_equal(no_value.nulls, with_value.nulls)
    assert not no_value.value.any()


def test_channelattribution_data_without_its_value_column(datasets: Path, tmp_path: Path) -> None:
    source = datasets / FOLDER / "Data.csv"
    if not source.is_file():
        pytest.skip(f"{source} not present")
    with source.open(newline="", encoding="utf-8") as handle:
        table = list(csv.DictReader(handle, delimiter=";"))
    dropped = tmp_path / "Data-no-value.csv"
    with dropped.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["path", "total_conversions", "total_null"])
        for row in table:
            writer.writerow([row["path"], row["total_conversions"], row["total_null"]])

    journeys = read_channelattribution_paths(dropped)
    original = read_channelattribution_paths(source)
    # The data set's published totals: 10,000 paths, 19,785 conversions, 68,602 nulls.
    assert len(journeys.conversions) == 10_000
    assert journeys.total_conversions == pytest.approx(19_785)
    assert float(journeys.nulls.sum()) == pytest.approx(68_602)
    assert journeys.total_value == 0
    assert journeys.channels == original.channels
    # Credit by conversions does not depend on the value column.
    options = AttributionOptions()
    assert np.allclose(
        run_model("linear", journeys, options).conversions,
        run_model("linear", original, options).conversions,
    )
