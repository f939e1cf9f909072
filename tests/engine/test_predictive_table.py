"""Reading a CSV export and evaluating it end to end, as ``revloop model evaluate`` does.

- BOM, ``;`` or tab delimiters, Excel's ``sep=`` line and quoted fields all read.
- Numbers and ISO dates come out typed; empty cells are null; bad rows are reported.
- The evaluation's JSON document holds both columns of figures and the feature report.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from revloop.engine.imports.errors import CsvFileError, RowError
from revloop.engine.predictive import evaluate_frame, format_evaluation, read_table


def write(path: Path, text: str, *, bom: bool = False) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_bom_semicolons_and_types(tmp_path: Path) -> None:
    path = write(
        tmp_path / "leads.csv",
        "Lead Source;Visits;Score;Signed up;Converted\n"
        'Google;3;1.5;2025-01-02;1\n"Web; direct";;2;2025-02-03;0\n',
        bom=True,
    )
    frame = read_table(path)
    assert frame.columns == ["Lead Source", "Visits", "Score", "Signed up", "Converted"]
    assert frame.schema["Visits"] == pl.Int64
    assert frame.schema["Score"] == pl.Float64
    assert frame.schema["Signed up"].is_temporal()
    assert frame["Lead Source"].to_list() == ["Google", "Web; direct"]
    assert frame["Visits"].to_list() == [3, None]


def test_sep_line_tabs_and_bad_rows(tmp_path: Path) -> None:
    path = write(tmp_path / "leads.tsv", "sep=\t\na\tb\n1\tx\n2\n3\tz\n")
    bad: list[RowError] = []
    frame = read_table(path, bad_rows=bad)
    assert frame["a"].to_list() == [1, 3]
    # Spreadsheet rows: the sep= line is row 1 and the header row 2.
    assert [error.row for error in bad] == [4]


def test_a_header_without_rows_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CsvFileError, match="no readable rows"):
        read_table(write(tmp_path / "empty.csv", "a,b\n"))


def synthetic_csv(path: Path, rows: int = 1_500) -> Path:
    rng = np.random.default_rng(5)
    visits = rng.poisson(2, rows)
    source = rng.choice(["Google", "google", "Referral", "Select", "Events"], rows)
    p = 1 / (1 + np.exp(-(-1.2 + 0.5 * visits + 0.8 * (source == "Referral"))))
    won = (rng.random(rows) < p).astype(int)
    frame = pl.DataFrame(
        {
            "Prospect ID": [f"p-{i:05d}" for i in range(rows)],
            "Lead Source": source,
            "TotalVisits": visits,
            "Tags": np.where(won == 1, "Closed by Horizzon", "Ringing"),
            "Created": [f"2025-{1 + i * 12 // rows:02d}-{1 + i % 28:02d}" for i in range(rows)],
            "Converted": won,
        }
    )
    frame.write_csv(path)
    return path


def test_evaluate_an_export_by_cross_validation(tmp_path: Path) -> None:
    frame = read_table(synthetic_csv(tmp_path / "export.csv"))
    evaluation = evaluate_frame(frame, "Converted", algorithm="linear", folds=3)
    assert evaluation.method == "cross_validation"
    assert evaluation.test_rows == evaluation.rows == 1_500
    assert sum(b.count for b in evaluation.model.calibration) == 1_500
    assert sum(b.count for b in evaluation.baseline.calibration) == 1_500
    assert evaluation.model.auc is not None
    assert evaluation.model.auc > 0.65
    found = {f.name: f.status.value for f in evaluation.features}
    assert found["Tags"] == "leaky"  # a copy of the outcome, whatever its name
    assert found["Prospect ID"] == "not_a_feature"
    document = json.loads(json.dumps(evaluation.as_dict()))
    assert set(document) >= {"model", "baseline", "features", "leaky", "used", "method", "seed"}
    assert document["holdout"] is None
    assert document["model"]["calibration"][0].keys() >= {"count", "predicted", "observed"}
    text = format_evaluation(evaluation)
    assert "baseline (naive Bayes)" in text
    assert "Tags" in text


def test_evaluate_an_export_by_time(tmp_path: Path) -> None:
    frame = read_table(synthetic_csv(tmp_path / "export.csv"))
    evaluation = evaluate_frame(
        frame, "Converted", time_column="Created", algorithm="linear", test_fraction=0.25
    )
    # The shuffled folds stay the headline; the time holdout is measured beside them.
    assert evaluation.method == "cross_validation"
    assert sum(b.count for b in evaluation.model.calibration) == evaluation.rows
    holdout = evaluation.holdout
    assert holdout is not None
    assert holdout.cutoff.startswith("2025-")
    assert holdout.train_rows + holdout.test_rows == evaluation.rows
    assert 0.2 * evaluation.rows <= holdout.test_rows <= 0.3 * evaluation.rows
    assert sum(b.count for b in holdout.model.calibration) == holdout.test_rows
    assert "time holdout on Created" in format_evaluation(evaluation)
