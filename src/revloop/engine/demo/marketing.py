"""Campaign and content frames, and the lookup tables touches are drawn from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from revloop.engine.demo import catalog
from revloop.engine.demo.arrays import (
    F64,
    I64,
    MONEY,
    US_PER_DAY,
    US_PER_HOUR,
    Bool,
    Clock,
    dates,
    ids,
)
from revloop.engine.demo.truth import GROUND_TRUTH
from revloop.engine.vocabulary import Channel, ContentKind

CHANNELS: tuple[Channel, ...] = tuple(Channel)
KINDS: tuple[ContentKind, ...] = tuple(ContentKind)
CHANNEL_INDEX = {c: i for i, c in enumerate(CHANNELS)}
KIND_INDEX = {k: i for i, k in enumerate(KINDS)}

# Hour (UTC) that webinars start and event days' local opening hours in UTC.
_WEBINAR_HOUR_UTC = 16
_EVENT_OPEN_UTC = {"NA": 14, "EMEA": 8}
_EVENT_REGION = {
    "Logistics Tech Expo Chicago": "NA",
    "Brightline Roadshow Dallas": "NA",
    "ProMat Manufacturing Fair": "NA",
}


@dataclass(frozen=True)
class Marketing:
    """Everything a touch needs to know about campaigns and content, as arrays."""

    campaigns: pl.DataFrame
    content: pl.DataFrame
    #: Campaign index per (channel, day of the window, slot); ``day_count`` slots are set.
    day_campaigns: I64
    day_count: I64
    #: Asset index per (campaign or n_campaigns for "none", kind, slot).
    kind_assets: I64
    kind_count: I64
    #: Per kind, the earliest-published asset: what a touch shows before newer ones exist.
    kind_fallback: I64
    asset_published: I64
    asset_kind: I64
    asset_misleading: Bool
    webinar_times: I64
    webinar_campaigns: I64
    #: Opening instant of every event day, sorted, and the event (campaign) it belongs to.
    event_days: I64
    event_campaigns: I64
    #: Paid-search keywords per (campaign, slot).
    keywords: tuple[tuple[str, ...], ...]
    utm_source: tuple[str, ...]
    utm_medium: tuple[str, ...]
    utm_campaign: tuple[str, ...]
    asset_url: tuple[str, ...]
    asset_slug: tuple[str, ...]

    @property
    def n_campaigns(self) -> int:
        return self.campaigns.height


def build_marketing(clock: Clock) -> Marketing:
    specs = catalog.CAMPAIGNS
    n_campaigns = len(specs)
    day_us = US_PER_DAY
    start_at = _midnight(clock.days_ago(np.array([s.start_days_ago for s in specs])))
    running = np.array([s.end_days_ago is None for s in specs])
    end_at = _midnight(clock.days_ago(np.array([s.end_days_ago or 0.0 for s in specs])))
    campaigns = pl.DataFrame(
        [
            ids(1, n_campaigns),
            pl.Series("name", [s.name for s in specs], dtype=pl.String),
            pl.Series("channel", [s.channel.value for s in specs], dtype=pl.String),
            pl.Series("utm_campaign", [s.utm_campaign for s in specs], dtype=pl.String),
            dates(start_at, "started_on"),
            dates(end_at, "ended_on", valid=~running),
            pl.Series("budget", [s.budget for s in specs], dtype=pl.Int64).cast(MONEY),
            pl.Series("currency", ["USD"] * n_campaigns, dtype=pl.String),
        ]
    )

    n_days = int(np.ceil(clock.days)) + 1
    first_day = np.clip((start_at - clock.start) // day_us, 0, n_days - 1)
    last_day = np.where(running, n_days - 1, np.clip((end_at - clock.start) // day_us, -1, None))
    channel = np.array([CHANNEL_INDEX[s.channel] for s in specs])
    active = np.zeros((len(CHANNELS), n_days, n_campaigns), dtype=bool)
    day = np.arange(n_days)
    for c in range(n_campaigns):  # a fixed catalog of ~30, not per lead
        active[channel[c], :, c] = (day >= first_day[c]) & (day <= last_day[c])
    day_campaigns, day_count = _slots(active)

    name_to_index = {s.name: i for i, s in enumerate(specs)}
    assets = catalog.CONTENT
    n_assets = len(assets)
    asset_campaign = np.array(
        [name_to_index[a.campaign] if a.campaign else -1 for a in assets], dtype=np.int64
    )
    asset_kind = np.array([KIND_INDEX[a.kind] for a in assets], dtype=np.int64)
    published = _midnight(clock.days_ago(np.array([a.published_days_ago for a in assets])))
    misleading = np.array([a.title in GROUND_TRUTH.misleading_content for a in assets])
    content = pl.DataFrame(
        [
            ids(1, n_assets),
            pl.Series("title", [a.title for a in assets], dtype=pl.String),
            pl.Series("kind", [a.kind.value for a in assets], dtype=pl.String),
            pl.Series("url", [catalog.SITE + a.path for a in assets], dtype=pl.String),
            pl.Series("campaign_id", asset_campaign + 1, dtype=pl.Int64).replace(0, None),
            pl.Series("body", [a.body for a in assets], dtype=pl.String),
            dates(published, "published_on"),
        ]
    )

    # A campaign's own assets when it has some of the kind, else the general ones.
    match = np.zeros((n_campaigns + 1, len(KINDS), n_assets), dtype=bool)
    for a in range(n_assets):
        if asset_campaign[a] >= 0:
            match[asset_campaign[a], asset_kind[a], a] = True
    general = np.zeros((len(KINDS), n_assets), dtype=bool)
    general[asset_kind, np.arange(n_assets)] = asset_campaign < 0
    any_of_kind = np.zeros((len(KINDS), n_assets), dtype=bool)
    any_of_kind[asset_kind, np.arange(n_assets)] = True
    fallback_pool = np.where(general.any(axis=1, keepdims=True), general, any_of_kind)
    for c in range(n_campaigns + 1):
        empty = ~match[c].any(axis=1)
        match[c, empty] = fallback_pool[empty]
    kind_assets, kind_count = _slots(match)
    kind_fallback = np.full(len(KINDS), -1, dtype=np.int64)
    for k in range(len(KINDS)):
        members = np.flatnonzero(asset_kind == k)
        if len(members):
            kind_fallback[k] = members[np.argmin(published[members])]

    webinar = np.flatnonzero(channel == CHANNEL_INDEX[Channel.WEBINARS])
    webinar_times = start_at[webinar] + _WEBINAR_HOUR_UTC * US_PER_HOUR
    order = np.argsort(webinar_times)
    event = np.flatnonzero(channel == CHANNEL_INDEX[Channel.EVENTS])
    event_days_list: list[int] = []
    event_campaigns_list: list[int] = []
    for e in event:
        open_hour = _EVENT_OPEN_UTC[_EVENT_REGION.get(specs[e].name, "EMEA")]
        for moment in range(int(start_at[e]), int(end_at[e]) + 1, day_us):
            event_days_list.append(moment + open_hour * US_PER_HOUR)
            event_campaigns_list.append(int(e))
    event_days = np.asarray(event_days_list, dtype=np.int64)
    event_order = np.argsort(event_days)
    return Marketing(
        campaigns=campaigns,
        content=content,
        day_campaigns=day_campaigns,
        day_count=day_count,
        kind_assets=kind_assets,
        kind_count=kind_count,
        kind_fallback=kind_fallback,
        asset_published=published,
        asset_kind=asset_kind,
        asset_misleading=misleading,
        webinar_times=webinar_times[order],
        webinar_campaigns=webinar[order],
        event_days=event_days[event_order],
        event_campaigns=np.asarray(event_campaigns_list, dtype=np.int64)[event_order],
        keywords=tuple(s.keywords for s in specs),
        utm_source=tuple(s.utm_source for s in specs),
        utm_medium=tuple(s.utm_medium for s in specs),
        utm_campaign=tuple(s.utm_campaign for s in specs),
        asset_url=tuple(catalog.SITE + a.path for a in assets),
        asset_slug=tuple(a.path.rstrip("/").rsplit("/", 1)[-1] for a in assets),
    )


def _midnight(moments: F64) -> I64:
    values = np.asarray(moments, dtype=np.int64)
    return values - values % US_PER_DAY


def _slots(member: Bool) -> tuple[I64, I64]:
    """Turn a boolean membership tensor (..., items) into (..., slot) item indices."""
    count = member.sum(axis=-1).astype(np.int64)
    width = max(int(count.max()), 1)
    # A stable sort of "not a member" puts members first, in item order.
    order = np.argsort(~member, axis=-1, kind="stable")[..., :width].astype(np.int64)
    slot = np.arange(width)
    return np.where(slot < count[..., None], order, -1), count
