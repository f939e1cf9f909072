"""The access policy: who may do what, to which records, in one table.

Every action, page, endpoint and command asks :func:`require` (or :func:`allows`) with a
permission named here; nothing else in revloop reads roles to decide access. A
permission gives each role a *reach*:

- ``ANY``: every record;
- ``TEAM``: records the user's team owns (the user and those whose ``manager`` they
  are); for a team's goals, the team the user leads;
- ``OWN``: records the user owns (a lead's ``owner``, or the user themselves);
- no entry: refused.

A permission checked without a record needs only some reach (a list then shows what
is within it: see :func:`owner_scope`). A superuser acts as an admin; an inactive or
anonymous user may do nothing. Roles are Django groups; an admin grants them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from django.db.models import Q

from revloop.core.errors import ForbiddenError
from revloop.engine.vocabulary import Role
from revloop.users.models import User


class Reach(IntEnum):
    NONE = 0
    OWN = 1
    TEAM = 2
    ANY = 3


#: The five roles of DESIGN.md and ``none`` (an account without a role), as named in
#: the policy table and in the access-matrix test.
ROLE_NAMES: tuple[str, ...] = (*(role.value for role in Role), "none")

_M, _R, _S, _A, _V = (
    Role.MARKETING,
    Role.SALES_REP,
    Role.SALES_MANAGER,
    Role.ADMIN,
    Role.VIEWER,
)
_EVERY_ROLE: Mapping[Role, Reach] = dict.fromkeys(Role, Reach.ANY)


@dataclass(frozen=True)
class Rule:
    """What a permission lets one do (``doing``, as in "X may not <doing>") and each
    role's reach."""

    doing: str
    reach: Mapping[Role, Reach]
    #: What a scoped reach counts in ("leads"): "may act only on their own leads".
    records: str = "records"
    #: Why the table is as it is, where a refusal would surprise ("admins sign for
    #: neither team").
    note: str = ""

    def roles(self) -> tuple[str, ...]:
        return tuple(role.value for role in Role if role in self.reach)


def _rule(doing: str, records: str = "records", **reach: Reach) -> Rule:
    return Rule(doing, {Role(name): r for name, r in reach.items()}, records)


_ANY, _TEAM, _OWN = Reach.ANY, Reach.TEAM, Reach.OWN

