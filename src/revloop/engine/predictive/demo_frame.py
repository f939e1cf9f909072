"""The people training frame: one row per person who reached a decision.

This is the frame the predictive engine learns from, built here from the demo
generator's tables; the Django side builds the same columns from the database.

Rows
    People who were handed to sales (reached MQL) and then decided: ``won`` is 1
    for customers, 0 for people disqualified or recycled after the handoff.
    People still somewhere in the funnel are left out: their outcome is unknown,
    and counting them as lost would teach the model that "recent" means "lost".

Columns (generic names; any of them may be missing, the engine types what it gets)
    ``person_id``                    dropped by the engine as an identifier
    ``title``, ``persona``, ``country``, ``source``   the person, first-touch channel
    ``free_email``, ``has_account``  booleans
    ``industry``, ``employee_count``, ``region``, ``tier``   the account
    ``fit_score``                    the rule fit score, when ``people`` has it (firmographic,
                                     so its current value is what it was at the handoff)
    ``touches_<label>``              touches before the handoff, by label
    ``touches_total``                all touches before the handoff
    ``days_to_handoff``              from ``created_at`` to the handoff
    ``created_at``                   the time column for a time-based split
    ``won``                          the target

Only what was known at the handoff goes in: touches are counted up to the MQL
moment, the person's current stage and owner are not columns at all, and the
rule scores stored on the person (recomputed later from later touches) are not
used. The touch label is the content kind when the touch has content (so a page
view of the pricing page is ``pricing_page``, a form for a demo
``demo_request``), else the touch type; a webinar the person registered for but
did not attend is ``webinar_missed``.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from revloop.engine.identity.freemail import free_mail_domains

TOUCH_PREFIX = "touches_"
TARGET = "won"
TIME_COLUMN = "created_at"
HANDOFF_STAGE = "mql"
WON_STAGES = frozenset({"customer"})
LOST_STAGES = frozenset({"disqualified", "recycled"})


def touch_labels(touches: pl.DataFrame) -> pl.Expr:
    """The label a touch is counted under: content kind, else type; missed webinars apart.

    Reads ``type`` and, when present, ``content_kind`` and ``properties`` (JSON text).
    """
    label = pl.col("type").cast(pl.String)
    if "content_kind" in touches.columns:
        label = pl.coalesce(pl.col("content_kind").cast(pl.String), label)
    if "properties" in touches.columns:
        missed = (pl.col("type").cast(pl.String) == "webinar") & ~pl.col("properties").cast(
            pl.String
        ).fill_null("").str.contains('"attended": *true')
        label = pl.when(missed).then(pl.lit("webinar_missed")).otherwise(label)
    return label


def touch_counts(touches: pl.DataFrame, cutoffs: pl.DataFrame) -> pl.DataFrame:
    """Per person, touches at or before their cutoff, one ``touches_<label>`` column each.

    ``touches``: ``person_id``, ``occurred_at``, ``type`` (+ optional ``content_kind``,
    ``properties``). ``cutoffs``: ``person_id``, ``cutoff``. Every person of
    ``cutoffs`` gets a row; labels nobody used before a cutoff get no column.
    """
    before = (
        touches.lazy()
        .filter(pl.col("person_id").is_not_null())
        .join(cutoffs.lazy(), on="person_id", how="inner")
        .filter(pl.col("occurred_at") <= pl.col("cutoff"))
        .select("person_id", touch_labels(touches).alias("label"))
        .collect()
    )
    if before.is_empty():
        return cutoffs.select("person_id").with_columns(pl.lit(0).alias(f"{TOUCH_PREFIX}total"))
    wide = (
        before.group_by("person_id", "label")
        .len()
        .pivot("label", index="person_id", values="len", sort_columns=True)
    )
    wide = wide.rename({c: TOUCH_PREFIX + c for c in wide.columns if c != "person_id"})
    counts = [c for c in wide.columns if c != "person_id"]
    return (
        cutoffs.select("person_id")
        .join(wide, on="person_id", how="left")
        .with_columns(pl.col(counts).fill_null(0).cast(pl.Int64))
        .with_columns(pl.sum_horizontal(counts).alias(f"{TOUCH_PREFIX}total"))
    )


def decided_people(transitions: pl.DataFrame, people: pl.DataFrame) -> pl.DataFrame:
    """``person_id``, ``handoff_at`` (first MQL), ``won`` for people handed off and decided."""
    handoff = (
        transitions.filter(pl.col("to_stage") == HANDOFF_STAGE)
        .group_by("person_id")
        .agg(pl.col("at").min().alias("handoff_at"))
    )
    stage = pl.col("stage")
    return (
        people.select(pl.col("id").alias("person_id"), "stage")
        .filter(stage.is_in(sorted(WON_STAGES | LOST_STAGES)))
        .join(handoff, on="person_id", how="inner")
        .select(
            "person_id", "handoff_at", stage.is_in(sorted(WON_STAGES)).cast(pl.Int8).alias(TARGET)
        )
    )


def people_feature_frame(
    people: pl.DataFrame,
    accounts: pl.DataFrame,
    touches: pl.DataFrame,
    transitions: pl.DataFrame,
    *,
    content: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The training frame (see the module docstring) from the tables' own columns.

    ``people``: ``people_person`` rows; ``accounts``: ``people_account``; ``touches``:
    ``activity_touch`` (``content_id`` is resolved to a kind through ``content``,
    the ``activity_contentasset`` rows, when given); ``transitions``:
    ``lifecycle_stagetransition`` (``person_id``, ``to_stage``, ``at``).
    """
    decided = decided_people(transitions, people)
    return feature_frame(
        people, accounts, touches, decided.rename({"handoff_at": "cutoff"}), content=content
    )


