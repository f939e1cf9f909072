"""The three parsers that read what people write — the CSV reader, the lead contract and
the offer catalog — fed anything: they answer with their result or their own input
error (which names what is wrong), never with another exception.

Bounded for CI; ``REVLOOP_FUZZ_EXAMPLES`` (examples per operation of the API fuzz, 4 by
default) scales these runs too, as ``benchmarks/bench_fuzz.py`` does for a long run.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revloop.engine.contract import default_contract_text
from revloop.engine.contract.errors import ContractInvalid
from revloop.engine.contract.parse import parse_contract
from revloop.engine.errors import EngineInputError
from revloop.engine.imports.errors import CsvFileError
from revloop.engine.imports.reader import CsvReader
from revloop.engine.truth.catalog import CatalogInvalid, parse_catalog

pytestmark = pytest.mark.fuzz

SCALE = max(1, int(os.environ.get("REVLOOP_FUZZ_EXAMPLES", "4")) // 4)
FUZZ = settings(
    max_examples=60 * SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CATALOG = (
    Path(__file__).resolve().parents[1] / "data" / "copy_checks" / "catalog.yaml"
).read_text()
CONTRACT = default_contract_text()


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """``text`` with a few lines dropped, repeated, cut or overwritten."""
    lines = text.splitlines()
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        if not lines:
            break
        at = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        change = draw(st.sampled_from(["drop", "repeat", "cut", "replace", "indent"]))
        if change == "drop":
            del lines[at]
        elif change == "repeat":
            lines.insert(at, lines[at])
        elif change == "cut":
            lines[at] = lines[at][: draw(st.integers(min_value=0, max_value=len(lines[at])))]
        elif change == "indent":
            lines[at] = " " * draw(st.integers(min_value=1, max_value=5)) + lines[at]
        else:
            key, _, _ = lines[at].partition(":")
            lines[at] = f"{key}: {draw(st.text(max_size=20))}"
    return "\n".join(lines)


@FUZZ
@given(st.one_of(st.text(max_size=400), mutated(CONTRACT)))
def test_the_contract_parser_answers_a_contract_or_its_errors(text: str) -> None:
    try:
        parse_contract(text)
    except ContractInvalid as invalid:
        refused: EngineInputError = invalid
        errors = invalid.errors
    else:
        return
    assert errors, refused


@FUZZ
@given(st.one_of(st.text(max_size=400), mutated(CATALOG)))
def test_the_catalog_parser_answers_a_catalog_or_its_errors(text: str) -> None:
    try:
        parse_catalog(text)
    except CatalogInvalid as invalid:
        errors = invalid.errors
    else:
        return
    assert errors


@FUZZ
@given(
    st.one_of(
        st.binary(max_size=600),
        st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.lists(st.text(alphabet=',;\t"\r\n ab\x00é', max_size=12), max_size=30).map(
            lambda cells: ",".join(cells).encode("utf-8")
        ),
    )
)
def test_the_csv_reader_answers_rows_or_its_file_error(data: bytes) -> None:
    try:
        with CsvReader(io.BytesIO(data)) as reader:
            rows = [(len(row.values), bool(row.error)) for row in reader]
            width = len(reader.header)
    except CsvFileError as refused:
        reason = str(refused)
    else:
        assert all(size == width or failed for size, failed in rows)
        return
    assert reason
