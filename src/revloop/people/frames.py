"""The database read behind scoring and the stage machine: people as polars frames, fast.

Rows come through :func:`revloop.core.frames.read_sql`. Only the columns the
contract's rules read are selected (touches: :mod:`revloop.activity.frames`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import polars as pl

from revloop.core.frames import UTC, as_text, read_sql_for_ids
from revloop.engine.contract import Contract
from revloop.engine.scoring import people_columns

#: Where each contract field lives: ``p`` is people_person, ``a`` people_account.
FIELD_SQL: dict[str, tuple[str, pl.DataType]] = {
    "person.email": ("p.email", pl.String()),
    "person.first_name": ("p.first_name", pl.String()),
    "person.last_name": ("p.last_name", pl.String()),
    "person.title": ("p.title", pl.String()),
    "person.persona": ("p.persona", pl.String()),
    "person.phone": ("p.phone", pl.String()),
    "person.country": ("p.country", pl.String()),
    "person.source": ("p.source", pl.String()),
    "person.consent": ("p.consent", pl.String()),
    "account.name": ("a.name", pl.String()),
    "account.domain": ("a.domain", pl.String()),
    "account.industry": ("a.industry", pl.String()),
    "account.employee_count": ("a.employee_count", pl.Int64()),
    "account.country": ("a.country", pl.String()),
    "account.region": ("a.region", pl.String()),
    "account.tier": ("a.tier", pl.String()),
}


def people_frame(
    contracts: Iterable[Contract],
    ids: Collection[int] | None = None,
    *,
    with_created: bool = False,
) -> pl.DataFrame:
    """``person_id`` plus every field the contracts' rules read (and ``created_at``)."""
    wanted: dict[str, None] = {}
    for contract in contracts:
        for name in people_columns(contract)[1:]:
            wanted["person.email" if name == "person.email_domain" else name] = None
    columns: dict[str, tuple[str, pl.DataType]] = {"person_id": ("p.id", pl.Int64())}
    columns |= {name: FIELD_SQL[name] for name in wanted}
    if with_created:
        columns["created_at"] = (as_text("p.created_at"), UTC)
    select = ", ".join(expression for expression, _ in columns.values())
    sql = (
        f"SELECT {select} FROM people_person p"  # noqa: S608 - our own names and integer ids
        " LEFT JOIN people_account a ON a.id = p.account_id"
    )
    schema = {name: dtype for name, (_, dtype) in columns.items()}
    return read_sql_for_ids(sql, "p.id", schema, ids, "person_id")


def stages_frame(ids: Collection[int] | None = None) -> pl.DataFrame:
    """``person_id``, ``stage`` and ``stage_changed_at``: what the stage machine reads."""
    sql = f"SELECT p.id, p.stage, {as_text('p.stage_changed_at')} FROM people_person p"  # noqa: S608 - our own names
    schema = {"person_id": pl.Int64(), "stage": pl.String(), "stage_changed_at": UTC}
    return read_sql_for_ids(sql, "p.id", schema, ids, "person_id")
