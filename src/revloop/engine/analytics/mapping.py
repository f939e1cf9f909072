"""The company's own warehouse tables read as revloop's: a source mapping.

A company whose touches live in its warehouse or lake (Segment's ``tracks``,
Snowplow's ``events``, a CRM's opportunities) keeps them there. A mapping file says
which of its tables and columns hold what the reports read, and :func:`mapped_tables`
builds the analytics :class:`~.tables.Tables` from them on the engine that holds them
(Spark, DuckDB), without copying anything into revloop::

    touches:
      table: analytics.tracks        # a table of the engine's catalog, or
      # parquet: s3a://lake/segment/tracks/    a Parquet folder the engine reads
      person: user_id                # the person's key, any type
      time: timestamp
      channel: context_campaign_medium
      campaign: context_campaign_name   # optional
      content: properties_content       # optional
      type: event                       # optional
      id: message_id                    # optional: orders touches at the same moment
    opportunities:
      table: crm.opportunities
      id: opportunity_id
      person: contact_user_id         # the key touches.person holds
      amount: amount
      stage: stage_name
      won: [Closed Won]
      lost: [Closed Lost]
      created: created_date
      closed: closed_date             # optional
    people:                           # optional: when people have their own table
      table: analytics.users
      person: user_id
      created: created_at             # optional
      source: initial_source          # optional

People are the keys that appear (in ``people``, else in touches and opportunities),
numbered in key order; campaigns and content are the distinct names touches hold.
Without ``people.created`` a person's first touch is when they became a lead.
Stages and stage history are not in such tables: the funnel needs revloop's own.

:func:`parse_mapping` validates the file and raises :class:`MappingInvalid` with every
problem, each naming the line and key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from revloop.engine.analytics._ibis import Backend, Expr, Table, ibis, null
from revloop.engine.analytics.tables import (
    COLUMNS,
    Tables,
    checkpoint,
    engine_name,
    normalise,
    own_sources,
)
from revloop.engine.contract.errors import ContractError
from revloop.engine.contract.loader import ROOT, YMap, YNode, YScalar, YSeq, child, load_nodes
from revloop.engine.errors import EngineInputError
from revloop.engine.vocabulary import OpportunityStage

_WHERE = ("table", "parquet")
#: Section → (required columns, optional columns).
_FIELDS: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "touches": (("person", "time", "channel"), ("campaign", "content", "type", "id")),
    "opportunities": (
        ("id", "person", "amount", "stage", "created"),
        ("closed", "won", "lost"),
    ),
    "people": (("person",), ("created", "source")),
}
_REQUIRED_SECTIONS = ("touches", "opportunities")


@dataclass(frozen=True)
class Section:
    """One mapped table: where it is (``table`` or ``parquet``), and column per field."""

    table: str = ""
    parquet: str = ""
    columns: Mapping[str, str] = field(default_factory=dict)
    won: tuple[str, ...] = ()
    lost: tuple[str, ...] = ()

    def column(self, name: str) -> str | None:
        return self.columns.get(name)


@dataclass(frozen=True)
class SourceMapping:
    touches: Section
    opportunities: Section
    people: Section | None = None


class MappingInvalid(EngineInputError):  # noqa: N818 - reads as "the mapping is invalid"
    """Every problem in a mapping file, each ``file:line key: message``."""

    def __init__(self, errors: Sequence[ContractError]) -> None:
        self.errors = tuple(sorted(errors))
        head = f"{len(self.errors)} error{'s' if len(self.errors) != 1 else ''} in the mapping"
        super().__init__("\n".join([head, *(str(e) for e in self.errors)]))


def parse_mapping(text: str, source: str = "sources.yaml") -> SourceMapping:
    """The mapping in ``text`` (module docstring), or :class:`MappingInvalid`."""
    root, errors = load_nodes(text, source)
    if root is None:
        raise MappingInvalid(errors)

    def error(line: int, path: str, message: str) -> None:
        errors.append(ContractError(line, path or ROOT, message, source))

    if not isinstance(root, YMap):
        error(root.line, ROOT, "expected a mapping of sections (touches, opportunities, people)")
        raise MappingInvalid(errors)
    for key in root.items:
        if key not in _FIELDS:
            error(root.key_lines[key], key, f"unknown section; use {', '.join(_FIELDS)}")
    for key in _REQUIRED_SECTIONS:
        if key not in root.items:
            error(root.line, key, "missing section")
    sections = {
        key: _section(node, key, root.key_lines[key], error)
        for key, node in root.items.items()
        if key in _FIELDS
    }
    if errors:
        raise MappingInvalid(errors)
    return SourceMapping(
        touches=sections["touches"],
        opportunities=sections["opportunities"],
        people=sections.get("people"),
    )


def _text(node: YNode, path: str, error: Any) -> str:
    if not isinstance(node, YScalar) or node.is_null or not node.raw.strip():
        error(node.line, path, "expected a name")
        return ""
    return node.raw.strip()


def _section(node: YNode, name: str, line: int, error: Any) -> Section:
    # Problems of the section as a whole point at its name's line.
    if not isinstance(node, YMap):
        error(line, name, "expected a mapping of fields to column names")
        return Section()
    required, optional = _FIELDS[name]
    where = [key for key in _WHERE if key in node.items]
    if len(where) != 1:
        error(line, name, "give exactly one of table (a catalog table) or parquet (a folder)")
    columns: dict[str, str] = {}
    won: tuple[str, ...] = ()
    lost: tuple[str, ...] = ()
    for key, value in node.items.items():
        path = child(name, key)
        if key in _WHERE:
            continue
        if key not in required and key not in optional:
            error(node.key_lines[key], path, f"unknown field; use {', '.join(required + optional)}")
        elif key in ("won", "lost"):
            values = _values(value, path, error)
            won, lost = (values, lost) if key == "won" else (won, values)
        else:
            columns[key] = _text(value, path, error)
    for key in required:
        if key not in node.items:
            error(line, child(name, key), "missing field")
    if name == "opportunities" and not won:
        error(line, child(name, "won"), "name the stage values that mean won")
    found = {key: _text(node.items[key], child(name, key), error) for key in where}
    return Section(
        table=found.get("table", ""),
        parquet=found.get("parquet", ""),
        columns=columns,
        won=won,
        lost=lost,
    )


def _values(node: YNode, path: str, error: Any) -> tuple[str, ...]:
    items = node.items if isinstance(node, YSeq) else (node,)
    values = tuple(_text(item, child(path, i), error) for i, item in enumerate(items))
    return tuple(v for v in values if v)


# Building the tables -----------------------------------------------------------------------


def mapped_tables(backend: Backend, mapping: SourceMapping) -> Tables:
    """revloop's analytics tables over the company's own (module docstring)."""
    touches = _read(backend, mapping.touches)
    deals = _read(backend, mapping.opportunities)
    tc, oc = mapping.touches.columns, mapping.opportunities.columns
    touch = touches.select(
        key=touches[tc["person"]].cast("string"),
        occurred_at=_time(touches[tc["time"]]),
        channel=touches[tc["channel"]].cast("string"),
        campaign_name=_optional(touches, tc.get("campaign"), "string"),
        content_name=_optional(touches, tc.get("content"), "string"),
        type=_optional(touches, tc.get("type"), "string"),
        # Touches of one person at the same moment are ordered by this, then as found.
        order=touches[tc["id"]] if "id" in tc else ibis.literal(0),
    )
    touch = checkpoint(touch, backend)
    person = _people(backend, mapping, touch, deals)
    campaign = _numbered(touch.campaign_name, "name")
    content = _numbered(touch.content_name, "title")
    people = person.select(person_ref="id", pkey="key")
    campaigns = campaign.select(campaign_id="id", cname="name")
    assets = content.select(content_id="id", ctitle="title")
    with_ids = (
        touch.left_join(people, touch.key == people.pkey)
        .left_join(campaigns, touch.campaign_name == campaigns.cname)
        .left_join(assets, touch.content_name == assets.ctitle)
    )
    raw: dict[str, Table] = {
        "person": person.drop("key"),
        "touch": with_ids.select(
            id=ibis.row_number().over(order_by=(with_ids.occurred_at, with_ids.key, with_ids.order))
            + 1,
            person_id=with_ids.person_ref,
            occurred_at=with_ids.occurred_at,
            type=with_ids.type.fill_null("touch"),
            channel=with_ids.channel,
            campaign_id=with_ids.campaign_id,
            content_id=with_ids.content_id,
        ),
        "campaign": campaign.mutate(channel=null("string")),
        "content": content.mutate(kind=null("string"), campaign_id=null("int64")),
        "opportunity": _opportunities(mapping.opportunities, deals, oc, person),
    }
    for name in ("account", "transition", "opportunity_contact", "user"):
        raw[name] = _empty(touch, name)
    sources = own_sources()
    found = {
        name: checkpoint(normalise(raw[name], name, sources[name], backend), backend)
        for name in COLUMNS
    }
    return Tables(**found, backend=backend, engine=engine_name(backend), sources=sources)


def _read(backend: Backend, section: Section) -> Table:
    if section.parquet:
        return backend.read_parquet(section.parquet)
    *database, name = section.table.split(".")
    if database:
        return backend.table(name, database=".".join(database))
    return backend.table(name)


def _time(column: Expr) -> Expr:
    return column if column.type().is_timestamp() else column.cast("timestamp")


def _optional(table: Table, column: str | None, dtype: str) -> Expr:
    return table[column].cast(dtype) if column else null(dtype)


def _numbered(names: Expr, label: str) -> Table:
    """Each distinct non-blank name, numbered from 1 in name order."""
    table = names.name("name").as_table()
    distinct = table.filter(table.name.notnull() & (table.name != "")).distinct()
    return distinct.select(
        id=(ibis.row_number().over(order_by=distinct.name) + 1).cast("int64"),
        **{label: distinct.name},
    )


def _people(backend: Backend, mapping: SourceMapping, touch: Table, deals: Table) -> Table:
    oc = mapping.opportunities.columns
    first = touch.group_by("key").agg(first_at=touch.occurred_at.min())
    if mapping.people is not None:
        pc = mapping.people.columns
        table = _read(backend, mapping.people)
        keys = table.select(
            key=table[pc["person"]].cast("string"),
            given_at=_time(table[pc["created"]]) if "created" in pc else null("timestamp"),
            source=_optional(table, pc.get("source"), "string"),
        ).filter(ibis._.key.notnull())
        keys = keys.group_by("key").agg(given_at=keys.given_at.min(), source=keys.source.max())
    else:
        from_deals = deals.select(key=deals[oc["person"]].cast("string"))
        keys = (
            touch.select("key")
            .union(from_deals)
            .filter(ibis._.key.notnull())
            .distinct()
            .mutate(given_at=null("timestamp"), source=null("string"))
        )
    joined = keys.left_join(first, keys.key == first.key).select(
        key=keys.key,
        created_at=ibis.coalesce(keys.given_at, first.first_at),
        source=keys.source,
    )
    joined = checkpoint(joined, backend)
    return joined.select(
        key=joined.key,
        id=(ibis.row_number().over(order_by=joined.key) + 1).cast("int64"),
        account_id=null("int64"),
        stage=null("string"),
        stage_changed_at=null("timestamp"),
        source=joined.source,
        persona=null("string"),
        owner_id=null("int64"),
        fit_score=null("float64"),
        created_at=joined.created_at,
    )


def _opportunities(section: Section, deals: Table, oc: Mapping[str, str], person: Table) -> Table:
    stage = deals[oc["stage"]].cast("string")
    closed = _time(deals[oc["closed"]]) if "closed" in oc else null("timestamp")
    won = stage.isin(list(section.won))
    lost = stage.isin(list(section.lost)) if section.lost else ibis.literal(value=False)
    shaped = deals.select(
        raw_id=deals[oc["id"]].cast("string"),
        key=deals[oc["person"]].cast("string"),
        amount=deals[oc["amount"]].cast("float64"),
        stage=ibis.cases(
            (won, OpportunityStage.WON.value),
            (lost, OpportunityStage.LOST.value),
            else_=OpportunityStage.DISCOVERY.value,
        ),
        created_at=_time(deals[oc["created"]]),
        closed_at=ibis.ifelse(won | lost, closed, null("timestamp")),
    )
    people = person.select(pid="id", pkey="key")
    joined = shaped.left_join(people, shaped.key == people.pkey)
    return joined.select(
        id=(ibis.row_number().over(order_by=joined.raw_id) + 1).cast("int64"),
        account_id=null("int64"),
        primary_contact_id=joined.pid,
        amount=joined.amount,
        stage=joined.stage,
        close_date=joined.closed_at.date(),
        owner_id=null("int64"),
        source=null("string"),
        created_at=joined.created_at,
        closed_at=joined.closed_at,
    )


_NULL_TYPE = {
    "int": "int64",
    "float": "float64",
    "str": "string",
    "time": "timestamp",
    "date": "date",
}


def _empty(base: Table, name: str) -> Table:
    """An empty table with the columns of ``name``, on ``base``'s backend."""
    return base.limit(0).select(
        **{column: null(_NULL_TYPE[kind]) for column, kind in COLUMNS[name].items()}
    )
