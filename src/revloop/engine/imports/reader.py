"""A streaming CSV reader for imports: constant memory, row numbers, progress, hostile input.

What it guarantees:

* **Constant memory.** The file is read in chunks of at most 64 KiB; only the current
  record is held, and a record larger than ``max_row_bytes`` (default 8 MiB) is not
  even held: it is skipped while its length is counted, and reported as one bad row.
  A single field over ``max_field_bytes`` (default 1 MiB) is likewise a bad row.
* **Row numbers.** Every :class:`CsvRow` carries ``row``, its row as a spreadsheet shows
  it (the header is row 1; a quoted cell with line breaks stays in one row), and
  ``line``, the physical line of the file where the record starts. Blank lines are
  skipped but counted, so the numbers always point at the right place.
* **Encodings and line endings.** Sniffed from the start of the file (see
  :mod:`.sources`): UTF-8 with or without a byte-order mark, UTF-16 with or without
  one, else Windows-1252; LF, CRLF or CR alone. Any encoding that keeps ASCII bytes as
  ASCII can also be named (``cp1252``, ``latin-1``), as can UTF-16. Undecodable bytes
  make that row bad, naming the column they are in; the rest of the file still reads.
* **Dialect.** The delimiter is sniffed from the header among ``,`` ``;`` tab and ``|``
  (most occurrences outside quotes wins, ties in that order), or given; Excel's
  ``sep=;`` first line is honoured. Fields follow RFC 4180: double quotes around a
  field, ``""`` inside for a quote, line breaks allowed inside quotes. Like Excel and
  Python's csv module the reader is lenient about stray quotes inside unquoted fields.
* **Progress.** ``bytes_read`` / ``total_bytes`` (``progress()``) can be polled at any
  time; ``on_progress(bytes_read, total_bytes)`` is also called about every MiB.

Record boundaries are found on the raw bytes before anything is parsed (a line break
ends the record unless it is inside a quoted field), which is how the size limit can be
applied to a record that is never held. The header, read before the delimiter is known,
is split by counting quotes.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from revloop.engine.imports.errors import CsvFileError, RowError, preview
from revloop.engine.imports.sources import FALLBACK_ENCODING, is_utf16, prepare

DELIMITERS = (",", ";", "\t", "|")
DEFAULT_MAX_FIELD_BYTES = 1 << 20
DEFAULT_MAX_ROW_BYTES = 8 << 20
PROGRESS_EVERY_BYTES = 1 << 20
_CHUNK = 1 << 16
_BOM = b"\xef\xbb\xbf"
_QUOTED_FIELD = re.compile(r'"([^"]*(?:""[^"]*)*)"')
_QUOTED_SPANS = re.compile(r'"[^"]*(?:""[^"]*)*"?')
_SEP_LINE = re.compile(r"^sep=([,;\t|])$")
_SPACES = re.compile(r"\s+")

ProgressCallback = Callable[[int, int | None], None]


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One record: its spreadsheet ``row`` (header = 1), first physical ``line``, values.

    When ``error`` is set the row could not be read as a whole and ``values`` is empty
    (or, for an undecodable row, holds the values with U+FFFD in place of bad bytes).
    """

    row: int
    line: int
    values: tuple[str, ...]
    error: RowError | None = None


def normalize_header(name: str) -> str:
    """A header cell as shown: NFKC, no BOM, surrounding and repeated whitespace removed."""
    text = unicodedata.normalize("NFKC", name.replace("\ufeff", ""))
    return _SPACES.sub(" ", text).strip()


def sniff_delimiter(header_line: str) -> str:
    """The delimiter among :data:`DELIMITERS` that occurs most often outside quotes."""
    bare = _QUOTED_SPANS.sub("", header_line)
    counts = [(bare.count(d), -i, d) for i, d in enumerate(DELIMITERS)]
    best = max(counts)
    return best[2] if best[0] > 0 else ","