def open_people(transitions: pl.DataFrame, people: pl.DataFrame, now: object) -> pl.DataFrame:
    """``person_id``, ``cutoff`` for everyone not yet decided: the moment they were
    handed to sales if they were, else ``now`` — the same view the model learned from."""
    handoff = (
        transitions.filter(pl.col("to_stage") == HANDOFF_STAGE)
        .group_by("person_id")
        .agg(pl.col("at").min().alias("handoff_at"))
    )
    return (
        people.select(pl.col("id").alias("person_id"), "stage")
        .filter(~pl.col("stage").is_in(sorted(WON_STAGES | LOST_STAGES)))
        .join(handoff, on="person_id", how="left")
        .select("person_id", pl.col("handoff_at").fill_null(pl.lit(now)).alias("cutoff"))
    )


def feature_frame(
    people: pl.DataFrame,
    accounts: pl.DataFrame,
    touches: pl.DataFrame,
    cutoffs: pl.DataFrame,
    *,
    content: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per person of ``cutoffs`` (``person_id``, ``cutoff``, any other columns
    such as ``won`` are kept), with touches counted up to each person's cutoff."""
    if content is not None and "content_id" in touches.columns:
        kinds = content.select(
            pl.col("id").alias("content_id"), pl.col("kind").alias("content_kind")
        )
        touches = touches.join(kinds, on="content_id", how="left")
    counts = touch_counts(touches, cutoffs.select("person_id", "cutoff"))
    free = sorted(free_mail_domains())
    person = people.select(
        pl.col("id").alias("person_id"),
        "title",
        "persona",
        "country",
        "source",
        pl.col("email")
        .str.split("@")
        .list.last()
        .str.to_lowercase()
        .is_in(free)
        .alias("free_email"),
        pl.col("account_id").is_not_null().alias("has_account"),
        "account_id",
        "created_at",
        *(["fit_score"] if "fit_score" in people.columns else []),
    )
    account = accounts.select(
        pl.col("id").alias("account_id"), "industry", "employee_count", "region", "tier"
    )
    days = (pl.col("cutoff") - pl.col("created_at")).dt.total_seconds() / 86_400.0
    return (
        cutoffs.join(person, on="person_id", how="left")
        .join(account, on="account_id", how="left")
        .join(counts, on="person_id", how="left")
        .with_columns(days.clip(lower_bound=0.0).alias("days_to_handoff"))
        .drop("account_id", "cutoff")
        .sort("person_id")
    )


def demo_feature_frame(
    chunks: Iterable[dict[str, pl.DataFrame]],
    accounts: pl.DataFrame,
    content: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """:func:`people_feature_frame` over the demo generator's chunks, concatenated.

    Each chunk holds everything about its people, so chunks are built on their own
    and memory stays bounded by one chunk plus the (small) result.
    """
    parts = [
        people_feature_frame(
            frames["people_person"],
            accounts,
            frames["activity_touch"],
            frames["lifecycle_stagetransition"],
            content=content,
        )
        for frames in chunks
    ]
    if not parts:
        raise ValueError("no chunks: the demo company has no people")
    return pl.concat(parts, how="diagonal_relaxed").with_columns(
        pl.col(f"^{TOUCH_PREFIX}.*$").fill_null(0)
    )
