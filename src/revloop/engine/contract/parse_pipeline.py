"""The ``pipeline_checks`` section: thresholds of the honest-pipeline checks.

Every key is optional; a missing key (or a missing section) takes the default of
:class:`PipelineChecks`, so contracts written before the checks existed stay valid.
"""

from __future__ import annotations

from dataclasses import fields
from enum import StrEnum
from typing import Any

from revloop.engine.contract.loader import YNode, child
from revloop.engine.contract.reader import Reader
from revloop.engine.contract.schema import PipelineChecks
from revloop.engine.vocabulary import (
    OPEN_OPPORTUNITY_STAGES,
    BuyingRole,
    OpportunityStage,
    TouchType,
)

KEYS: tuple[str, ...] = tuple(f.name for f in fields(PipelineChecks))
#: The checks' names (as in :class:`revloop.engine.pipeline.Check`; the contract
#: cannot import the pipeline package, which reads the contract).
CHECK_NAMES: tuple[str, ...] = (
    "no_activity",
    "close_date_pushed",
    "past_due",
    "end_of_quarter_burst",
    "skipped_stage",
    "amount_jump",
    "no_contact",
    "no_economic_buyer",
    "stuck_in_stage",
)
_POSITIVE = ("no_activity_days", "burst_days", "amount_jump_ratio", "stuck_factor")
_WHOLE = ("close_date_pushes", "skipped_stages", "stuck_min_deals", "suspect_checks")


def parse_pipeline_checks(read: Reader, node: YNode, path: str) -> PipelineChecks | None:
    items = read.mapping(node, path, optional=KEYS)
    if items is None:
        return None
    values: dict[str, Any] = {}
    ok = True
    for key, value in items.items():
        parsed = _value(read, key, value, child(path, key))
        if parsed is None:
            ok = False
        else:
            values[key] = parsed
    return PipelineChecks(**values) if ok else None


def _value(read: Reader, key: str, value: YNode, where: str) -> Any:  # noqa: PLR0911 - one return per kind of key
    """The key's value, typed, or ``None`` after recording why not."""
    if key in _POSITIVE:
        return read.number(value, where, gt=0)
    if key in _WHOLE:
        return read.integer(value, where, ge=1)
    if key == "past_due_days":
        return read.number(value, where, ge=0)
    if key == "burst_ratio":
        return read.number(value, where, gt=1)
    if key in ("burst_confidence", "stuck_quantile"):
        number = read.number(value, where, gt=0)
        if number is not None and number >= 1:
            read.error(value.line, where, "must be < 1")
            return None
        return number
    if key == "suspect_ignores":
        return read.texts(value, where, options=CHECK_NAMES)
    if key == "activity_types":
        texts = read.texts(value, where, options=[t.value for t in TouchType])
        return None if texts is None else tuple(TouchType(t) for t in texts)
    if key == "buyer_roles":
        texts = read.texts(value, where, options=[r.value for r in BuyingRole])
        return None if texts is None else tuple(BuyingRole(r) for r in texts)
    text = read.choice(value, where, [s.value for s in OPEN_OPPORTUNITY_STAGES])
    return None if text is None else OpportunityStage(text)


def pipeline_checks_to_dict(checks: PipelineChecks) -> dict[str, Any]:
    """The section as written in the file (numbers as written, enums by value)."""
    data: dict[str, Any] = {}
    for key in KEYS:
        value = getattr(checks, key)
        if isinstance(value, tuple):
            data[key] = [v.value if isinstance(v, StrEnum) else v for v in value]
        elif isinstance(value, StrEnum):
            data[key] = value.value
        elif isinstance(value, float):
            data[key] = int(value) if value.is_integer() else value
        else:
            data[key] = value
    return data
