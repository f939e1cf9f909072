"""Touches: what people (and anonymous visitors) did, when, through which campaign.

Every person's history has three parts: anonymous visits before they identify
themselves, the identifying touch (``created_at``) and the everyday touches after
it, drawn from :mod:`~revloop.engine.demo.templates` with weights that rise or fall
with the person's buying intent. Sales calls and meetings are added later by the
funnel, and visitors who never identify get their own few page views.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from revloop.engine.demo import catalog, templates
from revloop.engine.demo.arrays import (
    F64,
    I64,
    US_PER_DAY,
    US_PER_HOUR,
    US_PER_MINUTE,
    Bool,
    Clock,
    datetimes,
    hex_ids,
    ids,
    nullable_ids,
    segment_ids,
    segment_positions,
    segment_starts,
    segmented_cumsum,
    sigmoid,
    strings,
)
from revloop.engine.demo.marketing import Marketing
from revloop.engine.demo.people import (
    BAD_DATA,
    COMPETITOR,
    FREE_MAIL,
    KIND_NAMES,
    STUDENT,
    People,
)
from revloop.engine.vocabulary import Channel

#: Mean number of everyday touches a person of average intent would make if the
#: window never ended; right-censoring at ``now`` brings the average down.
EVERYDAY_TOUCHES = 9.5
#: Dispersion of the touch count (negative binomial): most people do little.
_DISPERSION = 1.2
#: Median days between everyday touches.
_MEDIAN_GAP_DAYS = 7.0
#: Yearly growth of new-lead volume (log scale): more leads arrive lately.
_GROWTH = 0.5
#: UTC offset of each region's business day (hours).
REGION_OFFSET_H = np.array([-5, 1, 8], dtype=np.int64)
VISITORS_PER_PERSON = 0.06

_KIND_FACTORS: dict[int, dict[str, float]] = {
    FREE_MAIL: {"white_paper": 1.5, "pricing": 0.7},
    STUDENT: {
        "white_paper": 3.0,
        "pricing": 0.2,
        "demo": 0.05,
        "case_study": 0.5,
        "event": 0.2,
        "datasheet": 0.3,
    },
    COMPETITOR: {"pricing": 3.0, "webinar": 3.0, "datasheet": 3.0, "demo": 0.3, "white_paper": 0.5},
    BAD_DATA: {"demo": 0.2, "webinar": 0.2, "event": 0.0},
}
_Z_BINS = np.linspace(-3.0, 3.0, 25)
_CHANNELS = tuple(Channel)


@dataclass(frozen=True)
class PersonTouches:
    """Marketing touches of one chunk's people, sorted by (person, time)."""

    person: I64
    time: I64
    template: I64
    attended: Bool
    campaign: I64
    asset: I64
    page: I64
    created: I64
    #: Per person: the cookie id their browser carries.
    cookie: pl.Series

    @property
    def n(self) -> int:
        return len(self.person)


def _grouped_cdf(weights: F64) -> F64:
    """Row-normalised CDFs offset by row index, for :func:`_draw_grouped`."""
    cdf = np.cumsum(weights, axis=1)
    total = cdf[:, -1:]
    cdf = np.divide(cdf, total, out=np.zeros_like(cdf), where=total > 0)
    cdf[:, -1] = 1.0
    return (np.arange(weights.shape[0])[:, None] + cdf).ravel()


def _draw_grouped(rng: np.random.Generator, flat_cdf: F64, width: int, rows: I64) -> I64:
    """One categorical draw per element from the row ``rows[i]`` of a grouped CDF."""
    u = rng.random(len(rows)) * (1.0 - 1e-12)
    found = np.searchsorted(flat_cdf, rows + u, side="right")
    return (found - rows * width).astype(np.int64)


def _identifying_cdf() -> F64:
    weights = np.zeros((len(_CHANNELS), templates.N))
    for channel, options in templates.IDENTIFYING.items():
        for name, weight in options:
            weights[_CHANNELS.index(channel), templates.INDEX[name]] = weight
    return _grouped_cdf(weights)


def _everyday_cdf() -> F64:
    """One row per (kind of person, email allowed, intent bin)."""
    rows = []
    for kind in range(len(KIND_NAMES)):
        for email_allowed in (False, True):
            base = templates.everyday_weights(_KIND_FACTORS.get(kind, {}), email_allowed)
            rows.append(base[None, :] * np.exp(_Z_BINS[:, None] * templates.INTENT[None, :]))
    return _grouped_cdf(np.concatenate(rows))


