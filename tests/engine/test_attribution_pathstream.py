"""Markov order 1 streamed from a path file: the credit, removal effects and transition
matrix of the journeys read whole (which the reference tests hold to ChannelAttribution),
whatever the batch size; bad rows named by their line in any batch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from revloop.engine.attribution import PathFileError, read_channelattribution_paths, run_model
from revloop.engine.attribution.pathstream import count_path_file, markov_from_path_file
from revloop.engine.attribution.result import AttributionResult

FOLDER = "channelattribution-paths"


def _same(streamed: AttributionResult, whole: AttributionResult) -> None:
    assert streamed.channels == whole.channels
    np.testing.assert_allclose(streamed.conversions, whole.conversions, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(streamed.value, whole.value, rtol=1e-12, atol=1e-9)
    for name in ("removal_effect_conversions", "removal_effect_value"):
        np.testing.assert_allclose(streamed.extras[name], whole.extras[name], rtol=1e-12)
    assert streamed.transition_matrix is not None
    assert whole.transition_matrix is not None
    ours, theirs = streamed.transition_matrix.as_dict(), whole.transition_matrix.as_dict()
    assert ours.keys() == theirs.keys()
    for key, probability in theirs.items():
        assert ours[key] == pytest.approx(probability, rel=1e-12)


def write(tmp_path: Path, text: str) -> Path:
    file = tmp_path / "paths.csv"
    file.write_text(text, encoding="utf-8")
    return file


@pytest.mark.parametrize("block_bytes", [1 << 10, 1 << 14, 8 << 20])
def test_channelattributions_own_data_gives_the_whole_file_figures(
    datasets: Path, block_bytes: int
) -> None:
    file = datasets / FOLDER / "Data.csv"
    if not file.is_file():
        pytest.skip(f"{file} not present")
    whole = run_model("markov", read_channelattribution_paths(file))
    _same(markov_from_path_file(file, block_bytes=block_bytes), whole)


def test_repeats_weightless_paths_and_padding(tmp_path: Path) -> None:
    rows = [
        ("a > a > b", 1, 2.5, 1),
        (" b >c>  a ", 0, 0, 2),
        ("quiet > only", 0, 0, 0),  # no outcome: its labels count as channels, with 0
        ("c > c > c", 2, 7.0, 0),
        ("a > b > a > b", 1, 1.0, 3),
    ] * 40
    lines = ["path;total_conversions;total_conversion_value;total_null"]
    lines += [f"{p};{c};{v};{n}" for p, c, v, n in rows]
    file = write(tmp_path, "\n".join(lines) + "\n")
    whole = run_model("markov", read_channelattribution_paths(file))
    streamed = markov_from_path_file(file, block_bytes=256)
    _same(streamed, whole)
    assert streamed.channels == ("a", "b", "c", "only", "quiet")
    assert streamed.conversions_by_channel()["quiet"] == 0


def test_the_value_and_null_columns_are_optional(tmp_path: Path) -> None:
    file = write(tmp_path, "total_conversions,path\n1,a > b\n0,b\n2,b > a\n")
    whole = run_model("markov", read_channelattribution_paths(file))
    streamed = markov_from_path_file(file)
    _same(streamed, whole)
    assert streamed.total_value == 0


def test_bad_rows_are_named_by_their_line_in_every_batch(tmp_path: Path) -> None:
    lines = ["path;total_conversions;total_null"]
    lines += [f"a > b;1;{i % 3}" for i in range(300)]
    lines[150] = "a >  > b;1;0"
    lines[299] = "a > b;-2;0"
    file = write(tmp_path, "\n".join(lines) + "\n")
    with pytest.raises(PathFileError) as caught:
        count_path_file(file, block_bytes=512)
    assert [str(e) for e in caught.value.errors] == [
        "line 151, column 'path': empty step in 'a >  > b'",
        "line 300, column 'total_conversions': '-2' is not a number >= 0",
    ]
    with pytest.raises(PathFileError) as whole:
        read_channelattribution_paths(file)
    assert [str(e) for e in whole.value.errors] == [str(e) for e in caught.value.errors]


def test_a_missing_column_is_named_with_the_header(tmp_path: Path) -> None:
    file = write(tmp_path, "journey;total_conversions\na;1\n")
    with pytest.raises(PathFileError, match=r"missing column\(s\) 'path'"):
        count_path_file(file)
