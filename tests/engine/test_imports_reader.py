"""The streaming CSV reader: dialects, encodings, row numbers, progress and hostile input."""

from __future__ import annotations

import csv
import io
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from revloop.engine.imports.errors import CsvFileError
from revloop.engine.imports.reader import CsvReader, CsvRow, sniff_delimiter, split_record


def write(tmp_path: Path, data: str | bytes, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def rows(path: Path | io.BytesIO, **options: object) -> list[CsvRow]:
    with CsvReader(path, **options) as reader:  # type: ignore[arg-type]
        return list(reader)


def test_it_reads_utf8_with_a_bom_and_normalises_the_header(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeff Email ,First   Name\r\nada@x.com,Ada\r\n")
    with CsvReader(path) as reader:
        assert reader.header == ("Email", "First Name")
        assert [r.values for r in reader] == [("ada@x.com", "Ada")]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_it_sniffs_the_delimiter(tmp_path: Path, delimiter: str) -> None:
    text = delimiter.join(["email", "name", "note"]) + "\n"
    text += delimiter.join(["a@x.com", '"Doe, Jo; Jr|"', "x"]) + "\n"
    with CsvReader(write(tmp_path, text)) as reader:
        assert reader.delimiter == delimiter
        assert [r.values for r in reader] == [("a@x.com", "Doe, Jo; Jr|", "x")]


def test_sniffing_ignores_delimiters_inside_quoted_headers() -> None:
    assert sniff_delimiter('"a;b;c",d,e') == ","
    assert sniff_delimiter("single") == ","


def test_excel_sep_line_and_an_explicit_delimiter(tmp_path: Path) -> None:
    with CsvReader(write(tmp_path, "sep=;\na;b\n1;2\n")) as reader:
        assert (reader.delimiter, reader.header) == (";", ("a", "b"))
        assert [(r.row, r.values) for r in reader] == [(3, ("1", "2"))]
    with CsvReader(write(tmp_path, "a;b,c\n1;2,3\n", "x.csv"), delimiter=",") as reader:
        assert reader.header == ("a;b", "c")


def test_quoted_newlines_keep_one_row_and_numbers_point_at_the_file(tmp_path: Path) -> None:
    text = 'id,note\n1,"two\nlines"\n\n2,"three\r\nlines\nhere"\n3,plain\n'
    result = rows(write(tmp_path, text))
    assert [(r.row, r.line, r.values) for r in result] == [
        (2, 2, ("1", "two\nlines")),
        (4, 5, ("2", "three\r\nlines\nhere")),
        (5, 8, ("3", "plain")),
    ]


def test_doubled_quotes_and_stray_quotes(tmp_path: Path) -> None:
    text = 'a,b\n"say ""hi""",5" screen\nO"Brien,"x"y\n"ok",2\n'
    assert [r.values for r in rows(write(tmp_path, text))] == [
        ('say "hi"', '5" screen'),
        ('O"Brien', "xy"),
        ("ok", "2"),
    ]


def test_a_doubled_quote_split_across_reads_stays_one_quote(tmp_path: Path) -> None:
    # 65,536 bytes per read: put the "" pair right across the boundary.
    cell = "x" * (65_536 - len('a,"') - 1) + '""' + "tail\nmore"
    text = 'h1,h2\na,"' + cell + '"\nb,c\n'
    first, second = rows(write(tmp_path, text))
    assert first.values == ("a", cell.replace('""', '"'))
    assert second.values == ("b", "c")


def test_undecodable_bytes_fail_that_row_naming_the_column(tmp_path: Path) -> None:
    data = b"email,company\nada@x.com,Caf\xe9 Ltd\nbob@x.com,Fine\n"
    bad, good = rows(write(tmp_path, data), encoding="utf-8")
    assert bad.error is not None
    assert (bad.row, bad.error.field) == (2, "company")
    assert "e9" in bad.error.reason
    assert "UTF-8" in bad.error.reason
    assert good.values == ("bob@x.com", "Fine")
    assert good.error is None


def test_a_single_byte_encoding_can_be_named(tmp_path: Path) -> None:
    data = "email,company\nada@x.com,Café\n".encode("cp1252")
    assert rows(write(tmp_path, data), encoding="cp1252")[0].values == ("ada@x.com", "Café")
    with pytest.raises(ValueError, match="not ASCII-compatible"):
        CsvReader(write(tmp_path, data), encoding="utf-32")


def test_a_windows_1252_file_is_recognised_without_being_named(tmp_path: Path) -> None:
    data = "email,company\nada@x.com,Café \u2013 Bäckerei\n".encode("cp1252")
    with CsvReader(write(tmp_path, data)) as reader:
        assert [r.values for r in reader] == [("ada@x.com", "Café \u2013 Bäckerei")]
        assert reader.encoding == "cp1252"


def test_a_file_ascii_at_the_start_settles_its_encoding_at_the_first_other_row(
    tmp_path: Path,
) -> None:
    start = "email,company\n" + "".join(f"p{n}@x.com,Plain\n" for n in range(5_000))
    cp1252 = write(tmp_path, (start + "z@x.com,Café\n").encode("cp1252"), "a.csv")
    utf8 = write(tmp_path, (start + "z@x.com,Café\nq@x.com,Straße\n").encode(), "b.csv")
    assert len(start) > 65_536  # beyond what is sniffed
    assert rows(cp1252)[-1].values == ("z@x.com", "Café")
    assert [r.values[1] for r in rows(utf8)[-2:]] == ["Café", "Straße"]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_utf16_files_with_or_without_a_mark_and_any_line_ending(
    tmp_path: Path, codec: str, newline: str
) -> None:
    text = newline.join(["Email,Company", "ada@x.com,Café", 'bob@x.com,"Zoë, Ltd"', ""])
    with CsvReader(write(tmp_path, text.encode(codec))) as reader:
        assert reader.header == ("Email", "Company")
        assert [(r.row, r.values) for r in reader] == [
            (2, ("ada@x.com", "Café")),
            (3, ("bob@x.com", "Zoë, Ltd")),
        ]


def test_cr_only_line_breaks_are_read_as_lines(tmp_path: Path) -> None:
    data = b'Stage,Amount\rClosed Won," $-   "\r"Closed\rLost",5\r\rWon,7'
    with CsvReader(write(tmp_path, data)) as reader:
        read = [(r.row, r.line, r.values) for r in reader]
        assert reader.cr_only
    assert read == [
        (2, 2, ("Closed Won", " $-   ")),
        (3, 3, ("Closed\nLost", "5")),
        (5, 6, ("Won", "7")),
    ]
    stream = io.BytesIO(data)
    assert rows(stream)[0].values == ("Closed Won", " $-   ")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\n\n", "empty"),
        (b"em\x00ail\x00\x00\x00\n", "NUL bytes"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(
    tmp_path: Path, data: bytes, message: str
) -> None:
    with pytest.raises(CsvFileError, match=message):
        CsvReader(write(tmp_path, data))


def test_wrong_field_counts_are_row_errors_but_trailing_empties_are_fine(tmp_path: Path) -> None:
    text = "a,b,c\n1,2\n1,2,3,4\n1,2,3,,\n"
    short, long_, trailing = rows(write(tmp_path, text))
    assert short.error is not None
    assert "2 fields, but the header has 3" in short.error.reason
    assert long_.error is not None
    assert long_.error.row == 3
    assert trailing.values == ("1", "2", "3")


def test_an_unterminated_quote_is_reported_once(tmp_path: Path) -> None:
    (bad,) = rows(write(tmp_path, 'a,b\n1,"open\n2,x\n3,y\n'))
    assert bad.error is not None
    assert "never closed" in bad.error.reason
    assert bad.row == 2


def test_a_hostile_10_mb_cell_fails_its_row_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("wb") as handle:
        handle.write(b"email,note\n")
        handle.write(b'a@x.com,"' + b"x" * (10 << 20) + b'"\n')
        handle.write(b"b@x.com," + b"y" * (2 << 20) + b"\n")
        handle.write(b"c@x.com,fine\n")
    tracemalloc.start()
    try:
        result = rows(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    huge, big, fine = result
    assert huge.error is not None
    assert "over the limit" in huge.error.reason
    assert big.error is not None
    assert big.error.field == "note"
    assert "1,048,576" in big.error.reason
    assert len(big.error.value) <= 200
    assert fine.values == ("c@x.com", "fine")
    # The 10 MB row is never held; the 2 MB one is held once, decoded once.
    assert peak < 12 << 20


def test_the_limits_can_be_tuned(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b\n1," + "z" * 50 + "\n")
    (row,) = rows(path, max_field_bytes=10, max_row_bytes=20)
    assert row.error is not None
    assert "over the limit of 20 bytes" in row.error.reason


def test_progress_is_reported_in_bytes(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b\n" + "1,2\n" * 400_000)
    calls: list[tuple[int, int | None]] = []
    with CsvReader(path, on_progress=lambda done, total: calls.append((done, total))) as reader:
        assert reader.total_bytes == path.stat().st_size
        assert reader.progress() == pytest.approx(4 / path.stat().st_size)
        count = sum(1 for _ in reader)
        assert reader.progress() == 1.0
        assert reader.rows_read == count == 400_000
    assert calls[-1] == (path.stat().st_size, path.stat().st_size)
    assert len(calls) >= 2
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_it_reads_from_a_stream_without_knowing_its_size() -> None:
    class Pipe(io.BytesIO):
        def seekable(self) -> bool:
            return False

    with CsvReader(Pipe(b"a\n1\n")) as reader:
        assert reader.total_bytes is None
        assert reader.progress() is None
        assert [r.values for r in reader] == [("1",)]


def test_repeated_and_empty_header_names_are_kept_apart(tmp_path: Path) -> None:
    with CsvReader(write(tmp_path, "Email,email,,Note\n1,2,3,4\n")) as reader:
        assert reader.header == ("Email", "email (2)", "column 3", "Note")


def test_the_last_line_may_lack_a_line_break(tmp_path: Path) -> None:
    result = rows(write(tmp_path, "a,b\r\n1,2\r\n3,4"))
    assert [(r.row, r.values) for r in result] == [(2, ("1", "2")), (3, ("3", "4"))]


def test_split_record_matches_rfc_4180() -> None:
    assert split_record('a,"b,c",,"d""e"', ",") == ["a", "b,c", "", 'd"e']
    assert split_record('"x"y,z', ",") == ["xy", "z"]
    assert split_record(",", ",") == ["", ""]


cells = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from([",", ";", "\t", "|"]),
    st.integers(min_value=1, max_value=4).flatmap(
        lambda width: st.lists(st.lists(cells, min_size=width, max_size=width), max_size=8)
    ),
)
def test_it_reads_back_what_pythons_csv_writer_wrote(
    delimiter: str, table: list[list[str]]
) -> None:
    if not table:
        return
    width = len(table[0])
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([f"h{i}" for i in range(width)])
    writer.writerows(table)
    data = io.BytesIO(buffer.getvalue().encode())
    with CsvReader(data, delimiter=delimiter) as reader:
        got = [list(r.values) for r in reader]
    assert got == table


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["\r\n", "\n", "\r"]),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"]),
    st.integers(min_value=1, max_value=4).flatmap(
        lambda width: st.lists(
            st.lists(
                st.text(
                    alphabet=st.characters(codec="utf-8", exclude_characters="\x00\r"),
                    max_size=12,
                ),
                min_size=width,
                max_size=width,
            ),
            min_size=1,
            max_size=8,
        )
    ),
)
def test_any_line_ending_and_encoding_reads_back_the_same_table(
    newline: str, encoding: str, table: list[list[str]]
) -> None:
    # csv.writer quotes only the line terminator's own characters: an LF in a CR file
    # would go unquoted and make the file ambiguous to any reader.
    assume(newline != "\r" or not any("\n" in cell for row in table for cell in row))
    # Without a byte-order mark, UTF-16 is told by the zero bytes of Latin text.
    assume(
        encoding in {"utf-8", "utf-8-sig", "utf-16"} or all(c.isascii() for r in table for c in r)
    )
    width = len(table[0])
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow([f"h{i}" for i in range(width)])
    writer.writerows(table)
    data = io.BytesIO(buffer.getvalue().encode(encoding))
    with CsvReader(data, delimiter=",") as reader:
        got = [list(r.values) for r in reader]
    assert got == table
