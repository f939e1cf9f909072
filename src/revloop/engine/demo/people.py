"""Who the leads of one chunk are: kind, account, persona, contact data, source, intent."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from revloop.engine.demo import names
from revloop.engine.demo.accounts import EMAIL_PATTERNS, Accounts
from revloop.engine.demo.arrays import F64, I64, Bool, draw, strings
from revloop.engine.vocabulary import Channel

#: Kinds of lead. Only corporate leads can buy; the others are the noise every
#: B2B database has.
CORPORATE, FREE_MAIL, STUDENT, COMPETITOR, BAD_DATA = range(5)
KIND_NAMES = ("corporate", "free_mail", "student", "competitor", "bad_data")
KIND_WEIGHTS = (81.5, 12.0, 3.0, 1.5, 2.0)
#: Share of people with an earlier colleague at the account who are entered twice.
DUPLICATE_RATE = 0.05

PERSONA_NAMES: tuple[str, ...] = (*(p.name for p in names.PERSONAS), "student", "")
STUDENT_PERSONA = PERSONA_NAMES.index("student")
NO_PERSONA = PERSONA_NAMES.index("")
OTHER_PERSONA = PERSONA_NAMES.index("other")

CHANNELS: tuple[Channel, ...] = tuple(Channel)
# Where each kind of lead comes from (weights over CHANNELS; email is never a
# first touch because the company needs an address before it can send mail).
_SOURCE_WEIGHTS: dict[str, dict[Channel, float]] = {
    "non_icp": {
        Channel.ORGANIC_SEARCH: 26,
        Channel.PAID_SEARCH: 14,
        Channel.PAID_SOCIAL: 14,
        Channel.EVENTS: 5,
        Channel.WEBINARS: 8,
        Channel.CONTENT_SYNDICATION: 11,
        Channel.REFERRAL: 5,
        Channel.DIRECT: 10,
    },
    "icp": {
        Channel.ORGANIC_SEARCH: 20,
        Channel.PAID_SEARCH: 16,
        Channel.PAID_SOCIAL: 10,
        Channel.EVENTS: 10,
        Channel.WEBINARS: 10,
        Channel.CONTENT_SYNDICATION: 8,
        Channel.REFERRAL: 11,
        Channel.DIRECT: 12,
    },
    "free_mail": {
        Channel.ORGANIC_SEARCH: 30,
        Channel.PAID_SEARCH: 10,
        Channel.PAID_SOCIAL: 25,
        Channel.WEBINARS: 10,
        Channel.CONTENT_SYNDICATION: 15,
        Channel.DIRECT: 10,
    },
    "student": {
        Channel.ORGANIC_SEARCH: 35,
        Channel.PAID_SOCIAL: 25,
        Channel.CONTENT_SYNDICATION: 25,
        Channel.WEBINARS: 10,
        Channel.DIRECT: 5,
    },
    "competitor": {
        Channel.ORGANIC_SEARCH: 20,
        Channel.WEBINARS: 35,
        Channel.DIRECT: 25,
        Channel.PAID_SEARCH: 20,
    },
    "bad_data": {
        Channel.PAID_SOCIAL: 40,
        Channel.CONTENT_SYNDICATION: 30,
        Channel.ORGANIC_SEARCH: 20,
        Channel.PAID_SEARCH: 10,
    },
}
#: How a source shifts buying intent (intent drives behaviour, not outcomes).
_SOURCE_INTENT: dict[Channel, float] = {
    Channel.REFERRAL: 0.5,
    Channel.EVENTS: 0.6,
    Channel.DIRECT: 0.3,
    Channel.PAID_SEARCH: 0.2,
    Channel.WEBINARS: 0.1,
    Channel.PAID_SOCIAL: -0.3,
    Channel.CONTENT_SYNDICATION: -0.4,
}
_PERSONA_INTENT = {
    "executive": 0.2,
    "operations": 0.2,
    "finance": 0.1,
    "marketing": -0.3,
    "other": -0.2,
    "student": -0.5,
    "": -0.5,
}


@dataclass(frozen=True)
class People:
    n: int
    kind: I64
    duplicate: Bool
    #: Global account index, -1 for people without one.
    account: I64
    icp: Bool
    persona: I64
    country: I64
    region: I64
    source: I64
    intent: F64
    email_allowed: Bool
    consent: I64
    email: pl.Series
    first_name: pl.Series
    last_name: pl.Series
    title: pl.Series
    phone: pl.Series


def build_people(
    rng: np.random.Generator, n: int, first_id: int, chunk: int, accounts: Accounts
) -> People:
    kind = draw(rng, np.array(KIND_WEIGHTS), n)
    corporate = kind == CORPORATE

    # Bigger companies have more people who find the company's marketing.
    start, size = int(accounts.block_start[chunk]), int(accounts.block_size[chunk])
    block_weights = accounts.employees[start : start + size].astype(np.float64) ** 0.3
    account = np.where(corporate, start + draw(rng, block_weights, n), -1)
    competitor = kind == COMPETITOR
    account = np.where(competitor, rng.integers(0, accounts.n_competitors, n), account)
    has_account = account >= 0
    icp = np.where(has_account, accounts.icp[np.maximum(account, 0)], False)

    country = np.where(
        has_account,
        accounts.country[np.maximum(account, 0)],
        draw(rng, np.array([c.weight for c in names.COUNTRIES]), n),
    )
    region = np.array([names.REGIONS.index(c.region) for c in names.COUNTRIES])[country]

    persona = draw(rng, np.array([p.weight for p in names.PERSONAS]), n)
    persona = np.where(kind == STUDENT, STUDENT_PERSONA, persona)
    persona = np.where(kind == COMPETITOR, OTHER_PERSONA, persona)
    persona = np.where(kind == BAD_DATA, NO_PERSONA, persona)

    first = rng.integers(0, len(names.FIRST_NAMES), n)
    last = rng.integers(0, len(names.LAST_NAMES), n)
    # A duplicate is the same person entered again under another address: it takes
    # the name of the previous person at the same account.
    by_account = np.lexsort((np.arange(n), account))
    previous = np.full(n, -1, dtype=np.int64)
    same = account[by_account[1:]] == account[by_account[:-1]]
    previous[by_account[1:][same]] = by_account[:-1][same]
    duplicate = corporate & (previous >= 0) & (rng.random(n) < DUPLICATE_RATE)
    first = np.where(duplicate, first[np.maximum(previous, 0)], first)
    last = np.where(duplicate, last[np.maximum(previous, 0)], last)

    source = _sources(rng, kind, icp)
    intent = (
        rng.standard_normal(n)
        + 0.5 * icp
        + np.array([_SOURCE_INTENT.get(c, 0.0) for c in CHANNELS])[source]
        + np.array([_PERSONA_INTENT.get(p, 0.0) for p in PERSONA_NAMES])[persona]
    )
    consent = _consent(rng, region)
    # Junk addresses bounce and people who said no get no marketing email.
    email_allowed = (kind != BAD_DATA) & (consent != 2)

    frame = pl.DataFrame(
        {
            "first": strings(names.FIRST_NAMES, first),
            "last": strings(names.LAST_NAMES, last),
            "junk_first": strings(names.JUNK_FIRST_NAMES, rng.integers(0, 6, n)),
            "junk_last": strings(names.JUNK_LAST_NAMES, rng.integers(0, 6, n)),
            "kind": kind,
            "pattern": np.where(
                has_account & (kind == CORPORATE),
                (accounts.email_pattern[np.maximum(account, 0)] + duplicate) % EMAIL_PATTERNS,
                -1,
            ),
            "gid": np.arange(first_id, first_id + n, dtype=np.int64),
            "domain": _domains(rng, kind, account, accounts),
            "capital": rng.random(n) < 0.04,
        }
    )
    f, la = pl.col("first").str.to_lowercase(), pl.col("last").str.to_lowercase()
    gid = pl.col("gid").cast(pl.String)
    local = (
        pl.when(pl.col("kind") == BAD_DATA)
        .then(pl.concat_str(pl.col("junk_first").str.to_lowercase(), gid))
        .when(pl.col("kind") == STUDENT)
        .then(pl.concat_str(f.str.slice(0, 1), la, gid))
        .when(pl.col("kind") != CORPORATE)
        .then(pl.concat_str(f, pl.lit("."), la, gid))
        .when(pl.col("pattern") == 0)
        .then(pl.concat_str(f, pl.lit("."), la))
        .when(pl.col("pattern") == 1)
        .then(pl.concat_str(f.str.slice(0, 1), la))
        .when(pl.col("pattern") == 2)
        .then(pl.concat_str(f, pl.lit("_"), la))
        .otherwise(pl.concat_str(f, la.str.slice(0, 1)))
    )
    # Two people with one name at one company: the later one got a number.
    frame = frame.with_columns(local=local)
    taken = pl.int_range(pl.len()).over(pl.col("local"), pl.col("domain"))
    local = pl.concat_str(
        pl.col("local"), pl.when(taken > 0).then((taken + 1).cast(pl.String)).otherwise(pl.lit(""))
    )
    # A few people type their address with capitals; uniqueness ignores case.
    shown = (
        pl.when(pl.col("capital"))
        .then(pl.concat_str(local.str.slice(0, 1).str.to_uppercase(), local.str.slice(1)))
        .otherwise(local)
    )
    junk = pl.col("kind") == BAD_DATA
    out = frame.select(
        email=pl.concat_str(shown, pl.lit("@"), pl.col("domain")),
        first_name=pl.when(junk).then(pl.col("junk_first")).otherwise(pl.col("first")),
        last_name=pl.when(junk).then(pl.col("junk_last")).otherwise(pl.col("last")),
    )
    return People(
        n=n,
        kind=kind,
        duplicate=duplicate,
        account=account,
        icp=icp,
        persona=persona,
        country=country,
        region=region,
        source=source,
        intent=intent,
        email_allowed=email_allowed,
        consent=consent,
        email=out["email"],
        first_name=out["first_name"],
        last_name=out["last_name"],
        title=_titles(rng, kind, persona),
        phone=_phones(rng, kind, country),
    )


def _sources(rng: np.random.Generator, kind: I64, icp: Bool) -> I64:
    group = np.where(
        kind == CORPORATE, np.where(icp, 1, 0), kind + 1
    )  # non_icp, icp, free_mail, student, competitor, bad_data
    order = ("non_icp", "icp", "free_mail", "student", "competitor", "bad_data")
    table = np.array(
        [[_SOURCE_WEIGHTS[g].get(c, 0.0) for c in CHANNELS] for g in order], dtype=np.float64
    )
    cdf = np.cumsum(table, axis=1)
    cdf /= cdf[:, -1:]
    u = rng.random(len(kind))
    source: I64 = (cdf[group] <= u[:, None]).sum(axis=1).astype(np.int64)
    return source


def _consent(rng: np.random.Generator, region: I64) -> I64:
    """0 unknown, 1 granted, 2 denied; Europeans are asked more often (GDPR)."""
    u = rng.random(len(region))
    emea = region == names.REGIONS.index("EMEA")
    granted = np.where(emea, 0.60, 0.35)
    denied = np.where(emea, 0.15, 0.05)
    return np.where(u < granted, 1, np.where(u < granted + denied, 2, 0)).astype(np.int64)


CONSENT_VALUES = ("unknown", "granted", "denied")


def _domains(rng: np.random.Generator, kind: I64, account: I64, accounts: Accounts) -> pl.Series:
    n = len(kind)
    pools = (names.FREE_MAIL_DOMAINS, names.UNIVERSITY_DOMAINS, names.DISPOSABLE_DOMAINS)
    vocabulary = [d for pool in pools for d in pool]
    offsets = np.cumsum([0] + [len(p) for p in pools])
    pool = np.select([kind == FREE_MAIL, kind == STUDENT], [0, 1], default=2)
    pick = offsets[pool] + rng.integers(0, 1 << 30, n) % np.diff(offsets)[pool]
    other = strings(vocabulary, pick)
    company = accounts.domain.gather(np.maximum(account, 0))
    return pl.select(pl.when(pl.lit(account >= 0)).then(company).otherwise(other)).to_series()


def _titles(rng: np.random.Generator, kind: I64, persona: I64) -> pl.Series:
    groups = [p.titles for p in names.PERSONAS] + [names.STUDENT_TITLES, ("",)]
    vocabulary = [t for g in groups for t in g] + list(names.COMPETITOR_TITLES)
    offsets = np.cumsum([0] + [len(g) for g in groups])
    sizes = np.diff(offsets)
    n = len(kind)
    pick = offsets[persona] + rng.integers(0, 1 << 30, n) % sizes[persona]
    competitor_pick = offsets[-1] + rng.integers(0, len(names.COMPETITOR_TITLES), n)
    return strings(vocabulary, np.where(kind == COMPETITOR, competitor_pick, pick))


def _phones(rng: np.random.Generator, kind: I64, country: I64) -> pl.Series:
    n = len(kind)
    prefix = strings(tuple(c.phone_prefix for c in names.COUNTRIES), country)
    given = rng.random(n) < 0.7
    frame = pl.DataFrame(
        {
            "prefix": prefix,
            "a": rng.integers(200, 1000, n),
            "b": rng.integers(0, 1000, n),
            "c": rng.integers(0, 10000, n),
            "given": given,
            "junk": kind == BAD_DATA,
        }
    )
    number = pl.concat_str(
        pl.col("prefix"),
        pl.lit(" "),
        pl.col("a").cast(pl.String),
        pl.lit(" "),
        pl.col("b").cast(pl.String).str.zfill(3),
        pl.lit(" "),
        pl.col("c").cast(pl.String).str.zfill(4),
    )
    return frame.select(
        pl.when(pl.col("junk"))
        .then(pl.lit("000"))
        .when(pl.col("given"))
        .then(number)
        .otherwise(pl.lit(""))
    ).to_series()
