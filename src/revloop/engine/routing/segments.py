"""Segment conditions (``when``) compiled once into set lookups.

Countries compare as upper-case ISO codes; regions and industries ignore case; a
size range needs a known employee count.
"""

from __future__ import annotations

from collections.abc import Callable

from revloop.engine.contract.schema import Segment
from revloop.engine.routing.facts import LeadFacts

Matcher = Callable[[LeadFacts], bool]


def compile_segment(segment: Segment) -> Matcher:
    """A predicate that holds when every condition the segment gives holds."""
    countries = frozenset(country.upper() for country in segment.countries)
    regions = frozenset(region.casefold() for region in segment.regions)
    industries = frozenset(industry.casefold() for industry in segment.industries)
    tiers = frozenset(segment.tiers)
    size = segment.size

    def matches(lead: LeadFacts) -> bool:
        if countries and lead.country.upper() not in countries:
            return False
        if regions and lead.region.casefold() not in regions:
            return False
        if industries and lead.industry.casefold() not in industries:
            return False
        if tiers and lead.tier not in tiers:
            return False
        return size is None or (lead.employees is not None and size.contains(lead.employees))

    return matches
