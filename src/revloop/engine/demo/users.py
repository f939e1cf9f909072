"""The demo company's revloop users: one or more per role, two sales teams."""

from __future__ import annotations

from dataclasses import dataclass

from revloop.engine.vocabulary import Role

_DOMAIN = "brightline.io"


@dataclass(frozen=True)
class DemoUser:
    """A user to create; ``key`` is what the generated frames' user columns hold."""

    key: int
    username: str
    first_name: str
    last_name: str
    email: str
    role: str
    team: str
    time_zone: str
    manager_key: int | None


_NEW_YORK = "America/New_York"
_BERLIN = "Europe/Berlin"

# (username, first, last, role, team, zone, manager key). Managers come before
# their reports so a loader creating users in key order can link them at once.
_SPECS: tuple[tuple[str, str, str, Role, str, str, int | None], ...] = (
    ("ada", "Ada", "Okafor", Role.ADMIN, "", _NEW_YORK, None),
    ("maya", "Maya", "Patel", Role.MARKETING, "Marketing", _NEW_YORK, None),
    ("marco", "Marco", "Bianchi", Role.MARKETING, "Marketing", _BERLIN, None),
    ("nina", "Nina", "Brooks", Role.SALES_MANAGER, "NA", _NEW_YORK, None),
    ("erik", "Erik", "Lindqvist", Role.SALES_MANAGER, "EMEA", _BERLIN, None),
    ("rachel", "Rachel", "Kim", Role.SALES_REP, "NA", _NEW_YORK, 3),
    ("tom", "Tom", "Callahan", Role.SALES_REP, "NA", _NEW_YORK, 3),
    ("devon", "Devon", "Harris", Role.SALES_REP, "NA", _NEW_YORK, 3),
    ("lena", "Lena", "Vogel", Role.SALES_REP, "EMEA", _BERLIN, 4),
    ("jonas", "Jonas", "Weber", Role.SALES_REP, "EMEA", _BERLIN, 4),
    ("sofia", "Sofia", "Marino", Role.SALES_REP, "EMEA", _BERLIN, 4),
    ("victor", "Victor", "Lane", Role.VIEWER, "", _NEW_YORK, None),
)

#: Keys of the sales reps of each team; leads are routed within a team.
NA_REPS: tuple[int, ...] = (5, 6, 7)
EMEA_REPS: tuple[int, ...] = (8, 9, 10)


def demo_users() -> list[DemoUser]:
    """Six reps (three per team), two managers, two marketers, an admin and a viewer."""
    return [
        DemoUser(
            key=key,
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@{_DOMAIN}",
            role=role.value,
            team=team,
            time_zone=zone,
            manager_key=manager,
        )
        for key, (username, first, last, role, team, zone, manager) in enumerate(_SPECS)
    ]
