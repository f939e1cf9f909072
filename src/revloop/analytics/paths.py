"""Attribution over a ChannelAttribution path file, and the JSON shape of credit.

Kept apart from :mod:`.reports` so that ``revloop attribution --paths`` never imports
the query engines: a whole process reading a file should cost the file, not Ibis.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

from revloop.analytics.choices import MODEL_LABELS
from revloop.core.errors import InvalidInputError
from revloop.engine.attribution import (
    MODELS,
    AttributionOptions,
    AttributionResult,
    PathFileError,
    path_file_layout,
    read_channelattribution_paths,
    run_model,
)
from revloop.engine.attribution.pathstream import markov_from_path_file


def check_choice(name: str, value: str, choices: tuple[str, ...] | list[str]) -> None:
    if value not in choices:
        raise InvalidInputError(f"{name}: {value!r} is not one of {', '.join(choices)}")


def check_model(model: str) -> str:
    check_choice("model", model, tuple(MODELS))
    return model


def jsonable(value: Any) -> Any:
    """``value`` with NaN and infinities as None and dates as ISO text, recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def credit_rows(result: AttributionResult) -> list[dict[str, Any]]:
    """One row per label, largest value first, with shares of value and conversions."""
    total = float(result.value.sum())
    conversions = float(result.conversions.sum())
    rows: list[dict[str, Any]] = []
    for i, label in enumerate(result.channels):
        rows.append(
            {
                "label": label,
                "conversions": float(result.conversions[i]),
                "value": float(result.value[i]),
                "value_share": float(result.value[i]) / total if total else None,
                "conversion_share": float(result.conversions[i]) / conversions
                if conversions
                else None,
                **{name: float(array[i]) for name, array in result.extras.items()},
            }
        )
    rows.sort(key=lambda row: (-row["value"], -row["conversions"], row["label"]))
    return rows


def paths_attribution(path: Path, model: str, options: AttributionOptions) -> dict[str, Any]:
    """One model over a ChannelAttribution path file (``path``, ``total_conversions``,
    optionally ``total_conversion_value`` and ``total_null``; steps separated by
    ``" > "``). ``value_column`` / ``nulls_column`` say which optional columns were
    read (``None``: absent, counted as 0)."""
    check_model(model)
    try:
        layout = path_file_layout(path)
        if model == "markov" and options.markov_order == 1 and options.markov_repeats != "keep":
            # Order 1 needs only the counts of moves: streamed, never the journeys.
            result = markov_from_path_file(path, delimiter=layout.delimiter)
        else:
            journeys = read_channelattribution_paths(path, delimiter=layout.delimiter)
            result = run_model(model, journeys, options)
    except PathFileError as exc:
        raise InvalidInputError(str(exc)) from None  # it names the file already
    except OSError as exc:
        raise InvalidInputError(f"{path}: {exc}") from None
    found: dict[str, Any] = jsonable(
        {
            "model": model,
            "model_label": MODEL_LABELS.get(model, model),
            "paths": str(path),
            "value_column": layout.value_column,
            "nulls_column": layout.nulls_column,
            "method": result.method,
            "total_conversions": result.total_conversions,
            "total_value": result.total_value,
            "credit": credit_rows(result),
        }
    )
    return found
