"""A file's bytes as the reader wants them: ASCII-compatible, one ``\\n`` per line break.

Exports come in whatever their tool wrote, so before any row is read the start of the
file is looked at once:

* **UTF-16** (Excel's "Unicode text", some Salesforce and HubSpot exports), with a
  byte-order mark or recognisable by its zero bytes, is decoded and handed on as
  UTF-8, a chunk at a time.
* **Encoding.** Without a named encoding, a start that is valid UTF-8 is UTF-8; one
  that is not is Windows-1252 (what Excel on Windows writes as "CSV"). A start that is
  plain ASCII says nothing, so the reader decides at the first row that is not ASCII:
  valid UTF-8 settles UTF-8, anything else Windows-1252.
* **Line endings.** LF and CRLF are read as they are; a file whose breaks are CR alone
  (classic Mac, some Salesforce report exports) has every CR read as LF. The
  translation is byte for byte, so sizes and progress stay exact.

Only files that need a change go through a translating stream; every other file is
read directly, at full speed.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

SNIFF_BYTES = 1 << 16
_CHUNK = 1 << 16
UTF16_CODECS = frozenset({"utf-16", "utf-16-le", "utf-16-be", "utf_16", "utf_16_le", "utf_16_be"})
#: Where a file that is not UTF-8 comes from in practice: Excel on Windows.
FALLBACK_ENCODING = "cp1252"


@dataclass(frozen=True)
class Prepared:
    """The stream to read, the encoding of its bytes, and what was done to get there.

    ``undecided`` is true when the encoding was sniffed from a start that is plain
    ASCII: the reader then settles it at the first row that is not.
    """

    stream: BinaryIO
    encoding: str
    undecided: bool = False
    transcoded_from: str = ""
    cr_only: bool = False


def prepare(file: BinaryIO, encoding: str | None) -> Prepared:
    """Look at the start of ``file`` and return how to read it (see the module doc)."""
    head, stream = _peek(file)
    codec = _utf16_codec(head, encoding)
    if codec is not None:
        sample = head.decode(codec, errors="replace")
        cr_only = _cr_only(sample.encode("utf-8"))
        chunks = _transcoded(head, stream, codec)
        if cr_only:
            chunks = _cr_to_lf(chunks)
        return Prepared(_chunk_stream(chunks), "utf-8", transcoded_from=codec, cr_only=cr_only)
    undecided = False
    if encoding is None:
        encoding, undecided = _sniff_encoding(head)
    if _cr_only(head):
        return Prepared(
            _chunk_stream(_cr_to_lf(_replayed(head, stream))), encoding, undecided, cr_only=True
        )
    if stream is file and file.seekable():
        return Prepared(file, encoding, undecided)
    return Prepared(_chunk_stream(_replayed(head, stream)), encoding, undecided)


def is_utf16(encoding: str) -> bool:
    return codecs.lookup(encoding).name in {"utf-16", "utf-16-le", "utf-16-be"}


def _peek(file: BinaryIO) -> tuple[bytes, BinaryIO]:
    """The first bytes, and the stream positioned so that they are read again or not."""
    if file.seekable():
        here = file.tell()
        head = file.read(SNIFF_BYTES)
        file.seek(here)
        return head, file
    return file.read(SNIFF_BYTES), file


def _utf16_codec(head: bytes, encoding: str | None) -> str | None:
    if encoding is not None:
        return encoding if is_utf16(encoding) else None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"  # the codec reads the mark and drops it
    sample = head[:4096]
    if len(sample) < 4:
        return None
    pairs = len(sample) // 2
    even_zeros = sample[0 : pairs * 2 : 2].count(0)
    odd_zeros = sample[1 : pairs * 2 : 2].count(0)
    # Text in UTF-16 has a zero in every other byte for each ASCII character.
    if odd_zeros > 0.4 * pairs and odd_zeros > 2 * even_zeros:
        return "utf-16-le"
    if even_zeros > 0.4 * pairs and even_zeros > 2 * odd_zeros:
        return "utf-16-be"
    return None


def _sniff_encoding(head: bytes) -> tuple[str, bool]:
    if head.isascii():
        return "utf-8", True
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A character cut in two at the end of the sample is not evidence against UTF-8.
        if exc.start < len(head) - 3:
            return FALLBACK_ENCODING, False
    return "utf-8", False


_BREAK = re.compile(rb"[\r\n]")


def _cr_only(head: bytes) -> bool:
    """Whether the first line break outside quotes (the header's) is a CR alone.

    Quoted cells may hold CRs or LFs of any kind; the header's own break says how
    the file ends its lines.
    """
    for found in _BREAK.finditer(head):
        at = found.start()
        if head.count(b'"', 0, at) % 2:
            continue  # inside a quoted header cell
        return head[at : at + 1] == b"\r" and head[at + 1 : at + 2] != b"\n"
    return False


def _replayed(head: bytes, file: BinaryIO) -> Iterator[bytes]:
    if file.seekable():  # the head was only peeked at
        head = b""
    if head:
        yield head
    while chunk := file.read(_CHUNK):
        yield chunk


def _transcoded(head: bytes, file: BinaryIO, codec: str) -> Iterator[bytes]:
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    for chunk in _replayed(head, file):
        text = decoder.decode(chunk)
        if text:
            yield text.encode("utf-8", "surrogatepass")
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail.encode("utf-8", "surrogatepass")


def _cr_to_lf(chunks: Iterator[bytes]) -> Iterator[bytes]:
    for chunk in chunks:
        yield chunk.replace(b"\r", b"\n")


class _ChunkRaw(io.RawIOBase):
    """A raw, read-only stream over an iterator of byte chunks."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _chunk_stream(chunks: Iterator[bytes]) -> BinaryIO:
    return io.BufferedReader(_ChunkRaw(chunks), buffer_size=_CHUNK)
