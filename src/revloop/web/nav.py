"""The main navigation: one line per page, in the order it is shown.

A page joins the navigation by adding its line to ``NAV``. ``permission`` names the
rule of the access policy (``revloop.users.policy``) that the page itself requires, so
the link shows exactly to those the page lets in and nobody is led to a refusal. A line
whose route does not exist in this build is left out rather than breaking every page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from revloop.users.models import User
from revloop.users.policy import Reach, reach, role_names


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    #: The policy permission the page requires; None: only for staff (Django's admin).
    permission: str | None
    #: Other routes that belong to this entry (it is marked current on them too).
    also: tuple[str, ...] = ()


NAV: tuple[NavItem, ...] = (
    NavItem("Home", "home", "analytics.read"),
    NavItem("Leads", "leads", "people.read", also=("person", "brief")),
    NavItem("Inbox", "inbox", "inbox.read"),
    NavItem("Accounts", "accounts", "people.read", also=("account",)),
    NavItem("Pipeline", "pipeline", "pipeline.read", also=("opportunities", "opportunity")),
    NavItem("Marketing", "marketing", "analytics.read"),
    NavItem(
        "Contract",
        "contract",
        "people.read",
        also=("contract-version", "contract-diff", "contract-propose", "contract-backtest"),
    ),
    NavItem("Goals", "goals", "analytics.read", also=("plan",)),
    NavItem("Field insights", "insights", "analytics.read"),
    NavItem("Check copy", "copy-check", "copy.check"),
    NavItem("Import", "imports", "imports.open"),
    NavItem("Tracking", "tracking-settings", "tracking.manage"),
    NavItem("API", "api:openapi-view", "api.docs"),
    NavItem("Admin", "admin:index", None),
)


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool


def _may_see(item: NavItem, user: User, roles: frozenset[str]) -> bool:
    if item.permission is None:
        return user.is_staff
    return reach(user, item.permission, roles) is not Reach.NONE


def nav_links(user: User, current: str | None, items: tuple[NavItem, ...] = NAV) -> list[NavLink]:
    """The links ``user`` may follow, the one for ``current`` (a route name) marked."""
    links = []
    # The roles are read once for every link, not once per link.
    roles = role_names(user)
    for item in items:
        if not _may_see(item, user, roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        here = current is not None and (current == item.url_name or current in item.also)
        links.append(NavLink(item.label, url, here))
    return links
