"""Duplicate people: find them across a whole table in one pass, and plan their merges.

Finding (:func:`find_duplicates`) groups rows by exact keys in polars; there are no
pairwise comparisons, so a million people take seconds, not the hours that pairwise
tools need. The keys:

``email``
    the canonical email (:mod:`.email`): ``Jo.Doe+news@GMAIL.com`` and
    ``jodoe@gmail.com`` are one person. Always on.
``name``
    (opt-in, ``by_name_and_account=True``) the same first and last name (NFKC,
    case-folded, spaces collapsed) at the same account. Off by default because two
    real colleagues can share a name at a large account; a person without an account
    or without both names never matches this way.

Rows linked by any key end up in one cluster (connected components), so a person
with two spellings of the email and a name match is still one cluster.

**Survivor rule** (who stays, the others are merged into it): the oldest
``created_at`` (unknown counts as newest), then the most touches (when counts are
given), then the lowest id. The same rule decides in :func:`find_duplicates` and
:func:`plan_merge`, so a plan made from a cluster keeps the cluster's survivor.

**Merging** (:func:`plan_merge`) is pure data: it says which fields of the survivor to
change and what each loser had that was not kept. Field by field, in survivor-rule
order: the survivor keeps every non-empty value of its own; an empty one (``None``,
blank text, empty list or dict) is filled from the first loser that has a value; dict
fields (JSON properties) are merged key by key the same way. A field listed in
``resolvers`` is decided by its resolver instead (``created_at`` takes the earliest by
default). Every loser value that differs from the value kept (text compared without
case and surrounding spaces) is reported as a :class:`FieldConflict`, so the merge
record shows everything that was not carried over; nothing is dropped silently.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from revloop.engine.identity.email import (
    FAST_ASCII_EMAIL,
    PROVIDER_RULES,
    InvalidEmail,
    normalize_email,
)
from revloop.engine.vocabulary import SUCCESS_PATH, LifecycleStage

PersonId = int | str
Resolver = Callable[[Sequence[Any]], Any]

# Fields a merge never touches: identity, bookkeeping, and scores that are recomputed
# for the survivor after the merge anyway.
DEFAULT_SKIP_FIELDS: frozenset[str] = frozenset(
    {
        "id",
        "pk",
        "updated_at",
        "rule_score",
        "fit_score",
        "engagement_score",
        "predicted_probability",
    }
)

# The polars twin of email.py's fast path; everything it rejects goes through
# normalize_email itself.
_FAST_EMAIL = FAST_ASCII_EMAIL
_MAX_ADDRESS = 254


@dataclass(frozen=True, slots=True)
class PeopleColumns:
    """Column names of the people frame given to :func:`find_duplicates`."""

    id: str = "id"
    email: str = "email"
    created_at: str = "created_at"
    touch_count: str = "touch_count"
    first_name: str = "first_name"
    last_name: str = "last_name"
    account_id: str = "account_id"


@dataclass(frozen=True, slots=True)
class DuplicateCluster:
    """People who are one person: the survivor, the losers (best first) and the shared keys.

    ``keys`` name what linked them, e.g. ``email:jodoe@gmail.com`` or
    ``name:42:jo|doe`` (account 42, first and last name).
    """

    survivor_id: PersonId
    loser_ids: tuple[PersonId, ...]
    keys: tuple[str, ...]

    @property
    def member_ids(self) -> tuple[PersonId, ...]:
        return (self.survivor_id, *self.loser_ids)


def canonical_email_series(emails: pl.Series) -> pl.Series:
    """The canonical email of every value (null where the value is not a usable email).

    Equals ``normalize_email(value).canonical`` row by row. Plain ASCII addresses are
    done in polars; the rest (Unicode, odd spacing, invalid values) go through
    :func:`normalize_email` once per distinct value.
    """
    frame = pl.DataFrame({"raw": emails.cast(pl.Utf8)})
    local = pl.col("raw").str.extract(_FAST_EMAIL, 1).str.to_lowercase()
    domain = pl.col("raw").str.extract(_FAST_EMAIL, 2).str.to_lowercase()
    plus = [d for d, rule in PROVIDER_RULES.items() if rule.strip_plus]
    dots = [d for d, rule in PROVIDER_RULES.items() if rule.strip_dots]
    aliases = {d: r.canonical_domain for d, r in PROVIDER_RULES.items() if r.canonical_domain}
    base = (
        pl.when(pl.col("domain").is_in(plus))
        .then(pl.col("local").str.replace(r"\+.*$", ""))
        .otherwise(pl.col("local"))
    )
    base = (
        pl.when(pl.col("domain").is_in(dots))
        .then(base.str.replace_all(".", "", literal=True))
        .otherwise(base)
    )
    base = pl.when(base == "").then(pl.col("local")).otherwise(base)
    fast = (
        frame.with_columns(local=local, domain=domain)
        .with_columns(
            fast=pl.when(
                (pl.col("local").str.len_bytes() + pl.col("domain").str.len_bytes() + 1)
                <= _MAX_ADDRESS
            ).then(base + "@" + pl.col("domain").replace(aliases))
        )
        .get_column("fast")
    )
    slow_mask = fast.is_null() & frame.get_column("raw").is_not_null()
    if not slow_mask.any():
        return fast.alias(emails.name)
    slow_values = frame.get_column("raw").filter(slow_mask).unique().to_list()
    slow = {value: _canonical_or_none(value) for value in slow_values}
    from_slow = frame.get_column("raw").replace_strict(slow, default=None, return_dtype=pl.Utf8)
    return fast.fill_null(from_slow).alias(emails.name)


def _canonical_or_none(value: str) -> str | None:
    try:
        return normalize_email(value).canonical
    except InvalidEmail:
        return None


def _name_key(columns: PeopleColumns) -> pl.Expr:
    def clean(name: str) -> pl.Expr:
        return (
            pl.col(name)
            .cast(pl.Utf8)
            .str.normalize("NFKC")
            .str.to_lowercase()
            .str.replace_all(r"\s+", " ")
            .str.strip_chars()
        )

    first, last = clean(columns.first_name), clean(columns.last_name)
    usable = pl.col(columns.account_id).is_not_null() & (first != "") & (last != "")
    return pl.when(usable).then(
        pl.concat_str(
            [
                pl.lit("name:"),
                pl.col(columns.account_id).cast(pl.Utf8),
                pl.lit(":"),
                first,
                pl.lit("|"),
                last,
            ]
        )
    )


def find_duplicates(
    people: pl.DataFrame,
    *,
    by_name_and_account: bool = False,
    columns: PeopleColumns | None = None,
) -> list[DuplicateCluster]:
    """Every cluster of duplicate people in ``people``, survivors chosen (module doc).

    ``people`` needs the id and email columns; ``created_at`` and ``touch_count`` are
    used for the survivor rule when present; first/last name and account id are needed
    for ``by_name_and_account``. Clusters come sorted by survivor id.
    """
    cols = columns or PeopleColumns()
    keyed = people.select(
        pl.col(cols.id).alias("id"),
        ("email:" + canonical_email_series(people.get_column(cols.email))).alias("email_key"),
        *([_name_key(cols).alias("name_key")] if by_name_and_account else []),
    )
    key_columns = ["email_key", "name_key"] if by_name_and_account else ["email_key"]
    groups = [_groups(keyed, key) for key in key_columns]
    clusters = groups[0] if len(groups) == 1 else _connected(groups[0].vstack(groups[1]))
    if clusters.height == 0:
        return []
    return _rank(people, clusters, cols)


def _groups(keyed: pl.DataFrame, key: str) -> pl.DataFrame:
    """(key, ids) for every key value shared by more than one row."""
    return (
        keyed.filter(pl.col(key).is_not_null())
        .group_by(key)
        .agg(pl.col("id").alias("ids"))
        .filter(pl.col("ids").list.len() > 1)
        .select(pl.col(key).alias("key"), "ids")
    )


def _connected(groups: pl.DataFrame) -> pl.DataFrame:
    """Merge overlapping groups into clusters (union-find over the few duplicate rows)."""
    parent: dict[Any, Any] = {}

    def find(item: Any) -> Any:
        root = item
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[item] != root:  # path compression keeps later finds flat
            parent[item], item = root, parent[item]
        return root

    keys_of: dict[Any, list[str]] = defaultdict(list)
    for key, ids in groups.iter_rows():
        head = find(ids[0])
        for other in ids[1:]:
            root = find(other)
            if root != head:
                parent[root] = head
        keys_of[ids[0]].append(key)
    members: dict[Any, list[Any]] = defaultdict(list)
    for item in list(parent):
        members[find(item)].append(item)
    cluster_keys: dict[Any, list[str]] = defaultdict(list)
    for first, keys in keys_of.items():
        cluster_keys[find(first)].extend(keys)
    roots = list(members)
    return pl.DataFrame(
        {
            "key": [sorted(cluster_keys[r]) for r in roots],
            "ids": [members[r] for r in roots],
        },
        schema={"key": pl.List(pl.Utf8), "ids": pl.List(groups.schema["ids"].inner)},  # type: ignore[attr-defined]
    )


def _rank(
    people: pl.DataFrame, clusters: pl.DataFrame, cols: PeopleColumns
) -> list[DuplicateCluster]:
    keys = clusters.get_column("key")
    if keys.dtype != pl.List(pl.Utf8):
        clusters = clusters.with_columns(pl.concat_list("key").alias("key"))
    members = clusters.with_row_index("cluster").explode("ids").rename({"ids": "id"})
    wanted = [c for c in (cols.created_at, cols.touch_count) if c in people.columns]
    attrs = people.select(pl.col(cols.id).alias("id"), *[pl.col(c) for c in wanted])
    ranked = members.join(attrs, on="id", how="left").unique(["cluster", "id"], keep="first")
    by = ["cluster"]
    descending = [False]
    if cols.created_at in wanted:
        by.append(cols.created_at)
        descending.append(False)
    if cols.touch_count in wanted:
        ranked = ranked.with_columns(pl.col(cols.touch_count).fill_null(0))
        by.append(cols.touch_count)
        descending.append(True)
    by.append("id")
    descending.append(False)
    ordered = (
        ranked.sort(by, descending=descending, nulls_last=True)
        .group_by("cluster", maintain_order=True)
        .agg(pl.col("id"), pl.col("key").first())
    )
    result = [
        DuplicateCluster(survivor_id=ids[0], loser_ids=tuple(ids[1:]), keys=tuple(key))
        for _, ids, key in ordered.iter_rows()
    ]
    result.sort(key=lambda c: _id_key(c.survivor_id))
    return result


def _id_key(value: PersonId) -> tuple[int, int, str]:
    if isinstance(value, int):
        return (0, value, "")
    return (1, 0, value)


# -- merge plans ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldConflict:
    """A field where losers had values that were not kept (``discarded``: (id, value))."""

    field: str
    kept: Any
    discarded: tuple[tuple[PersonId, Any], ...]


@dataclass(frozen=True, slots=True)
class MergePlan:
    """What merging ``loser_ids`` into ``survivor_id`` does to the survivor's fields.

    ``updates`` holds only the fields whose value changes; ``filled_from`` says which
    loser each filled field came from (dict fields: ``field.key``); ``conflicts`` lists
    loser values that were not kept. Applying it is the caller's job: write
    ``updates``, move every touch, transition and note of the losers to the survivor,
    record the merge with the conflicts, then remove the losers.
    """

    survivor_id: PersonId
    loser_ids: tuple[PersonId, ...]
    updates: Mapping[str, Any]
    filled_from: Mapping[str, PersonId]
    conflicts: tuple[FieldConflict, ...]
    keys: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly summary for the merge record (values as ``str``)."""
        return {
            "survivor_id": self.survivor_id,
            "loser_ids": list(self.loser_ids),
            "keys": list(self.keys),
            "updated_fields": sorted(self.updates),
            "filled_from": dict(self.filled_from),
            "conflicts": [
                {
                    "field": c.field,
                    "kept": _jsonable(c.kept),
                    "discarded": [{"id": i, "value": _jsonable(v)} for i, v in c.discarded],
                }
                for c in self.conflicts
            ],
        }


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)


