"""The main navigation: one line per page, in the order it is shown.

A page joins the navigation by adding its line to ``NAV``. ``roles`` says who sees the
link (``None``: anyone with a revloop role); it mirrors the rule the page itself
enforces, so nobody is led to a refusal. A line whose route does not exist in this build
is left out rather than breaking every page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from revloop.engine.vocabulary import Role
from revloop.users.models import User

_SALES = frozenset({Role.SALES_REP, Role.SALES_MANAGER, Role.ADMIN})
_IMPORTERS = frozenset({Role.MARKETING, Role.SALES_MANAGER, Role.ADMIN})
_TRACKERS = frozenset({Role.MARKETING, Role.ADMIN})


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    #: Roles that see the link; None: every user with a role.
    roles: frozenset[str] | None = None
    #: Other routes that belong to this entry (it is marked current on them too).
    also: tuple[str, ...] = ()
    #: Only for staff (Django's admin).
    staff: bool = False


NAV: tuple[NavItem, ...] = (
    NavItem("Home", "home"),
    NavItem("Leads", "leads", also=("person", "brief")),
    NavItem("Inbox", "inbox", roles=_SALES),
    NavItem("Accounts", "accounts", also=("account",)),
    NavItem("Pipeline", "pipeline", also=("opportunities", "opportunity")),
    NavItem("Marketing", "marketing"),
    NavItem(
        "Contract",
        "contract",
        also=("contract-version", "contract-diff", "contract-propose", "contract-backtest"),
    ),
    NavItem("Goals", "goals", also=("plan",)),
    NavItem("Field insights", "insights"),
    NavItem("Check copy", "copy-check"),
    NavItem("Import", "imports", roles=_IMPORTERS),
    NavItem("Tracking", "tracking-settings", roles=_TRACKERS),
    NavItem("Settings", "settings"),
    NavItem("API", "api:openapi-view"),
    NavItem("Admin", "admin:index", staff=True),
)


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool


def _may_see(item: NavItem, user: User, roles: frozenset[str]) -> bool:
    if item.staff:
        return user.is_staff
    if user.is_superuser:
        return True
    if item.url_name == "home":
        return True
    if not roles:
        return False
    return item.roles is None or bool(roles & item.roles)


def nav_links(user: User, current: str | None, items: tuple[NavItem, ...] = NAV) -> list[NavLink]:
    """The links ``user`` may follow, the one for ``current`` (a route name) marked."""
    roles = user.roles
    links = []
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