_IDENTIFYING_CDF = _identifying_cdf()
_EVERYDAY_CDF = _everyday_cdf()


def daytime(rng: np.random.Generator, moments: I64, offset_h: I64) -> I64:
    """Move instants to a plausible local time of day, mostly on working days."""
    n = len(moments)
    offset = offset_h * US_PER_HOUR
    day = (moments + offset) // US_PER_DAY
    hour = np.where(
        rng.random(n) < 0.85, np.clip(rng.normal(13.0, 2.6, n), 6.0, 22.0), rng.random(n) * 24
    )
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
    # Most weekend activity really happens on some working day of the next week.
    postponed = (weekday >= 5) & (rng.random(n) < 0.7)
    day = np.where(postponed, day + 7 - weekday + rng.integers(0, 5, n), day)
    return day * US_PER_DAY + (hour * US_PER_HOUR).astype(np.int64) - offset


def _arrivals(rng: np.random.Generator, n: int, clock: Clock) -> I64:
    """When leads identify themselves: spread over the window, growing over time."""
    u = rng.random(n)
    x = np.log1p(u * np.expm1(_GROWTH)) / _GROWTH
    moments: I64 = clock.start + (x * (clock.now - clock.start)).astype(np.int64)
    return moments


def person_touches(
    rng: np.random.Generator, people: People, clock: Clock, marketing: Marketing
) -> PersonTouches:
    n = people.n
    offset_h = REGION_OFFSET_H[people.region]
    first_template = _draw_grouped(rng, _IDENTIFYING_CDF, templates.N, people.source)

    # The identifying touch fixes created_at.
    arrival = _arrivals(rng, n, clock)
    shaped = daytime(rng, arrival, offset_h)
    created = np.where((shaped >= clock.start) & (shaped < clock.now), shaped, arrival)
    at_event = first_template == templates.EVENT
    if at_event.any() and len(marketing.event_days):
        slot = np.minimum(
            np.searchsorted(marketing.event_days, created[at_event]),
            len(marketing.event_days) - 1,
        )
        created[at_event] = marketing.event_days[slot] + (
            rng.random(int(at_event.sum())) * 8 * US_PER_HOUR
        ).astype(np.int64)
    created = np.clip(created, clock.start, clock.now - US_PER_MINUTE)

    # Anonymous visits first: the same channel, minutes to days before.
    anon_template = np.full(n, -1, dtype=np.int64)
    for channel, name in templates.ANONYMOUS.items():
        anon_template[people.source == _CHANNELS.index(channel)] = templates.INDEX[name]
    k_anon = np.where(
        (anon_template >= 0) & (rng.random(n) >= 0.35), np.minimum(rng.geometric(0.5, n), 5), 0
    ).astype(np.int64)
    a_person = segment_ids(k_anon)
    a_pos = segment_positions(k_anon)
    a_gap = np.where(
        a_pos == 0,
        rng.uniform(1, 30, len(a_pos)) * US_PER_MINUTE,
        rng.exponential(3 * US_PER_DAY, len(a_pos)),
    )
    a_time = created[a_person] - _segment_cumsum_int(a_gap, k_anon)
    a_keep = a_time >= clock.start
    a_person, a_time = a_person[a_keep], a_time[a_keep]
    a_template = anon_template[a_person]

    # Everyday touches after identification.
    mean = EVERYDAY_TOUCHES * np.exp(0.3 * people.intent)
    m = rng.negative_binomial(_DISPERSION, _DISPERSION / (_DISPERSION + mean)).astype(np.int64)
    webinar_first = first_template == templates.WEBINAR_REGISTRATION
    m = np.minimum(np.where(webinar_first, np.maximum(m, 1), m), 150)
    e_person = segment_ids(m)
    e_pos = segment_positions(m)
    gap_mean = rng.lognormal(np.log(_MEDIAN_GAP_DAYS * US_PER_DAY), 0.7, n)
    e_gap = rng.exponential(1.0, len(e_person)) * gap_mean[e_person]
    e_time = created[e_person] + _segment_cumsum_int(e_gap, m)
    z_bin = np.clip(np.round((people.intent + 3.0) / 0.25), 0, len(_Z_BINS) - 1).astype(np.int64)
    row = (people.kind * 2 + people.email_allowed) * len(_Z_BINS) + z_bin
    e_template = _draw_grouped(rng, _EVERYDAY_CDF, templates.N, row[e_person])
    # Registrants come back for the session they registered for: the next one.
    registrant = (e_pos == 0) & webinar_first[e_person]
    e_template[registrant] = templates.WEBINAR
    e_time[registrant] = created[e_person[registrant]] + 1

    # Working-day rhythm; only later days are reshaped, so nothing moves before created_at.
    later_day = (e_time + offset_h[e_person] * US_PER_HOUR) // US_PER_DAY > (
        created[e_person] + offset_h[e_person] * US_PER_HOUR
    ) // US_PER_DAY
    e_time = np.where(later_day, daytime(rng, e_time, offset_h[e_person]), e_time)
    e_time = _snap_scheduled(rng, e_time, e_template, marketing)
    keep = (e_time < clock.now) & (e_time > created[e_person])
    e_person, e_time, e_template = e_person[keep], e_time[keep], e_template[keep]

    person = np.concatenate((a_person, np.arange(n, dtype=np.int64), e_person))
    time = np.concatenate((a_time, created, e_time))
    template = np.concatenate((a_template, first_template, e_template))
    order = np.lexsort((time, person))
    person, time, template = person[order], time[order], template[order]

    attended = (template == templates.WEBINAR) & (
        rng.random(len(person)) < sigmoid(0.2 + 0.5 * people.intent[person])
    )
    campaign, asset, page = _placements(rng, time, template, marketing, clock)
    return PersonTouches(
        person=person,
        time=time,
        template=template,
        attended=attended,
        campaign=campaign,
        asset=asset,
        page=page,
        created=created,
        cookie=hex_ids(rng, n, "anon-"),
    )