def earliest(values: Sequence[Any]) -> Any:
    """Resolver: the smallest value (the first time anyone saw this person)."""
    return min(values)


def furthest_lifecycle_stage(values: Sequence[Any]) -> Any:
    """Resolver for ``stage``: the stage furthest along the success path.

    Disqualified and Recycled rank below Lead: a merged person who is an opportunity in
    one record and disqualified in a stale duplicate stays an opportunity. The losing
    stages are still reported as conflicts.
    """
    order = {stage.value: rank for rank, stage in enumerate(SUCCESS_PATH)}
    order[LifecycleStage.RECYCLED.value] = -1
    order[LifecycleStage.DISQUALIFIED.value] = -2
    return max(values, key=lambda v: order.get(str(v), -3))


DEFAULT_RESOLVERS: Mapping[str, Resolver] = {"created_at": earliest}
# Resolvers whose outcome loses nothing worth recording: a later "created" time of a
# duplicate is not information about the person, so it is not reported as a conflict.
_LOSSLESS: frozenset[Resolver] = frozenset({earliest})


def rank_people(
    records: Sequence[Mapping[str, Any]],
    *,
    id_field: str = "id",
    created_field: str = "created_at",
    touch_counts: Mapping[PersonId, int] | None = None,
) -> list[Mapping[str, Any]]:
    """``records`` in survivor-rule order: oldest, then most touches, then lowest id."""

    def key(record: Mapping[str, Any]) -> tuple[Any, ...]:
        created = record.get(created_field)
        touches = (touch_counts or {}).get(record[id_field], 0)
        return (
            created is None,
            created if created is not None else 0,
            -touches,
            _id_key(record[id_field]),
        )

    return sorted(records, key=key)


