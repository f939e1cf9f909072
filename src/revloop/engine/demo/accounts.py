"""Accounts (companies): firmographics, ICP fit, tiers and owners.

Accounts are laid out in *blocks*, one per chunk of people, so that all people of
an account are generated together. Emails at an account's domain can then be
made unique inside one chunk and are unique globally by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from revloop.engine.demo import catalog, names
from revloop.engine.demo.arrays import (
    I64,
    US_PER_DAY,
    Bool,
    Clock,
    datetimes,
    draw,
    ids,
    nullable_ids,
    strings,
)
from revloop.engine.demo.truth import GROUND_TRUTH
from revloop.engine.demo.users import EMEA_REPS, NA_REPS

#: One account for every five leads; after free-mail, student and junk leads,
#: that leaves about four leads per account.
ACCOUNTS_PER_LEAD = 0.2
#: What a company adds to its brand when the plain domain was taken. None of
#: these pieces occurs in a generated base, so variants cannot collide.
_DOMAIN_VARIANTS = ("hq", "-global", "online", "-group-inc")
#: Email local-part conventions a company can have.
EMAIL_PATTERNS = 4


@dataclass(frozen=True)
class Accounts:
    frame: pl.DataFrame
    name: pl.Series
    domain: pl.Series
    industry: I64
    employees: I64
    country: I64
    region: I64
    icp: Bool
    owner: I64
    email_pattern: I64
    #: First account index of each chunk's block, and how many it has.
    block_start: I64
    block_size: I64

    @property
    def n_competitors(self) -> int:
        return len(catalog.COMPETITORS)


def team_reps(region: I64) -> tuple[I64, I64]:
    """The reps of the team covering each region (APAC is served from North America)."""
    emea = region == names.REGIONS.index("EMEA")
    first = np.where(emea, EMEA_REPS[0], NA_REPS[0])
    return first, np.full(len(region), len(NA_REPS))


def build_accounts(seed: int, people_per_chunk: list[int], clock: Clock) -> Accounts:
    rng = np.random.default_rng([seed, 0xACC])
    block_size = np.array(
        [max(1, round(n * ACCOUNTS_PER_LEAD)) for n in people_per_chunk], dtype=np.int64
    )
    n_comp = len(catalog.COMPETITORS)
    n = n_comp + int(block_size.sum())
    block_start = n_comp + np.concatenate(([0], np.cumsum(block_size)[:-1])).astype(np.int64)

    country = draw(rng, np.array([c.weight for c in names.COUNTRIES]), n)
    region_of_country = np.array([names.REGIONS.index(c.region) for c in names.COUNTRIES])
    industry = draw(rng, np.array(names.INDUSTRY_WEIGHTS), n)
    employees = np.clip(np.round(rng.lognormal(np.log(250), 1.3, n)), 5, 250_000).astype(np.int64)

    # The competitors come first: a handful of well-known software vendors.
    country[:n_comp] = [0, 0, 0, names.COUNTRIES.index(_country("DE")), 0]
    industry[:n_comp] = names.INDUSTRIES.index("Software")
    employees[:n_comp] = [420, 180, 95, 60, 900]
    region = region_of_country[country]

    icp_industry = np.isin(
        industry, [names.INDUSTRIES.index(i) for i in GROUND_TRUTH.icp_industries]
    )
    low, high = GROUND_TRUTH.icp_employees
    icp_region = np.isin(region, [names.REGIONS.index(r) for r in GROUND_TRUTH.icp_regions])
    icp = icp_industry & (employees >= low) & (employees <= high) & icp_region
    icp[:n_comp] = False

    # Tiers follow the ICP with some judgement calls by Sales mixed in.
    near_fit = (icp_industry | np.isin(industry, [3, 4])) & (employees >= 100) & ~icp
    tier = np.where(icp & (employees >= 1000), 1, np.where(icp, 2, np.where(near_fit, 3, 0)))
    judgement = rng.random(n) < 0.05
    tier = np.where(judgement & (employees >= 500) & (tier == 0), 3, tier)
    tier[:n_comp] = 0
    first_rep, team_size = team_reps(region)
    owned = (tier == 1) & (rng.random(n) < 0.6)
    owner = np.where(owned, first_rep + rng.integers(0, 1 << 30, n) % team_size, -1)

    name, domain = _names_and_domains(rng, industry, country, n_comp)
    created = clock.start - (rng.random(n) * 3 * 365 * US_PER_DAY).astype(np.int64)
    known_size = rng.random(n) >= 0.06
    known_size[:n_comp] = True
    frame = pl.DataFrame(
        [
            ids(1, n),
            name.alias("name"),
            domain.alias("domain"),
            strings(names.INDUSTRIES, industry, "industry"),
            pl.Series("employee_count", employees).scatter(np.flatnonzero(~known_size), None),
            strings(tuple(c.code for c in names.COUNTRIES), country, "country"),
            strings(names.REGIONS, region, "region"),
            strings(("", "1", "2", "3"), tier, "tier"),
            nullable_ids(owner, "owner_id"),
            datetimes(created, "created_at"),
            # auto_now in the model, but a bulk insert bypasses it and the column is NOT NULL.
            datetimes(created, "updated_at"),
        ]
    )
    return Accounts(
        frame=frame,
        name=name,
        domain=domain,
        industry=industry,
        employees=employees,
        country=country,
        region=region,
        icp=icp,
        owner=owner,
        email_pattern=draw(rng, np.array([60.0, 20.0, 10.0, 10.0]), n),
        block_start=block_start,
        block_size=block_size,
    )


def _country(code: str) -> names.Country:
    return next(c for c in names.COUNTRIES if c.code == code)


def _names_and_domains(
    rng: np.random.Generator, industry: I64, country: I64, n_comp: int
) -> tuple[pl.Series, pl.Series]:
    n = len(industry)
    head = strings(names.BRAND_HEADS, rng.integers(0, len(names.BRAND_HEADS), n))
    tail = strings(names.BRAND_TAILS, rng.integers(0, len(names.BRAND_TAILS), n))
    words = [w for ws in names.INDUSTRY_WORDS for w in ws]
    offsets = np.cumsum([0] + [len(ws) for ws in names.INDUSTRY_WORDS])
    sizes = np.diff(offsets)
    word = strings(words, offsets[industry] + rng.integers(0, 1 << 30, n) % sizes[industry])
    legal = [s for c in names.COUNTRIES for s in c.legal_suffixes]
    legal_offsets = np.cumsum([0] + [len(c.legal_suffixes) for c in names.COUNTRIES])
    legal_sizes = np.diff(legal_offsets)
    suffix = strings(
        legal, legal_offsets[country] + rng.integers(0, 1 << 30, n) % legal_sizes[country]
    )
    tlds = [t for c in names.COUNTRIES for t in c.tlds]
    tld_offsets = np.cumsum([0] + [len(c.tlds) for c in names.COUNTRIES])
    tld_sizes = np.diff(tld_offsets)
    tld = strings(tlds, tld_offsets[country] + rng.integers(0, 1 << 30, n) % tld_sizes[country])
    style = draw(rng, np.array([60.0, 12.0, 28.0]), n)

    frame = pl.DataFrame(
        {"head": head, "tail": tail, "word": word, "suffix": suffix, "tld": tld, "style": style}
    )
    brand = pl.concat_str(pl.col("head"), pl.col("tail"))
    slug_word = pl.col("word").str.to_lowercase().str.replace_all(" ", "")
    out = frame.select(
        name=pl.concat_str(
            brand, pl.lit(" "), pl.col("word"), pl.lit(" "), pl.col("suffix")
        ).str.strip_chars(),
        base=pl.when(pl.col("style") == 0)
        .then(pl.concat_str(brand.str.to_lowercase(), slug_word))
        .when(pl.col("style") == 1)
        .then(brand.str.to_lowercase())
        .otherwise(pl.concat_str(brand.str.to_lowercase(), pl.lit("-"), slug_word)),
        tld=pl.col("tld"),
    )
    # Same brand and TLD twice: the later company registered a variant.
    taken = pl.int_range(pl.len()).over(pl.col("base"), pl.col("tld"))
    variant = (
        pl.when(taken == 0)
        .then(pl.lit(""))
        .when(taken <= len(_DOMAIN_VARIANTS))
        .then(
            pl.lit(pl.Series(["", *_DOMAIN_VARIANTS])).gather(taken.clip(0, len(_DOMAIN_VARIANTS)))
        )
        .otherwise(taken.cast(pl.String))
    )
    out = out.with_columns(
        domain=pl.concat_str(pl.col("base"), variant, pl.lit("."), pl.col("tld"))
    )
    competitor_names = pl.Series([c[0] for c in catalog.COMPETITORS], dtype=pl.String)
    competitor_domains = pl.Series([c[1] for c in catalog.COMPETITORS], dtype=pl.String)
    name = out["name"].scatter(np.arange(n_comp), competitor_names)
    domain = out["domain"].scatter(np.arange(n_comp), competitor_domains)
    return name, domain
