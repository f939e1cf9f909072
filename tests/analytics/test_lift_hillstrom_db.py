"""The known-lift test stored in revloop: members imported with their arm, visits as
touches, purchases as won opportunities. The campaign's lift is the file's, to the digit."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from revloop.activity.models import Touch
from revloop.analytics.lift import campaign_lift
from revloop.people.models import Person
from revloop.pipeline.models import Opportunity
from tests.analytics.lift_fixtures import CONTROL, hillstrom_like, write_csv
from tests.factories import T0

pytestmark = pytest.mark.django_db

JOINED = T0 + timedelta(days=30)
PER_ARM = 300
#: The file's outcome and the campaign's outcome it becomes in revloop.
SAME = {"visit": "visit", "conversion": "win", "spend": "revenue"}


def _json(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_campaign_lift_in_the_database_is_the_files(tmp_path: Path) -> None:
    rows = hillstrom_like(per_arm=PER_ARM)
    for i, row in enumerate(rows):
        row["email"] = f"customer{i}@shop{i % 40}.example"
        row["added_at"] = JOINED.isoformat()
    members = write_csv(rows, tmp_path / "members.csv")
    imported = _json(
        "import", "campaign-members", str(members), "--campaign", "Hillstrom e-mail test",
        "--group-column", "segment", "--control", CONTROL,
    )  # fmt: skip
    assert imported["added"] == {"control": PER_ARM, "treatment": 2 * PER_ARM}

    people = dict(Person.objects.values_list("email", "pk"))
    touches, deals = [], []
    for i, row in enumerate(rows):
        pk = people[row["email"]]
        if row["visit"] == "1":
            at = JOINED + timedelta(days=2)
            touches.append(Touch(event_id=f"v{i}", person_id=pk, occurred_at=at, type="page_view"))
        if row["conversion"] == "1":
            deals.append(
                Opportunity(
                    name=f"Order {i}", primary_contact_id=pk, amount=Decimal(row["spend"]),
                    stage="won", close_date=JOINED.date(), created_at=JOINED + timedelta(days=3),
                )
            )  # fmt: skip
    Touch.objects.bulk_create(touches)
    Opportunity.objects.bulk_create(deals)

    from_db = campaign_lift("Hillstrom e-mail test")
    args = ["lift", "--csv", str(members), "--group-column", "segment", "--control", CONTROL]
    for outcome in SAME:
        args += ["--outcome", outcome]
    from_file = _json(*args)

    assert from_db["design"] == "randomised"
    assert from_db["control"] == CONTROL
    for file_name, db_name in SAME.items():
        on_file = next(o for o in from_file["outcomes"] if o["outcome"] == file_name)
        in_db = next(o for o in from_db["outcomes"] if o["outcome"] == db_name)
        assert in_db["groups"] == on_file["groups"], db_name
        # Same rows, same sums in the same order: the same bits, not merely close.
        assert in_db["lifts"] == on_file["lifts"], db_name
    women = next(o for o in from_db["outcomes"] if o["outcome"] == "visit")["groups"]
    assert [(g["group"], g["numerator"]) for g in women] == [
        (CONTROL, 32),
        ("Mens E-Mail", 55),
        ("Womens E-Mail", 45),
    ]