#: Every permission revloop checks. A new check adds its permission here.
PERMISSIONS: Mapping[str, Rule] = {
    # Reading: every role reads the shared records and reports; no role, nothing.
    "people.read": Rule("read people's records and briefs", _EVERY_ROLE),
    "analytics.read": Rule("read the reports", _EVERY_ROLE),
    "pipeline.read": Rule("read the pipeline checks and the forecast", _EVERY_ROLE),
    "copy.check": Rule("check marketing copy against the catalog", _EVERY_ROLE),
    "api.docs": Rule("read the API documentation", _EVERY_ROLE),
    # Working leads: a rep their own, a manager their team's, an admin everyone's.
    "lead.work": _rule(
        "work this lead (accept, reject, log activity, record an outcome)",
        "leads",
        sales_rep=_OWN,
        sales_manager=_TEAM,
        admin=_ANY,
    ),
    "inbox.read": _rule(
        "open this inbox", "inboxes", sales_rep=_OWN, sales_manager=_TEAM, admin=_ANY
    ),
    # Re-assigning takes a lead from a rep: the lead and the new owner must both be
    # within the manager's team.
    "lead.reassign": _rule(
        "re-assign this lead", "leads and reps", sales_manager=_TEAM, admin=_ANY
    ),
    # Whom routing and managers may give a lead to (a property of the assignee).
    "lead.own": _rule("own leads", sales_rep=_ANY, sales_manager=_ANY),
    "rep.away": _rule(
        "mark a rep away", "absences", sales_rep=_OWN, sales_manager=_TEAM, admin=_ANY
    ),
    "people.merge": _rule("merge people", marketing=_ANY, sales_manager=_ANY, admin=_ANY),
    # Data coming in: marketing owns leads, accounts, touches and audiences; the
    # pipeline belongs to sales management.
    # Reps send their meetings and calls; a viewer's or a role-less account's token
    # writes nothing, whatever its scope.
    "capture.write": _rule(
        "send people and events",
        marketing=_ANY,
        sales_rep=_ANY,
        sales_manager=_ANY,
        admin=_ANY,
    ),
    "imports.open": _rule("open the import page", marketing=_ANY, sales_manager=_ANY, admin=_ANY),
    "import.people": _rule("import people", marketing=_ANY, admin=_ANY),
    "import.accounts": _rule("import accounts", marketing=_ANY, admin=_ANY),
    "import.touches": _rule("import touches", marketing=_ANY, admin=_ANY),
    "import.campaign-members": _rule("import campaign members", marketing=_ANY, admin=_ANY),
    "import.opportunities": _rule("import opportunities", sales_manager=_ANY, admin=_ANY),
    "campaign.manage": _rule("manage campaign audiences", marketing=_ANY, admin=_ANY),
    # The signed documents.
    "contract.propose": _rule(
        "propose a lead contract", marketing=_ANY, sales_manager=_ANY, admin=_ANY
    ),
    "contract.withdraw": _rule(
        "withdraw a contract draft", marketing=_ANY, sales_manager=_ANY, admin=_ANY
    ),
    # A version needs one signature per team, so only the two signing roles sign.
    "contract.approve": Rule(
        "approve a lead contract",
        {_M: _ANY, _S: _ANY},
        note="admins sign for neither team: a signature is a team's",
    ),
    "catalog.save": _rule(
        "change the offer catalog", marketing=_ANY, sales_manager=_ANY, admin=_ANY
    ),
    # Goals: managers and admins set any team's; a marketer who leads others sets
    # Marketing's.
    "goal.set": _rule(
        "set this team's goals", "teams' goals", marketing=_TEAM, sales_manager=_ANY, admin=_ANY
    ),
    "pipeline.dismiss": _rule("dismiss a pipeline flag", sales_manager=_ANY, admin=_ANY),
    "tracking.manage": _rule("manage website tracking", marketing=_ANY, admin=_ANY),
    # Platform administration.
    "admin.manage": _rule("manage users, tokens, webhooks and workers", admin=_ANY),
    "audit.read": _rule("read the audit log", admin=_ANY),
    # Exports and erasures are the data controller's.
    "personal_data.handle": _rule("export or erase a person's data", admin=_ANY),
}

#: Who grants a role: said in every refusal, so the reader knows whom to ask.
GRANTED_BY = "an admin (Users in the admin site)"


def grantors(limit: int = 5) -> list[str]:
    """The usernames of a few active admins: whom a refused user can ask."""
    found = User.objects.filter(
        Q(is_superuser=True) | Q(groups__name=Role.ADMIN.value), is_active=True
    )
    return sorted(set(found.values_list("username", flat=True)[: limit * 2]))[:limit]