def split_record(text: str, delimiter: str) -> list[str]:
    """The fields of one record (line ending already removed), RFC 4180 with leniency."""
    if '"' not in text:
        return text.split(delimiter)
    fields: list[str] = []
    pos, end = 0, len(text)
    while True:
        if pos < end and text[pos] == '"':
            match = _QUOTED_FIELD.match(text, pos)
            if match is None:  # unbalanced: take the rest, as Python's csv module does
                fields.append(text[pos + 1 :].replace('""', '"'))
                return fields
            value = match.group(1).replace('""', '"')
            pos = match.end()
            stop = text.find(delimiter, pos)
            stop = end if stop < 0 else stop
            fields.append(value + text[pos:stop])  # junk after a closing quote is kept
        else:
            stop = text.find(delimiter, pos)
            stop = end if stop < 0 else stop
            fields.append(text[pos:stop])
        if stop >= end:
            return fields
        pos = stop + len(delimiter)


class CsvReader:
    """Iterate a CSV file as :class:`CsvRow` records; see the module doc for guarantees.

    ``source`` is a path or a binary file object (a path is opened and closed here).
    The header is read on construction, so ``header`` and ``delimiter`` are known
    before the first row; a file that cannot be read at all raises
    :class:`CsvFileError`.
    """

    def __init__(
        self,
        source: str | os.PathLike[str] | BinaryIO,
        *,
        delimiter: str | None = None,
        encoding: str | None = None,
        max_field_bytes: int = DEFAULT_MAX_FIELD_BYTES,
        max_row_bytes: int = DEFAULT_MAX_ROW_BYTES,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        if delimiter is not None and (
            len(delimiter) != 1 or not delimiter.isascii() or delimiter in '"\r\n'
        ):
            raise ValueError(f"the delimiter must be one ASCII character, got {delimiter!r}")
        if encoding is not None:
            _check_encoding(encoding)
        if isinstance(source, str | os.PathLike):
            self.name = str(source)
            self._file: BinaryIO = Path(source).open("rb")  # noqa: SIM115 - closed by close()
            self._owns = True
        else:
            self.name = getattr(source, "name", "<stream>")
            self._file = source
            self._owns = False
        self.max_field_bytes = max_field_bytes
        self.max_row_bytes = max(max_row_bytes, max_field_bytes)
        self.on_progress = on_progress
        self.total_bytes = _size_of(self._file)
        try:
            prepared = prepare(self._file, encoding)
        except BaseException:
            self.close()
            raise
        self._stream = prepared.stream
        self.encoding = prepared.encoding
        self._undecided = prepared.undecided
        #: What the reader did to the file: "UTF-16" when it was decoded from that,
        #: "CR" when its line breaks were CR alone.
        self.transcoded_from = prepared.transcoded_from
        self.cr_only = prepared.cr_only
        if prepared.transcoded_from:
            self.total_bytes = None  # the bytes read are UTF-8, no longer the file's
        self.bytes_read = 0
        self.rows_read = 0
        self._line = 0
        self._row = 0
        self._next_report = PROGRESS_EVERY_BYTES
        self._delimiter_byte: int | None = None
        try:
            self.delimiter, self.header = self._read_header(delimiter)
            self._delimiter_byte = ord(self.delimiter)
        except BaseException:
            self.close()
            raise

    # -- public ------------------------------------------------------------------

    def progress(self) -> float | None:
        """Fraction of the file read (0..1), or ``None`` when the size is unknown."""
        if not self.total_bytes:
            return None
        return min(1.0, self.bytes_read / self.total_bytes)

    def __iter__(self) -> Iterator[CsvRow]:
        width = len(self.header)
        delimiter = self.delimiter
        for row, line, raw, problem in self._records():
            if problem is not None:
                yield CsvRow(row, line, (), RowError(row, "", "", problem))
                continue
            try:
                text = raw.decode(self.encoding)
            except UnicodeDecodeError as exc:
                if not self._undecided:
                    yield self._undecodable(row, line, raw, exc)
                    continue
                # The first row that is not ASCII, and not UTF-8: the file is Windows-1252.
                self.encoding, self._undecided = FALLBACK_ENCODING, False
                try:
                    text = raw.decode(self.encoding)
                except UnicodeDecodeError as exc2:
                    yield self._undecodable(row, line, raw, exc2)
                    continue
            else:
                if self._undecided and not raw.isascii():
                    self._undecided = False  # valid UTF-8 beyond ASCII: UTF-8 it is
            text = text.removesuffix("\n").removesuffix("\r")
            if not text:
                continue  # blank line: counted, not a record
            values = split_record(text, delimiter)
            if len(values) != width:
                error = self._width_error(row, values, width)
                if error is not None:
                    yield CsvRow(row, line, (), error)
                    continue
                values = values[:width]
            if len(raw) > self.max_field_bytes:
                error = self._size_error(row, values)
                if error is not None:
                    yield CsvRow(row, line, (), error)
                    continue
            self.rows_read += 1
            yield CsvRow(row, line, tuple(values))

    def close(self) -> None:
        if self._owns:
            self._file.close()

    def __enter__(self) -> CsvReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- records -----------------------------------------------------------------

    def _records(self) -> Iterator[tuple[int, int, bytes, str | None]]:
        """(row, first line, raw bytes, problem) per record; bytes empty when skipped."""
        while True:
            self._row += 1
            first_line = self._line + 1
            raw, size, closed = self._read_record()
            if self.on_progress is not None and (size == 0 or self.bytes_read >= self._next_report):
                self._next_report = self.bytes_read + PROGRESS_EVERY_BYTES
                self.on_progress(self.bytes_read, self.total_bytes)
            if size == 0:
                return
            problem = None
            if size > self.max_row_bytes:
                problem = (
                    f"row is {size:,} bytes, over the limit of {self.max_row_bytes:,} "
                    "bytes; it was skipped without being read"
                )
            elif not closed:
                problem = (
                    f"a quoted field opened on line {first_line} is never closed; "
                    "the rest of the file was read as part of it"
                )
            yield self._row, first_line, raw, problem

    def _read_record(self) -> tuple[bytes, int, bool]:
        """The next record's bytes (empty when over the limit), its size, quotes closed."""
        readline = self._stream.readline
        limit = self.max_row_bytes
        delimiter = self._delimiter_byte
        parts: list[bytes] = []
        size = 0
        state = _FIELD_START
        quotes = 0
        open_line = False
        while True:
            chunk = readline(_CHUNK)
            if not chunk:
                if open_line:
                    self._line += 1  # the last line has no line break
                break
            self.bytes_read += len(chunk)
            size += len(chunk)
            if size <= limit:
                parts.append(chunk)
            elif parts:
                parts = []  # over the limit: stop holding it, keep scanning
            if delimiter is None:
                quotes += chunk.count(b'"')  # the header: delimiter not known yet
                state = _QUOTED if quotes & 1 else _UNQUOTED
            elif b'"' in chunk:
                state = _scan(chunk, state, delimiter)
            elif state != _QUOTED:
                state = _FIELD_START if chunk[-1] == delimiter else _UNQUOTED
            if chunk[-1] == 0x0A:
                self._line += 1
                open_line = False
                if state != _QUOTED:
                    break
            else:
                open_line = True
        raw = parts[0] if len(parts) == 1 else b"".join(parts)
        return raw, size, state != _QUOTED

    def _read_header(self, delimiter: str | None) -> tuple[str, tuple[str, ...]]:
        records = self._records()
        for row, _line, found, problem in records:
            if problem is not None:
                raise CsvFileError(f"{self.name}: the header row cannot be read: {problem}")
            raw = self._check_start(found) if row == 1 else found
            try:
                text = raw.decode(self.encoding).removesuffix("\n").removesuffix("\r")
            except UnicodeDecodeError as exc:
                raise CsvFileError(
                    f"{self.name}: the header row is not valid {self.encoding} "
                    f"(byte {exc.start}: {raw[exc.start : exc.start + 4]!r}); "
                    "save the file as UTF-8 CSV or give its encoding"
                ) from None
            if not text.strip():
                continue
            sep = _SEP_LINE.match(text)
            if sep is not None and row == 1:
                delimiter = delimiter or sep.group(1)
                continue
            chosen = delimiter or sniff_delimiter(text)
            return chosen, _unique_headers(split_record(text, chosen))
        raise CsvFileError(f"{self.name}: the file is empty (no header row)")

    def _check_start(self, raw: bytes) -> bytes:
        if b"\x00" in raw:
            raise CsvFileError(
                f"{self.name}: the header contains NUL bytes; the file is not a CSV text file"
            )
        return raw.removeprefix(_BOM)

    # -- row problems ----------------------------------------------------------

    def _undecodable(self, row: int, line: int, raw: bytes, exc: UnicodeDecodeError) -> CsvRow:
        text = raw.decode(self.encoding, "replace").removesuffix("\n").removesuffix("\r")
        values = split_record(text, self.delimiter)
        column = next(
            (self._column(i) for i, v in enumerate(values) if "\ufffd" in v),
            "",
        )
        bad = raw[exc.start : exc.end]
        reason = f"bytes {bad.hex(' ')} are not valid {self.encoding}; save the file as UTF-8"
        error = RowError(row, column, preview(text), reason)
        return CsvRow(row, line, tuple(values) if len(values) == len(self.header) else (), error)

    def _width_error(self, row: int, values: list[str], width: int) -> RowError | None:
        if len(values) > width and not any(v.strip() for v in values[width:]):
            return None  # trailing empty cells, as spreadsheets sometimes write
        return RowError(
            row,
            "",
            preview(self.delimiter.join(values)),
            f"{len(values)} fields, but the header has {width}",
        )

    def _size_error(self, row: int, values: list[str]) -> RowError | None:
        limit = self.max_field_bytes
        for index, value in enumerate(values):
            if len(value) > limit // 4 and len(value.encode(self.encoding, "replace")) > limit:
                return RowError(
                    row,
                    self._column(index),
                    preview(value),
                    f"field is over the limit of {limit:,} bytes",
                )
        return None

    def _column(self, index: int) -> str:
        return self.header[index] if index < len(self.header) else f"column {index + 1}"


# Scanner states: where the reader is within a record, for finding where it ends.
_FIELD_START, _UNQUOTED, _QUOTED, _QUOTE_IN_QUOTED = range(4)


def _scan(chunk: bytes, state: int, delimiter: int) -> int:
    """The scanner state after ``chunk``, following :func:`split_record`'s rules.

    A quote opens a quoted field only at the start of a field; inside one, ``""`` is a
    quote and a lone ``"`` closes it; anywhere else quotes are ordinary characters. The
    state survives chunk boundaries (a ``""`` may be split across two reads).
    """
    pos, end = 0, len(chunk)
    while pos < end:
        if state == _QUOTED:
            found = chunk.find(b'"', pos)
            if found < 0:
                return _QUOTED
            pos, state = found + 1, _QUOTE_IN_QUOTED
        elif state == _QUOTE_IN_QUOTED:
            if chunk[pos] == 0x22:
                pos, state = pos + 1, _QUOTED
            else:
                state = _UNQUOTED  # the quote closed the field
        elif state == _FIELD_START and chunk[pos] == 0x22:
            pos, state = pos + 1, _QUOTED
        else:
            found = chunk.find(delimiter, pos)
            if found < 0:
                return _UNQUOTED
            pos, state = found + 1, _FIELD_START
    return state


def _unique_headers(cells: list[str]) -> tuple[str, ...]:
    # Two columns of one name would make one of them unreachable; number the repeats so
    # both values are kept (the second lands in properties as "Name (2)").
    names: list[str] = []
    seen: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = normalize_header(cell) or f"column {index + 1}"
        key = name.casefold()
        if key in seen:
            seen[key] += 1
            name = f"{name} ({seen[key]})"
        else:
            seen[key] = 1
        names.append(name)
    return tuple(names)


def _check_encoding(encoding: str) -> None:
    # Records are split on b"\n" and b'"' before decoding, which is only right for
    # encodings that keep ASCII as single ASCII bytes.
    try:
        probe = '\n",;|\t'.encode(encoding)
    except (LookupError, UnicodeError) as exc:
        raise ValueError(f"unknown or unusable encoding {encoding!r}") from exc
    if is_utf16(encoding):
        return  # decoded to UTF-8 before reading (see sources)
    if probe != b'\n",;|\t':
        raise ValueError(f"encoding {encoding!r} is not ASCII-compatible; use UTF-8")


def _size_of(file: BinaryIO) -> int | None:
    try:
        return os.fstat(file.fileno()).st_size
    except (OSError, AttributeError, io.UnsupportedOperation):
        pass
    try:
        if file.seekable():
            here = file.tell()
            end = file.seek(0, io.SEEK_END)
            file.seek(here)
            return end - here
    except (OSError, AttributeError):
        return None
    return None
