"""Generate the demo company: a year of a B2B company's marketing and sales.

The company is *Brightline*, a fleet-telematics vendor (see :mod:`.catalog`): 29
campaigns over nine marketing channels, 48 content assets, two sales teams (see
:mod:`.users`), and for ``leads`` people everything they did and what became of
them. :func:`generate` returns the catalog frames at once and the people lazily,
:data:`CHUNK_SIZE` at a time, so memory stays bounded at any size. Everything is
vectorised with numpy and polars; a chunk's random stream is seeded from
``(seed, chunk index)`` alone, so the same ``(seed, leads, now, months)`` always
gives the same frames.

How the data is made
--------------------
*Accounts.* One per five leads, firmographics drawn at random. The ICP is an
industry in Logistics & Transportation / Manufacturing / Wholesale & Distribution
with 200-5,000 employees in NA or EMEA (about one account in six). Tier 1 is ICP with
1,000+ employees; 60% of tier-1 accounts are owned by a rep of the region's team.

*People.* 81.5% corporate (at an account of their chunk), 12% free mail, 3%
students (university addresses), 1.5% competitors (at a competitor's domain), 2% junk (disposable
domain); 5% of people who have a colleague in the data are a duplicate of them.

*Touches.* Anonymous visits (same channel as the source) precede the identifying
touch, which is ``created_at``; everyday touches follow, drawn from the templates
of :mod:`.templates` with weights ``base * exp(intent * affinity)``. *Intent* is a
hidden per-person trait (ICP +0.5, referral +0.5, events +0.6, syndication -0.4 ...)
that makes high-intent people visit pricing, request demos, attend webinars and
read case studies more; it does not enter any outcome directly, the behaviour
does. White-paper downloads do not rise with intent (from paid social and
syndication they even fall a little). Webinars and events happen on their dates.
About 10 touches per lead, ~1% of them from visitors who never identify.

Ground truth (:data:`GROUND_TRUTH`)
-----------------------------------
**MQL**: engagement points accumulate over a person's touches in time order; the
person becomes an MQL at the touch whose points carry the total to 100 or more
(one second after ``created_at`` when the creating touch or stitched anonymous
history already does it)::

    demo_request          100     event_visit            30
    webinar_attended       25     white_paper_download   20
    contact_form           20     ebook_download         15
    landing_form           15     pricing_chat           15
    pricing_view           10     case_study_view        10
    datasheet_download     10     webinar_registration   10
    video_view              5     email_click             5
    newsletter_signup       5     ad_click                3
    site_view, blog_view    2     email_open              1
    webinar_missed, sales_call, sales_meeting             0

So white papers make MQLs; they do not make revenue.

**Verdict** (owning rep, business hours): the first reason that fires rejects the
MQL: bad_data 0.90, duplicate 0.85, student 0.90, competitor 0.85 (given the
trait); misinformed 0.40 if the person saw a misleading asset (below) before the
call, else 0.01; wrong_target 0.45 free mail / 0.30 non-ICP / 0.03 ICP; no_budget
0.06. misinformed and no_budget recycle, the others disqualify. Otherwise: SAL.

**Conversion**: one logit drives SAL → SQL, SQL → Opportunity and Opportunity →
Won, each with its own intercept, with behaviour counted before the decision::

    eta = +1.0 icp_fit + 0.8 viewed_pricing + 1.2 requested_demo
          + 0.6 attended_webinar + 0.5 read_case_study + 0.0 downloaded_white_paper
          + channel[source] + persona[persona] - 2.5 junk

    icp_fit                  +1.0      sal_to_sql                  -1.6
    viewed_pricing           +0.8      sql_to_opportunity          -1.0
    requested_demo           +1.2      opportunity_to_won          -3.6
    attended_webinar         +0.6
    read_case_study          +0.5      P(step) = sigmoid(intercept + eta)
    downloaded_white_paper   +0.0

    referral                 +0.8      operations                  +0.4
    events                   +0.7      executive                   +0.3
    webinars                 +0.3      finance                     +0.2
    paid_search              +0.2      it                          +0.0
    direct                   +0.2      end_user                    -0.2
    organic_search           +0.0      other                       -0.4
    email                    +0.0      marketing                   -0.6
    paid_social              -0.6      student, no persona         -1.0
    content_syndication      -0.8

Free-mail people, students, competitors and junk never win (only corporate
people can); people without an account never get an opportunity. Deals whose
step falls after ``now`` are still open: recent people have not progressed yet.
Raw conversion by channel is larger than the channel effect alone, because intent
(and so behaviour) also differs by channel.

**Misleading content**: three assets promise what :data:`.catalog.TRUE_OFFERS`
does not:

    "The Sensor Kit Buying Checklist"            free shipping
    "Switching Telematics Providers Made Easy"   free migration
    "Small Fleet Promo"                          money-back guarantee

Misinformed rejections name the promise and the asset in their note. Each is shown:
the checklist as a general e-book, the promo as the landing page of its Facebook
campaign, the switching guide to people who download an e-book from a competitor-terms
search ad.

**Honest pipeline**: reps 6 (tom) and 9 (jonas) turn 70% / 60% of their stalled
SQLs into opportunities created in the last 8 days of a quarter (others 5%).
Those stuffed deals get no activity after creation, half jump straight to
Negotiation, 45% double to quadruple their amount, their close dates are pushed
month after month (or left in the past), and they rarely close (3% win). Honest
deals skip a stage 7% of the time, push slipped close dates by 30 days and
revise amounts now and then (3% jump 2-3x). Rep 7 (devon) answers MQLs slowly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import polars as pl

from revloop.engine.demo.accounts import Accounts, build_accounts
from revloop.engine.demo.arrays import (
    Clock,
    datetimes,
    months_before,
    nullable_ids,
    strings,
    to_us,
)
from revloop.engine.demo.funnel import STAGES, Funnel, run_funnel, transition_frame
from revloop.engine.demo.marketing import Marketing, build_marketing
from revloop.engine.demo.names import COUNTRIES
from revloop.engine.demo.people import CONSENT_VALUES, PERSONA_NAMES, People, build_people
from revloop.engine.demo.pipeline import pipeline_frames
from revloop.engine.demo.touches import PersonTouches, person_touches, touch_frame, visitor_touches
from revloop.engine.demo.truth import GROUND_TRUTH, GroundTruth
from revloop.engine.demo.users import DemoUser, demo_users
from revloop.engine.vocabulary import Channel

__all__ = [
    "CHUNK_SIZE",
    "CHUNK_TABLES",
    "GROUND_TRUTH",
    "DemoChunk",
    "DemoCompany",
    "DemoConfig",
    "DemoUser",
    "GroundTruth",
    "demo_users",
    "generate",
]

#: People per chunk. Fixed, so the data depends only on (seed, leads, now, months).
CHUNK_SIZE = 25_000

CHUNK_TABLES = (
    "people_person",
    "activity_touch",
    "lifecycle_stagetransition",
    "pipeline_opportunity",
    "pipeline_opportunitycontact",
    "pipeline_opportunitychange",
)


@dataclass(frozen=True, kw_only=True)
class DemoConfig:
    leads: int = 5000
    seed: int = 7
    #: Timezone-aware; the data spans the ``months`` calendar months before it.
    now: datetime
    months: int = 12

    def __post_init__(self) -> None:
        if self.now.tzinfo is None or self.now.utcoffset() is None:
            raise ValueError("DemoConfig.now must be timezone-aware")
        if self.leads < 0:
            raise ValueError("DemoConfig.leads must not be negative")
        if self.seed < 0:
            raise ValueError("DemoConfig.seed must not be negative")
        if self.months < 1:
            raise ValueError("DemoConfig.months must be at least 1")


@dataclass(frozen=True)
class DemoChunk:
    #: How many leads this chunk covers (for progress).
    people: int
    #: Table name → rows, in an order that respects foreign keys.
    frames: dict[str, pl.DataFrame]
    #: Ids (as in ``pipeline_opportunity``) of the opportunities this chunk stuffed
    #: into the pipeline: the answer key of the honest-pipeline checks.
    stuffed_opportunity_ids: tuple[int, ...] = ()


class DemoCompany:
    """The generated company: catalog frames up front, people chunk by chunk."""

    def __init__(
        self, config: DemoConfig, *, clock: Clock, marketing: Marketing, accounts: Accounts
    ):
        self.config = config
        self.users: list[DemoUser] = demo_users()
        #: ``activity_campaign`` rows.
        self.campaigns: pl.DataFrame = marketing.campaigns
        #: ``activity_contentasset`` rows.
        self.content: pl.DataFrame = marketing.content
        #: ``people_account`` rows.
        self.accounts: pl.DataFrame = accounts.frame
        self._clock = clock
        self._marketing = marketing
        self._accounts = accounts

    def expected_people(self) -> int:
        return self.config.leads

    def chunks(self) -> Iterator[DemoChunk]:
        """Generate the people and everything they did, one bounded chunk at a time.

        Each call starts over and yields the same chunks again.
        """
        counters = _Counters()
        for index, size in enumerate(_chunk_sizes(self.config.leads)):
            yield self._chunk(index, size, counters)

    def _chunk(self, index: int, size: int, counters: _Counters) -> DemoChunk:
        config = self.config
        rng = np.random.default_rng([config.seed, index, 0x5EED])
        first_person_id = index * CHUNK_SIZE + 1
        people = build_people(rng, size, first_person_id, index, self._accounts)
        touches = person_touches(rng, people, self._clock, self._marketing)
        funnel = run_funnel(
            rng,
            people,
            touches,
            accounts=self._accounts,
            clock=self._clock,
            misleading=self._marketing.asset_misleading,
        )
        visitors, cookies = visitor_touches(rng, size, self._clock)
        touch = touch_frame(
            rng,
            seed=config.seed,
            first_id=counters.touch,
            first_person_id=first_person_id,
            marketing=self._marketing,
            clock=self._clock,
            own=touches,
            sales=funnel.sales,
            visitors=visitors,
            visitor_cookies=cookies,
        )
        transitions = transition_frame(funnel, counters.transition, first_person_id)
        pipeline = pipeline_frames(
            rng,
            funnel.opportunities,
            people,
            self._accounts,
            self._clock,
            first_opportunity_id=counters.opportunity,
            first_contact_id=counters.contact,
            first_change_id=counters.change,
            first_person_id=first_person_id,
        )
        stuffed = np.flatnonzero(funnel.opportunities.stuffed) + counters.opportunity
        counters.touch += touch.height
        counters.transition += transitions.height
        counters.opportunity += pipeline.opportunities.height
        counters.contact += pipeline.contacts.height
        counters.change += pipeline.changes.height
        frames = {
            "people_person": _person_frame(people, touches, funnel, first_person_id),
            "activity_touch": touch,
            "lifecycle_stagetransition": transitions,
            "pipeline_opportunity": pipeline.opportunities,
            "pipeline_opportunitycontact": pipeline.contacts,
            "pipeline_opportunitychange": pipeline.changes,
        }
        return DemoChunk(
            people=size,
            frames=frames,
            stuffed_opportunity_ids=tuple(int(i) for i in stuffed),
        )


@dataclass
class _Counters:
    """Next id of each chunked table; ids run on across chunks."""

    touch: int = 1
    transition: int = 1
    opportunity: int = 1
    contact: int = 1
    change: int = 1


def _chunk_sizes(leads: int) -> list[int]:
    full, rest = divmod(leads, CHUNK_SIZE)
    return [CHUNK_SIZE] * full + ([rest] if rest else [])


def generate(config: DemoConfig) -> DemoCompany:
    """The demo company for ``config``: catalog frames now, people lazily by chunk."""
    now = config.now.astimezone(UTC)
    clock = Clock(start=to_us(months_before(now, config.months)), now=to_us(now))
    marketing = build_marketing(clock)
    accounts = build_accounts(config.seed, _chunk_sizes(config.leads), clock)
    return DemoCompany(config, clock=clock, marketing=marketing, accounts=accounts)


def _person_frame(
    people: People, touches: PersonTouches, funnel: Funnel, first_id: int
) -> pl.DataFrame:
    n = people.n
    stage_changed = datetimes(funnel.stage_changed, "stage_changed_at")
    return pl.DataFrame(
        [
            pl.Series("id", np.arange(first_id, first_id + n, dtype=np.int64)),
            people.email.alias("email"),
            people.first_name.alias("first_name"),
            people.last_name.alias("last_name"),
            people.title.alias("title"),
            strings(PERSONA_NAMES, people.persona, "persona"),
            people.phone.alias("phone"),
            strings(tuple(c.code for c in COUNTRIES), people.country, "country"),
            nullable_ids(np.where(people.account >= 0, people.account + 1, -1), "account_id"),
            strings(tuple(s.value for s in STAGES), funnel.stage, "stage"),
            stage_changed,
            pl.Series("rule_score", np.zeros(n)),
            pl.Series("fit_score", np.zeros(n)),
            pl.Series("engagement_score", np.zeros(n)),
            pl.Series("predicted_probability", [None] * n, dtype=pl.Float64),
            nullable_ids(funnel.owner, "owner_id"),
            strings(tuple(c.value for c in Channel), people.source, "source"),
            strings(CONSENT_VALUES, people.consent, "consent"),
            datetimes(touches.created, "created_at"),
            stage_changed.alias("updated_at"),
        ]
    )