def role_names(user: User | None) -> frozenset[str]:
    """The user's roles as the policy reads them: a superuser is an admin, an inactive
    or anonymous user has none."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    # all(), not values_list(): it reads groups prefetched with the user (users.backends).
    names = frozenset(group.name for group in user.groups.all())
    return names | {Role.ADMIN.value} if user.is_superuser else names


def rule(permission: str) -> Rule:
    try:
        return PERMISSIONS[permission]
    except KeyError:
        raise KeyError(f"no permission {permission!r} in revloop.users.policy") from None


def reach(user: User | None, permission: str, roles: frozenset[str] | None = None) -> Reach:
    """How far ``permission`` goes for ``user``: the widest reach of any of their roles."""
    held = role_names(user) if roles is None else roles
    granted = rule(permission).reach
    return max(
        (granted[Role(name)] for name in held if name in _VALUES and Role(name) in granted),
        default=Reach.NONE,
    )


_VALUES = frozenset(role.value for role in Role)


def team_ids(manager: User) -> frozenset[int]:
    """The manager and the users who report to them."""
    return frozenset(
        {manager.pk, *User.objects.filter(manager=manager).values_list("pk", flat=True)}
    )


def owner_scope(user: User | None, permission: str) -> Callable[[int | None], bool]:
    """Whether ``permission`` reaches a record owned by a given user id (None: nobody).

    Roles and the team are read once, so a page of many records asks only once.
    """
    granted = reach(user, permission)
    if granted is Reach.ANY:
        return lambda owner_id: True
    if granted is Reach.TEAM:
        assert user is not None
        team = team_ids(user)
        return lambda owner_id: owner_id is not None and owner_id in team
    if granted is Reach.OWN:
        assert user is not None
        mine = user.pk
        return lambda owner_id: owner_id == mine
    return lambda owner_id: False


@dataclass(frozen=True)
class Owned:
    """A record named only by its owner's id (None: nobody's), for a check made before
    the record itself is loaded."""

    owner_id: int | None


def _owner_of(obj: Any) -> int | None:
    """The id of the user a record belongs to: a user is their own, a lead its owner's."""
    if isinstance(obj, User):
        return int(obj.pk)
    owner_id = getattr(obj, "owner_id", None)
    return None if owner_id is None else int(owner_id)


def _within(user: User, granted: Reach, obj: Any) -> bool:
    if granted is Reach.ANY or obj is None:
        return granted > Reach.NONE
    if isinstance(obj, str):
        # A team named by its name: a user leads it when it is their own team and
        # somebody reports to them.
        return granted >= Reach.TEAM and _leads(user, obj)
    owner = _owner_of(obj)
    if granted is Reach.OWN:
        return owner is not None and owner == user.pk
    return owner is not None and owner in team_ids(user)


def _leads(user: User, team: str) -> bool:
    own = {r.value for r in Role if r.value in role_names(user)}
    return team in own and User.objects.filter(manager=user).exists()


def allows(user: User | None, permission: str, obj: Any = None) -> bool:
    """May ``user`` do ``permission`` (to ``obj``: a lead, a user, a team's name)?"""
    granted = reach(user, permission)
    if granted is Reach.NONE:
        return False
    assert user is not None
    return _within(user, granted, obj)


def require(user: User | None, permission: str, obj: Any = None, *, what: str = "") -> None:
    """Return when :func:`allows`; otherwise raise :class:`ForbiddenError` saying what is
    missing and who can grant it. ``what`` names the record in the message."""
    if allows(user, permission, obj):
        return
    raise refusal(user, permission, what=what)


def refusal(user: User | None, permission: str, *, what: str = "") -> ForbiddenError:
    """The error :func:`require` raises, for a check that needs more than the table."""
    found = rule(permission)
    who = user.username if user is not None and user.is_authenticated else "an anonymous user"
    held = role_names(user)
    subject = f" ({what})" if what else ""
    granted = reach(user, permission, held)
    if granted > Reach.NONE:
        whose = "their own" if granted is Reach.OWN else "their own and their team's"
        reason = f"{who} may act only on {whose} {found.records}"
    else:
        reason = f"that needs {_needs(found)}; they have {_listed(held) or 'no role'}"
    if found.note:
        reason += f" ({found.note})"
    return ForbiddenError(
        f"{who} may not {found.doing}{subject}: {reason}. Roles are granted by {GRANTED_BY}.",
        permission=permission,
        roles=found.roles(),
    )


_REACH_WORDS = {Reach.ANY: "", Reach.TEAM: " (their team's)", Reach.OWN: " (their own)"}


def _needs(found: Rule) -> str:
    parts = [f"{role.value}{_REACH_WORDS[r]}" for role, r in found.reach.items()]
    if not parts:
        return "a role no one has"
    listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} or {parts[-1]}"
    return f"the role {listed}"


def _listed(roles: frozenset[str]) -> str:
    return ", ".join(sorted(roles))
