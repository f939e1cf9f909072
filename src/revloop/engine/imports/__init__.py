"""CSV imports: streaming reader, formats (generic / HubSpot / Salesforce), typed records.

The usual entry point is :func:`read_records`; the Django ``revloop import`` command
stores what it yields and writes failures with :class:`ErrorCsvWriter`.
"""

from revloop.engine.imports.error_csv import ErrorCsvWriter
from revloop.engine.imports.errors import CsvFileError, RowError
from revloop.engine.imports.formats import Entity, FormatError, bind, detect_format
from revloop.engine.imports.reader import CsvReader, CsvRow
from revloop.engine.imports.records import (
    AccountRecord,
    OpportunityRecord,
    PersonRecord,
    Record,
    TouchRecord,
)
from revloop.engine.imports.rows import (
    ImportOptions,
    RecordStream,
    RowFailure,
    RowValidator,
    derive_event_id,
    read_records,
)
from revloop.engine.imports.safety import SafeCsvWriter, neutralize_cell
from revloop.engine.imports.stages import StageMapping, StageMappingError, load_stage_mapping

__all__ = [
    "AccountRecord",
    "CsvFileError",
    "CsvReader",
    "CsvRow",
    "Entity",
    "ErrorCsvWriter",
    "FormatError",
    "ImportOptions",
    "OpportunityRecord",
    "PersonRecord",
    "Record",
    "RecordStream",
    "RowError",
    "RowFailure",
    "RowValidator",
    "SafeCsvWriter",
    "StageMapping",
    "StageMappingError",
    "TouchRecord",
    "bind",
    "derive_event_id",
    "detect_format",
    "load_stage_mapping",
    "neutralize_cell",
    "read_records",
]