def _segment_cumsum_int(values: F64, counts: I64) -> I64:
    return segmented_cumsum(values, counts).astype(np.int64)


def _snap_scheduled(
    rng: np.random.Generator, time: I64, template: I64, marketing: Marketing
) -> I64:
    """Webinars and events happen on their dates: move such touches to the next one."""
    time = time.copy()
    never = np.iinfo(np.int64).max
    webinar = template == templates.WEBINAR
    if webinar.any():
        nxt = np.searchsorted(marketing.webinar_times, time[webinar])
        ok = nxt < len(marketing.webinar_times)
        time[webinar] = np.where(
            ok, marketing.webinar_times[np.minimum(nxt, len(marketing.webinar_times) - 1)], never
        )
    event = template == templates.EVENT
    if event.any() and len(marketing.event_days):
        # An event day is open for ten hours from its opening instant.
        closes = marketing.event_days + 10 * US_PER_HOUR
        nxt = np.searchsorted(closes, time[event])
        ok = nxt < len(closes)
        opening = marketing.event_days[np.minimum(nxt, len(closes) - 1)]
        visit = opening + (rng.random(int(event.sum())) * 9 * US_PER_HOUR).astype(np.int64)
        time[event] = np.where(ok, np.maximum(visit, time[event]), never)
    elif event.any():
        time[event] = never
    return time


