"""Put one demo company (or any frames named like the tables) on every engine.

The same polars frames go into a SQLite file laid out as Django lays it out (declared
types, datetimes as UTC text), a PostgreSQL schema of their own, Spark temporary
views and DuckDB, so tests compare the same figures everywhere. A polars reference
builds the attribution journeys from the frames directly, independently of the
queries under test.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from revloop.analytics.tables import stored_tables
from revloop.engine.analytics import COLUMNS, JourneyQuery, Tables, connect, load_tables
from revloop.engine.analytics.stages import RANK
from revloop.engine.attribution import Journeys, Outcomes, Touches, build_journeys
from revloop.engine.demo import DemoConfig, generate

Frames = dict[str, pl.DataFrame]
#: Where the Django apps store each analytics table: the frames here are named that way.
SOURCES = stored_tables()
NOW = datetime(2026, 11, 15, 12, tzinfo=UTC)
TABLES = (
    "users_user",
    "activity_campaign",
    "activity_contentasset",
    "people_account",
    "people_person",
    "activity_touch",
    "lifecycle_stagetransition",
    "pipeline_opportunity",
    "pipeline_opportunitycontact",
)


def demo_frames(leads: int, seed: int = 7) -> Frames:
    """Every analytics table of a generated demo company, as polars frames."""
    company = generate(DemoConfig(leads=leads, seed=seed, now=NOW))
    chunks: dict[str, list[pl.DataFrame]] = {}
    for chunk in company.chunks():
        for name, frame in chunk.frames.items():
            chunks.setdefault(name, []).append(frame)
    frames = {name: pl.concat(parts) for name, parts in chunks.items()}
    frames["activity_campaign"] = company.campaigns
    frames["activity_contentasset"] = company.content
    frames["people_account"] = company.accounts
    frames["users_user"] = pl.DataFrame(
        {"id": [u.key for u in company.users], "username": [u.username for u in company.users]},
        schema={"id": pl.Int64, "username": pl.String},
    )
    return {name: frames[name] for name in TABLES}


_DTYPES = {
    "int": pl.Int64,
    "float": pl.Float64,
    "str": pl.String,
    "time": pl.Datetime("us", "UTC"),
    "date": pl.Date,
}


def frames_from_rows(rows: Mapping[str, list[dict[str, Any]]]) -> Frames:
    """Complete frames for every analytics table from a few hand-written rows: each
    column the analytics read, typed, missing values empty text or NULL."""
    frames: Frames = {}
    for table, columns in COLUMNS.items():
        name = SOURCES[table].table
        given = rows.get(name, [])
        data = {
            column: [row.get(column, "" if kind == "str" else None) for row in given]
            for column, kind in columns.items()
        }
        frames[name] = pl.DataFrame(data, schema={c: _DTYPES[k] for c, k in columns.items()})
    return frames


# SQLite, as Django writes it -----------------------------------------------------------


# Declared types as Django's SQLite and PostgreSQL backends write them, by polars type.
_SQL_TYPES: dict[str, tuple[str, str]] = {
    "Int64": ("bigint", "bigint"),
    "Int32": ("bigint", "bigint"),
    "Float64": ("real", "double precision"),
    "Datetime": ("datetime", "timestamp with time zone"),
    "Date": ("date", "date"),
    "Decimal": ("decimal", "numeric(14, 2)"),
    "Boolean": ("bool", "boolean"),
}


def _sql_type(dtype: pl.DataType, engine: int) -> str:
    found = _SQL_TYPES.get(type(dtype).__name__)
    return found[engine] if found else ("varchar(255)", "text")[engine]


def _sqlite_type(dtype: pl.DataType) -> str:
    return _sql_type(dtype, 0)


def _django_sqlite_values(frame: pl.DataFrame) -> pl.DataFrame:
    """Values as Django's SQLite backend stores them: naive UTC datetimes as
    ``str(datetime)`` (no fraction when it is zero), dates ISO, decimals as text."""
    columns = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if isinstance(dtype, pl.Datetime):
            text = column.dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%d %H:%M:%S%.6f")
            columns.append(text.str.strip_suffix(".000000").alias(name))
        elif dtype == pl.Date:
            columns.append(column.dt.strftime("%Y-%m-%d").alias(name))
        elif isinstance(dtype, pl.Decimal):
            columns.append(column.cast(pl.String).alias(name))
        else:
            columns.append(column)
    return frame.select(columns)


def write_sqlite(frames: Mapping[str, pl.DataFrame], path: Path, prefix: str = "") -> None:
    connection = sqlite3.connect(path)
    try:
        for name, frame in frames.items():
            columns = [
                f'"{c}" integer NOT NULL PRIMARY KEY AUTOINCREMENT'
                if c == "id"
                else f'"{c}" {_sqlite_type(t)}'
                for c, t in frame.schema.items()
            ]
            connection.execute(f'CREATE TABLE "{prefix}{name}" ({", ".join(columns)})')
            marks = ", ".join("?" * frame.width)
            connection.executemany(
                f'INSERT INTO "{prefix}{name}" VALUES ({marks})',  # noqa: S608 - our own names
                _django_sqlite_values(frame).iter_rows(),
            )
            # Django indexes every foreign key.
            for column in frame.columns:
                if column.endswith("_id"):
                    connection.execute(
                        f'CREATE INDEX "{prefix}{name}_{column}" ON "{prefix}{name}" ("{column}")'
                    )
        connection.commit()
    finally:
        connection.close()


def sqlite_tables(frames: Mapping[str, pl.DataFrame], path: Path) -> Tables:
    write_sqlite(frames, path)
    return load_tables(connect(f"sqlite:///{path}"), SOURCES)


# PostgreSQL, in a schema of its own -----------------------------------------------------


def _postgres_type(dtype: pl.DataType) -> str:
    return _sql_type(dtype, 1)


@contextmanager
def postgres_tables(frames: Mapping[str, pl.DataFrame], url: str) -> Iterator[Tables]:
    """The frames in a fresh schema of the database at ``url``, dropped afterwards."""
    import psycopg

    schema = f"revloop_analytics_test_{np.random.default_rng().integers(1 << 40):x}"
    url = url.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
        try:
            for name, frame in frames.items():
                columns = ", ".join(f'"{c}" {_postgres_type(t)}' for c, t in frame.schema.items())
                connection.execute(f'CREATE TABLE "{schema}"."{name}" ({columns})')
                names = ", ".join(f'"{c}"' for c in frame.columns)
                with connection.cursor().copy(
                    f'COPY "{schema}"."{name}" ({names}) FROM STDIN'
                ) as copy:
                    for row in frame.iter_rows():
                        copy.write_row(row)
            backend = connect(url)
            try:
                yield load_tables(backend, SOURCES, database=schema)
            finally:
                backend.disconnect()
        finally:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


def postgres_url(raw: str | None) -> str | None:
    """A reachable PostgreSQL URL: ``raw`` itself, or the server's ``postgres``
    database when ``raw`` names a database that does not exist (CI's DATABASE_URL
    names the one Django creates its test database next to)."""
    if not raw or not raw.startswith(("postgres://", "postgresql://")):
        return None
    import psycopg

    url = raw.replace("postgres://", "postgresql://", 1)
    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error):
            return None
        base, _, _ = url.rpartition("/")
        url = f"{base}/postgres"
        try:
            psycopg.connect(url, connect_timeout=5).close()
        except psycopg.OperationalError:
            return None
    return url


# Spark and DuckDB -----------------------------------------------------------------------


def spark_tables(frames: Mapping[str, pl.DataFrame], session: Any, prefix: str) -> Tables:
    for name, frame in frames.items():
        session.createDataFrame(frame.to_arrow()).createOrReplaceTempView(prefix + name)
    return load_tables(connect(session), SOURCES, prefix=prefix)


# The reference: journeys built from the frames by polars ------------------------------


def _labels(frames: Mapping[str, pl.DataFrame], level: str) -> pl.DataFrame:
    touch = frames["activity_touch"].filter(pl.col("person_id").is_not_null())
    if level == "channel":
        labelled = touch.with_columns(label=pl.col("channel"))
    elif level == "campaign":
        names = frames["activity_campaign"].select(campaign_id="id", label="name")
        labelled = touch.join(names, on="campaign_id")
    else:
        content = frames["activity_contentasset"]
        repeated = pl.col("title").count().over("title") > 1
        titles = content.select(
            content_id="id",
            label=pl.when(repeated)
            .then(pl.col("title") + " (#" + pl.col("id").cast(pl.String) + ")")
            .otherwise(pl.col("title")),
        )
        labelled = touch.join(titles, on="content_id")
    return labelled.filter(pl.col("label").is_not_null() & (pl.col("label") != "")).select(
        "person_id", touch_id="id", at="occurred_at", label="label"
    )


def reference_outcomes(
    frames: Mapping[str, pl.DataFrame], query: JourneyQuery
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(journey, converted_at, value, lead_at, opportunity_at), (journey, person_id)."""
    person = frames["people_person"]
    if query.outcome == "mql":
        transitions = frames["lifecycle_stagetransition"].select(
            "person_id", stage="to_stage", at="at"
        )
        current = person.select(person_id="id", stage="stage", at="stage_changed_at")
        events = pl.concat([transitions, current]).with_columns(
            rank=pl.col("stage").replace_strict(RANK, default=None, return_dtype=pl.Int64)
        )
        first = (
            events.filter(pl.col("rank") >= 1)
            .group_by("person_id")
            .agg(converted_at=pl.col("at").min())
        )
        converting = first.join(person, left_on="person_id", right_on="id").select(
            journey="person_id",
            converted_at="converted_at",
            value=pl.lit(1.0),
            lead_at="created_at",
            opportunity_at=pl.lit(None, dtype=pl.Datetime("us", "UTC")),
        )
        return converting, converting.select("journey", person_id="journey")
    opportunity = frames["pipeline_opportunity"].with_columns(
        amount=pl.col("amount").cast(pl.Float64)
    )
    if query.outcome == "revenue":
        opportunity = opportunity.filter(pl.col("stage") == "won").with_columns(
            converted_at=pl.coalesce(
                "closed_at", pl.col("close_date").cast(pl.Datetime("us", "UTC"))
            )
        )
    else:
        opportunity = opportunity.with_columns(converted_at=pl.col("created_at"))
    opportunity = opportunity.with_columns(journey=-pl.col("id"))
    primary = opportunity.filter(pl.col("primary_contact_id").is_not_null()).select(
        "journey", person_id="primary_contact_id"
    )
    if query.contacts == "primary":
        members = primary
    else:
        listed = (
            frames["pipeline_opportunitycontact"]
            .with_columns(journey=-pl.col("opportunity_id"))
            .join(opportunity.select("journey"), on="journey")
            .select("journey", "person_id")
        )
        members = pl.concat([listed, primary]).unique()
    lead = (
        members.join(person.select(person_id="id", created="created_at"), on="person_id")
        .group_by("journey")
        .agg(lead_at=pl.col("created").min())
    )
    converting = opportunity.join(lead, on="journey", how="left").select(
        "journey",
        "converted_at",
        value=pl.col("amount").fill_null(0.0),
        lead_at="lead_at",
        opportunity_at="created_at",
    )
    return converting, members