def plan_merge(
    records: Sequence[Mapping[str, Any]],
    *,
    survivor_id: PersonId | None = None,
    touch_counts: Mapping[PersonId, int] | None = None,
    id_field: str = "id",
    created_field: str = "created_at",
    skip_fields: Iterable[str] = DEFAULT_SKIP_FIELDS,
    resolvers: Mapping[str, Resolver] | None = None,
    keys: Sequence[str] = (),
) -> MergePlan:
    """Plan the merge of ``records`` (two or more people, each a field → value mapping).

    ``survivor_id`` forces the survivor (a manual ``people merge A B``); otherwise the
    survivor rule picks it. Losers are used in survivor-rule order. ``resolvers`` are
    added to :data:`DEFAULT_RESOLVERS` (pass ``furthest_lifecycle_stage`` for ``stage``).
    """
    rules = {**DEFAULT_RESOLVERS, **(resolvers or {})}
    if len(records) < 2:
        raise ValueError("a merge needs at least two records")
    ids = [r[id_field] for r in records]
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate ids in the records to merge: {ids}")
    ordered = rank_people(
        records, id_field=id_field, created_field=created_field, touch_counts=touch_counts
    )
    if survivor_id is not None:
        chosen = [r for r in ordered if r[id_field] == survivor_id]
        if not chosen:
            raise ValueError(f"survivor {survivor_id!r} is not among the records")
        ordered = chosen + [r for r in ordered if r[id_field] != survivor_id]
    survivor, losers = ordered[0], ordered[1:]
    skip = set(skip_fields) | {id_field}
    fields = [f for f in _field_order(ordered) if f not in skip]
    resolution = _Resolution(survivor[id_field])
    for name in fields:
        entries = [(r[id_field], r.get(name)) for r in ordered]
        if name in rules:
            resolution.resolve(name, entries, rules[name])
        elif all(isinstance(v, Mapping) or _is_empty(v) for _, v in entries) and any(
            isinstance(v, Mapping) for _, v in entries
        ):
            resolution.merge_mapping(name, entries)
        else:
            resolution.fill(name, entries)
    return MergePlan(
        survivor_id=survivor[id_field],
        loser_ids=tuple(r[id_field] for r in losers),
        updates=resolution.updates,
        filled_from=resolution.filled_from,
        conflicts=tuple(resolution.conflicts),
        keys=tuple(keys),
    )