def _placements(
    rng: np.random.Generator, time: I64, template: I64, marketing: Marketing, clock: Clock
) -> tuple[I64, I64, I64]:
    """Campaign, content asset and site page of each touch (-1 when none)."""
    n = len(time)
    n_days = marketing.day_count.shape[1]
    day = np.clip((time - clock.start) // US_PER_DAY, 0, n_days - 1)
    channel = templates.CHANNEL_OF[template]
    count = marketing.day_count[channel, day]
    slot = (rng.random(n) * count).astype(np.int64)
    campaign = np.where(
        count > 0,
        marketing.day_campaigns[
            channel, day, np.minimum(slot, marketing.day_campaigns.shape[2] - 1)
        ],
        -1,
    )
    registration = template == templates.WEBINAR_REGISTRATION
    if registration.any():
        times = marketing.webinar_times
        nxt = np.minimum(np.searchsorted(times, time[registration]), len(times) - 1)
        campaign[registration] = marketing.webinar_campaigns[nxt]

    kind = templates.KIND_OF[template]
    has_kind = kind >= 0
    holder = np.where(campaign >= 0, campaign, marketing.n_campaigns)
    safe_kind = np.maximum(kind, 0)
    options = marketing.kind_count[holder, safe_kind]
    pick = (rng.random(n) * options).astype(np.int64)
    asset = marketing.kind_assets[
        holder, safe_kind, np.minimum(pick, marketing.kind_assets.shape[2] - 1)
    ]
    asset = np.where(has_kind & (options > 0), asset, -1)
    unpublished = (asset >= 0) & (marketing.asset_published[np.maximum(asset, 0)] > time)
    asset = np.where(unpublished, marketing.kind_fallback[safe_kind], asset)

    contact = template == templates.INDEX["contact_direct"]
    web_page = templates.WEB[template] & ~has_kind
    general_pages = len(catalog.SITE_PAGES) - 1  # the last one is /contact
    page = np.where(web_page, rng.integers(0, general_pages, n), -1)
    page = np.where(contact, general_pages, page)
    return campaign.astype(np.int64), asset.astype(np.int64), page.astype(np.int64)


@dataclass(frozen=True)
class ExtraTouches:
    """Touches added after the funnel: sales activity, or anonymous visitors."""

    person: I64
    time: I64
    template: I64


def visitor_touches(
    rng: np.random.Generator, n_people: int, clock: Clock
) -> tuple[ExtraTouches, pl.Series]:
    """Page views of visitors who never identify; ``person`` indexes their cookies."""
    n = round(n_people * VISITORS_PER_PERSON)
    views = np.minimum(rng.geometric(0.45, n), 8).astype(np.int64)
    visitor = segment_ids(views)
    first = _arrivals(rng, n, clock)
    gaps = rng.exponential(US_PER_DAY, len(visitor))
    gaps[segment_starts(views)] = 0.0
    time = first[visitor] + _segment_cumsum_int(gaps, views)
    time = daytime(rng, time, REGION_OFFSET_H[rng.integers(0, 3, len(time))])
    keep = (time >= clock.start) & (time < clock.now)
    names = [name for name, _ in templates.VISITOR_MIX]
    weights = np.array([w for _, w in templates.VISITOR_MIX])
    pick = np.searchsorted(np.cumsum(weights), rng.random(len(time)) * weights.sum(), "right")
    template = np.array([templates.INDEX[nm] for nm in names], dtype=np.int64)[
        np.minimum(pick, len(names) - 1)
    ]
    cookies = hex_ids(rng, n, "anon-")
    return ExtraTouches(visitor[keep], time[keep], template[keep]), cookies


def touch_frame(
    rng: np.random.Generator,
    *,
    seed: int,
    first_id: int,
    first_person_id: int,
    marketing: Marketing,
    clock: Clock,
    own: PersonTouches,
    sales: ExtraTouches,
    visitors: ExtraTouches,
    visitor_cookies: pl.Series,
) -> pl.DataFrame:
    """The ``activity_touch`` rows: people's touches by (person, time), then visitors."""
    vis_campaign, vis_asset, vis_page = _placements(
        rng, visitors.time, visitors.template, marketing, clock
    )
    n_sales = len(sales.person)
    person = np.concatenate((own.person, sales.person))
    time = np.concatenate((own.time, sales.time))
    template = np.concatenate((own.template, sales.template))
    attended = np.concatenate((own.attended, np.zeros(n_sales, dtype=bool)))
    campaign = np.concatenate((own.campaign, np.full(n_sales, -1)))
    asset = np.concatenate((own.asset, np.full(n_sales, -1)))
    page = np.concatenate((own.page, np.full(n_sales, -1)))
    order = np.lexsort((template, time, person))
    person, time, template = person[order], time[order], template[order]
    attended, campaign, asset, page = attended[order], campaign[order], asset[order], page[order]

    n_vis = len(visitors.person)
    v_order = np.lexsort((visitors.time, visitors.person))
    person_id = np.concatenate((person + first_person_id, np.full(n_vis, -1)))
    time = np.concatenate((time, visitors.time[v_order]))
    template = np.concatenate((template, visitors.template[v_order]))
    attended = np.concatenate((attended, np.zeros(n_vis, dtype=bool)))
    campaign = np.concatenate((campaign, vis_campaign[v_order]))
    asset = np.concatenate((asset, vis_asset[v_order]))
    page = np.concatenate((page, vis_page[v_order]))
    web = templates.WEB[template]
    total = len(time)

    cookies = pl.concat([own.cookie, visitor_cookies])
    cookie_index = np.concatenate((person, len(own.cookie) + visitors.person[v_order]))
    cookie_index = np.where(web, cookie_index, -1)
    anonymous_id = _gather_or_empty(cookies, cookie_index)

    has_campaign = campaign >= 0
    tagged = has_campaign & (web | templates.EMAIL[template])
    url_vocab = [*marketing.asset_url, *(catalog.SITE + p for p in catalog.SITE_PAGES)]
    url_index = np.where(
        asset >= 0, asset, np.where(page >= 0, len(marketing.asset_url) + page, -1)
    )
    url_index = np.where(web | (template == templates.WEBINAR), url_index, -1)
    keywords = [k for ks in marketing.keywords for k in ks]
    k_offsets = np.cumsum([0] + [len(ks) for ks in marketing.keywords])
    k_sizes = np.diff(k_offsets)
    safe_campaign = np.maximum(campaign, 0)
    k_count = np.where(tagged, k_sizes[safe_campaign], 0)
    keyword = np.where(
        k_count > 0,
        k_offsets[safe_campaign] + (rng.random(total) * np.maximum(k_count, 1)).astype(np.int64),
        -1,
    )
    utm_campaign = np.where(tagged, campaign, -1)

    properties = _properties(rng, template, attended)
    frame = pl.DataFrame(
        [
            ids(first_id, total),
            nullable_ids(person_id, "person_id"),
            anonymous_id.alias("anonymous_id"),
            datetimes(time, "occurred_at"),
            strings(templates.TYPE, template, "type"),
            strings(templates.CHANNEL, template, "channel"),
            nullable_ids(np.where(has_campaign, campaign + 1, -1), "campaign_id"),
            nullable_ids(np.where(asset >= 0, asset + 1, -1), "content_id"),
            strings(url_vocab, url_index, "url"),
            strings(marketing.utm_source, utm_campaign, "utm_source"),
            strings(marketing.utm_medium, utm_campaign, "utm_medium"),
            strings(marketing.utm_campaign, utm_campaign, "utm_campaign"),
            strings(marketing.asset_slug, np.where(tagged, asset, -1), "utm_content"),
            strings(keywords, keyword, "utm_term"),
            properties.alias("properties"),
        ]
    )
    frame = frame.with_columns(
        event_id=pl.concat_str(pl.lit(f"demo-{seed}-"), pl.col("id").cast(pl.String))
    )
    return frame.select(TOUCH_COLUMNS)


TOUCH_COLUMNS = (
    "id",
    "event_id",
    "person_id",
    "anonymous_id",
    "occurred_at",
    "type",
    "channel",
    "campaign_id",
    "content_id",
    "url",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "properties",
)


def _gather_or_empty(values: pl.Series, index: I64) -> pl.Series:
    table = pl.concat([values, pl.Series([""], dtype=pl.String)])
    return table.gather(np.where(index < 0, len(values), index))


def _properties(rng: np.random.Generator, template: I64, attended: Bool) -> pl.Series:
    n = len(template)
    frame = pl.DataFrame(
        {
            "t": template,
            "attended": attended,
            "minutes": rng.integers(12, 61, n),
            "call": rng.integers(1, 25, n),
            "meeting": rng.choice(np.array([15, 30, 45, 60]), n),
            "messages": rng.integers(2, 15, n),
            "connected": rng.random(n) < 0.45,
        }
    )
    form = [templates.INDEX[t.name] for t in templates.TEMPLATES if t.type == "form_submit"]
    actions = pl.Series([t.action for t in templates.TEMPLATES], dtype=pl.String)
    t = pl.col("t")
    outcome = pl.when(pl.col("connected")).then(pl.lit("connected")).otherwise(pl.lit("voicemail"))
    expr = (
        pl.when(t == templates.WEBINAR)
        .then(
            pl.when(pl.col("attended"))
            .then(_json('{"attended": true, "minutes": ', pl.col("minutes"), "}"))
            .otherwise(pl.lit('{"attended": false}'))
        )
        .when(t.is_in(form))
        .then(_json('{"form": "', pl.lit(actions).gather(t), '"}'))
        .when(t == templates.SALES_CALL)
        .then(_json('{"duration_min": ', pl.col("call"), ', "outcome": "', outcome, '"}'))
        .when(t == templates.SALES_MEETING)
        .then(_json('{"duration_min": ', pl.col("meeting"), "}"))
        .when(t == templates.INDEX["pricing_chat"])
        .then(_json('{"messages": ', pl.col("messages"), "}"))
        .otherwise(pl.lit("{}"))
    )
    return frame.select(expr).to_series()


def _json(*parts: str | pl.Expr) -> pl.Expr:
    """Concatenate literal JSON fragments and values (``pl.format`` reads braces)."""
    return pl.concat_str([pl.lit(p) if isinstance(p, str) else p.cast(pl.String) for p in parts])