def reference_journeys(frames: Mapping[str, pl.DataFrame], query: JourneyQuery) -> Journeys:
    """``build_journeys`` over touches and outcomes assembled by polars."""
    converting, members = reference_outcomes(frames, query)
    touches = _labels(frames, query.level)
    in_journeys = members.join(touches, on="person_id").select("journey", "touch_id", "at", "label")
    alone = touches.join(members, on="person_id", how="anti").select(
        journey="person_id", touch_id="touch_id", at="at", label="label"
    )
    rows = pl.concat([in_journeys, alone]).sort("touch_id")

    def times(series: pl.Series) -> np.ndarray[Any, Any]:
        return series.dt.replace_time_zone(None).to_numpy().astype("datetime64[us]")

    return build_journeys(
        Touches(
            journey=rows["journey"].to_numpy(),
            at=times(rows["at"]),
            label=rows["label"].to_numpy(),
        ),
        Outcomes(
            journey=converting["journey"].to_numpy(),
            converted=np.ones(converting.height, dtype=bool),
            converted_at=times(converting["converted_at"]),
            value=converting["value"].to_numpy().astype(np.float64),
            lead_created_at=times(converting["lead_at"]),
            opportunity_created_at=times(converting["opportunity_at"]),
        ),
        lookback=None if query.lookback_days is None else timedelta(days=query.lookback_days),
    )
