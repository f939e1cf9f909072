"""Small builders for model rows in tests (explicit values, no randomness)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from itertools import count
from typing import Any

from revloop.activity.models import Touch
from revloop.engine.identity.email import canonical_email
from revloop.lifecycle.models import StageTransition
from revloop.people.models import Account, Person
from revloop.pipeline.models import Opportunity

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
_seq = count(1)


def account(**fields: Any) -> Account:
    n = next(_seq)
    defaults: dict[str, Any] = {"name": f"Acme {n}", "domain": f"acme{n}.example", "created_at": T0}
    return Account.objects.create(**(defaults | fields))


def person(**fields: Any) -> Person:
    n = next(_seq)
    defaults: dict[str, Any] = {
        "email": f"p{n}@acme.example",
        "created_at": T0,
        "stage_changed_at": T0,
    }
    values = defaults | fields
    # The identity key as every ingestion path writes it; tests of the unique
    # lower(email) constraint pass their own key to get past this one.
    values.setdefault("email_key", canonical_email(values["email"]))
    return Person.objects.create(**values)


def touch(**fields: Any) -> Touch:
    n = next(_seq)
    defaults: dict[str, Any] = {"event_id": f"evt-{n}", "occurred_at": T0, "type": "page_view"}
    return Touch.objects.create(**(defaults | fields))


def transition(subject: Person, **fields: Any) -> StageTransition:
    defaults: dict[str, Any] = {
        "from_stage": "lead",
        "to_stage": "mql",
        "at": T0,
        "by_rule": "test",
    }
    return StageTransition.objects.create(person=subject, **(defaults | fields))


def opportunity(**fields: Any) -> Opportunity:
    n = next(_seq)
    defaults: dict[str, Any] = {
        "name": f"Deal {n}",
        "amount": Decimal("12000.00"),
        "stage": "discovery",
        "close_date": T0.date(),
        "created_at": T0,
    }
    return Opportunity.objects.create(**(defaults | fields))


def sla_breach(person: Person, **fields: Any) -> Any:
    """A missed first-touch deadline of ``person``, with the assignment and clock it needs."""
    from datetime import timedelta

    from revloop.routing.models import Assignment, SlaBreach, SlaClock
    from revloop.users.models import User

    n = next(_seq)
    rep = User.objects.create_user(f"rep{n}")
    assignment = Assignment.objects.create(person=person, rep=rep, at=T0, rule_id="test")
    due = T0 + timedelta(hours=4)
    clock = SlaClock.objects.create(
        person=person,
        assignment=assignment,
        rep=rep,
        kind="first_touch",
        started_at=T0,
        due_at=due,
        breached_at=due,
    )
    defaults: dict[str, Any] = {"kind": "first_touch", "due_at": due, "detected_at": due}
    return SlaBreach.objects.create(clock=clock, person=person, rep=rep, **(defaults | fields))
