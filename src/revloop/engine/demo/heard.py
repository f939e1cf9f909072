"""What Brightline's reps hear after they accept a lead: questions and objections.

Drawn after the rest of the company, from a random stream of its own, so adding
them changes nothing else the generator makes. What is planted (and what field
insights should find):

- price per vehicle and contract length come up about three times as often on
  deals that were lost as on the others;
- ELD / hours-of-service compliance is asked about more and more (three times as
  often for leads accepted in the last 45 days);
- no content speaks to contract length or to paying monthly: content gaps; the
  pricing page, the security overview, the sensor datasheet, the driver safety
  paper and the switching guide each speak to a topic of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]

#: Salt of this stream: independent of every other draw of the generator.
STREAM = 0x4EA2D
#: Questions and objections per accepted lead (Poisson mean).
PER_LEAD = 0.7
DAY_US = 86_400_000_000


@dataclass(frozen=True)
class HeardTopic:
    key: str
    weight: float
    #: (kind, text) as reps write them down.
    phrasings: tuple[tuple[str, str], ...]
    lost_factor: float = 1.0
    recent_factor: float = 1.0


Q, OB = "question", "objection"

TOPICS: tuple[HeardTopic, ...] = (
    HeardTopic(
        "price_per_vehicle",
        1.6,
        (
            (Q, "How much does it cost per vehicle per month?"),
            (Q, "What is the price per vehicle on the Pro plan?"),
            (OB, "Price per truck is higher than what we pay today."),
            (Q, "Is there a volume discount on the per-vehicle price?"),
            (OB, "Too expensive per vehicle for our margins."),
            (Q, "Can you send a quote for 60 vehicles?"),
        ),
        lost_factor=3.0,
    ),
    HeardTopic(
        "contract_length",
        0.8,
        (
            (OB, "Three-year contract term is a deal breaker for us."),
            (Q, "Can we sign a one-year contract instead of three?"),
            (Q, "Is there a shorter contract term?"),
            (OB, "Legal will not sign a multi-year commitment."),
        ),
        lost_factor=3.0,
    ),
    HeardTopic(
        "monthly_billing",
        0.6,
        (
            (Q, "Can we pay monthly instead of annually?"),
            (Q, "Is month-to-month billing possible?"),
            (OB, "Paying a year up front does not work for our finance team."),
        ),
    ),
    HeardTopic(
        "eld_compliance",
        0.6,
        (
            (Q, "Is the platform ELD certified for hours of service?"),
            (Q, "Do you support ELD and hours-of-service logs for our drivers?"),
            (Q, "We need FMCSA ELD compliance, is that covered?"),
            (Q, "Are your ELD devices on the FMCSA registered list?"),
        ),
        recent_factor=3.0,
    ),
    HeardTopic(
        "integrations",
        1.2,
        (
            (Q, "Does it integrate with our SAP ERP?"),
            (Q, "Can you connect to our TMS and push trips into it?"),
            (Q, "Is there an integration with our fuel cards?"),
            (Q, "Do you have an open API to export trip data?"),
            (OB, "Without an ERP integration we would retype every invoice."),
        ),
    ),
    HeardTopic(
        "data_hosting",
        0.7,
        (
            (Q, "Where is our fleet data hosted, EU or US?"),
            (Q, "Is the data hosted in the EU for GDPR?"),
            (Q, "How is our fleet data encrypted and who can access it?"),
            (OB, "Our security team needs an audit report before we go further."),
        ),
    ),
    HeardTopic(
        "sensor_battery",
        0.5,
        (
            (Q, "How long does the sensor battery last?"),
            (Q, "What is the battery life of the door sensors?"),
            (Q, "Do the temperature sensors need new batteries every year?"),
        ),
    ),
    HeardTopic(
        "switching",
        0.6,
        (
            (Q, "How do we move our history from our current telematics provider?"),
            (OB, "Switching providers mid-contract sounds painful."),
            (Q, "Can you migrate our historical trip data from the old tracker?"),
        ),
    ),
    HeardTopic(
        "driver_pushback",
        0.6,
        (
            (OB, "Our drivers will see the tracking as spying."),
            (Q, "How do other fleets get drivers to accept scorecards?"),
            (OB, "The union will push back on driver scoring."),
        ),
    ),
)


@dataclass(frozen=True)
class Heard:
    """One row per item: indexes into the inputs, and what was said."""

    lead: I64
    at_us: I64
    kind: tuple[str, ...]
    text: tuple[str, ...]


def heard_items(
    seed: int,
    now_us: int,
    accepted_at_us: I64,
    deal_lost: npt.NDArray[np.bool_],
) -> Heard:
    """Questions and objections for each accepted lead (``accepted_at_us``, in order).

    ``deal_lost`` says whether the lead's deal was lost. Items fall in the 30 days
    after acceptance, never after ``now_us``.
    """
    rng = np.random.default_rng([seed, STREAM])
    n = len(accepted_at_us)
    recent = accepted_at_us >= now_us - 45 * DAY_US
    counts = rng.poisson(PER_LEAD, n)
    lead = np.repeat(np.arange(n, dtype=np.int64), counts)
    base = np.array([t.weight for t in TOPICS])
    lost = np.array([t.lost_factor for t in TOPICS])
    fresh = np.array([t.recent_factor for t in TOPICS])
    weights = base[None, :] * np.where(deal_lost[lead, None], lost[None, :], 1.0)
    weights = weights * np.where(recent[lead, None], fresh[None, :], 1.0)
    cumulative = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    topic = (rng.random(len(lead))[:, None] > cumulative).sum(axis=1)
    topic = np.minimum(topic, len(TOPICS) - 1)
    pick = rng.random(len(lead))
    delay = (rng.random(len(lead)) * 30 * DAY_US).astype(np.int64)
    at = np.minimum(accepted_at_us[lead] + delay, now_us - 60_000_000)
    keep = at > accepted_at_us[lead]
    kinds: list[str] = []
    texts: list[str] = []
    for t, p in zip(topic[keep].tolist(), pick[keep].tolist(), strict=True):
        phrasings = TOPICS[t].phrasings
        kind, text = phrasings[min(int(p * len(phrasings)), len(phrasings) - 1)]
        kinds.append(kind)
        texts.append(text)
    return Heard(lead=lead[keep], at_us=at[keep], kind=tuple(kinds), text=tuple(texts))