def plan_merges(
    clusters: Iterable[DuplicateCluster],
    records: Mapping[PersonId, Mapping[str, Any]],
    **options: Any,
) -> Iterator[MergePlan]:
    """One plan per cluster, keeping each cluster's survivor; ``records`` keyed by id."""
    for cluster in clusters:
        yield plan_merge(
            [records[i] for i in cluster.member_ids],
            survivor_id=cluster.survivor_id,
            keys=cluster.keys,
            **options,
        )


def _field_order(records: Sequence[Mapping[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for record in records:
        seen.update(dict.fromkeys(record))
    return list(seen)


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | dict | set | frozenset):
        return len(value) == 0
    return False


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.strip().casefold() == b.strip().casefold()
    try:
        return bool(a == b)
    except Exception:  # exotic values that refuse comparison count as different
        return False


@dataclass
class _Resolution:
    survivor_id: PersonId
    updates: dict[str, Any] = field(default_factory=dict)
    filled_from: dict[str, PersonId] = field(default_factory=dict)
    conflicts: list[FieldConflict] = field(default_factory=list)

    def fill(self, name: str, entries: list[tuple[PersonId, Any]]) -> None:
        present = [(i, v) for i, v in entries if not _is_empty(v)]
        if not present:
            return
        source, kept = present[0]
        if source != self.survivor_id:
            self.updates[name] = kept
            self.filled_from[name] = source
        self._report(name, kept, source, present)

    def resolve(self, name: str, entries: list[tuple[PersonId, Any]], resolver: Resolver) -> None:
        present = [(i, v) for i, v in entries if not _is_empty(v)]
        if not present:
            return
        kept = resolver([v for _, v in present])
        source = next(i for i, v in present if _same(v, kept))
        current = entries[0][1]
        if _is_empty(current) or not _same(current, kept):
            self.updates[name] = kept
            self.filled_from[name] = source
        if resolver not in _LOSSLESS:
            self._report(name, kept, source, present)

    def merge_mapping(self, name: str, entries: list[tuple[PersonId, Any]]) -> None:
        current = entries[0][1]
        merged: dict[str, Any] = dict(current) if isinstance(current, Mapping) else {}
        origin: dict[str, PersonId] = dict.fromkeys(merged, self.survivor_id)
        losers: dict[str, list[tuple[PersonId, Any]]] = defaultdict(list)
        for person_id, value in entries[1:]:
            if not isinstance(value, Mapping):
                continue
            for key, item in value.items():
                if _is_empty(merged.get(key)) and not _is_empty(item):
                    merged[key] = item
                    origin[key] = person_id
                    self.filled_from[f"{name}.{key}"] = person_id
                else:
                    losers[key].append((person_id, item))
        for key, items in losers.items():
            dropped = tuple(
                (i, v) for i, v in items if not _is_empty(v) and not _same(v, merged[key])
            )
            if dropped:
                self.conflicts.append(FieldConflict(f"{name}.{key}", merged[key], dropped))
        if merged != (dict(current) if isinstance(current, Mapping) else {}):
            self.updates[name] = merged

    def _report(
        self, name: str, kept: Any, source: PersonId, present: list[tuple[PersonId, Any]]
    ) -> None:
        dropped = tuple((i, v) for i, v in present if i != source and not _same(v, kept))
        if dropped:
            self.conflicts.append(FieldConflict(name, kept, dropped))
