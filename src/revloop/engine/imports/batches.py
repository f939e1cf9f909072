"""A CSV file as validated batches: what the importer stores, in its own form per entity.

:func:`validated_batches` opens the file itself, so it can run in another process (see
:class:`~revloop.engine.imports.prefetch.ProcessPrefetch`): reading and validating a
batch there while the importer writes the previous one here uses both cores, which
threads cannot while the reader holds the GIL.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from revloop.engine.imports.formats import Entity
from revloop.engine.imports.reader import CsvRow
from revloop.engine.imports.rows import ImportOptions, RecordStream, RowFailure, RowValidator
from revloop.engine.imports.touch_batch import validate_touch_rows


@dataclass(frozen=True, slots=True)
class ValidatedBatch:
    """One batch: its row count, its failures in row order, and its good rows.

    ``good`` is a polars frame for touches (see ``touch_batch``) and a list of records
    for every other entity. ``progress`` is the fraction of the file read so far.
    """

    rows: int
    failures: list[RowFailure]
    good: Any
    progress: float | None


def validate_batch(
    entity: Entity, validator: RowValidator, batch: list[CsvRow]
) -> tuple[list[RowFailure], Any]:
    """The batch's failures (in row order) and its good rows, in the writer's form."""
    header = validator.columns.header
    failures = [
        RowFailure(r.row, (r.error,), dict(zip(header, r.values, strict=False)))
        for r in batch
        if r.error is not None
    ]
    readable = [(r.row, r.values) for r in batch if r.error is None]
    good: Any
    if entity is Entity.TOUCHES:
        touches = validate_touch_rows(validator, readable)
        failures += touches.failures
        good = touches.frame
    else:
        good = []
        for number, values in readable:
            result = validator.validate(number, values)
            if isinstance(result, RowFailure):
                failures.append(result)
            else:
                good.append(result)
    return sorted(failures, key=lambda f: f.row), good


def validated_batches(
    source: Path,
    entity: str,
    *,
    format_name: str,
    options: ImportOptions,
    batch_size: int,
    encoding: str | None = None,
) -> Iterator[ValidatedBatch]:
    """Read ``source`` as ``entity`` and yield it validated, ``batch_size`` rows at a time."""
    stream = RecordStream(
        source, entity, format_name=format_name, options=options, encoding=encoding
    )
    try:
        batch: list[CsvRow] = []
        for row in stream.reader:
            batch.append(row)
            if len(batch) >= batch_size:
                yield _validated(stream, batch)
                batch = []
        if batch:
            yield _validated(stream, batch)
    finally:
        stream.reader.close()


def _validated(stream: RecordStream, batch: list[CsvRow]) -> ValidatedBatch:
    failures, good = validate_batch(stream.entity, stream.validator, batch)
    return ValidatedBatch(len(batch), failures, good, stream.reader.progress())
