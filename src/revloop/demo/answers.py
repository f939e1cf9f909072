"""``revloop demo answers``: the demo's answer key, in the ids this database stores.

The static part (channels, content, reps) comes from the generator's ground truth
(:func:`revloop.engine.demo.answers.static_answers`); the stuffed opportunities from
what the seeding recorded (:class:`~revloop.demo.models.DemoSeed`). Every id is checked
against the database: an asset is matched by id and title, a rep by username, and an
opportunity must exist, so the key names rows that are really there.
"""

from __future__ import annotations

from typing import Any

from revloop.activity.models import ContentAsset
from revloop.core.errors import NotFoundError
from revloop.demo.models import DemoSeed
from revloop.engine.demo.answers import static_answers
from revloop.pipeline.models import Opportunity
from revloop.users.models import User

_CONTENT_KEYS = ("best_content", "worst_content", "misinforming_content")
_REP_KEYS = ("slow_responders", "pipeline_stuffers")


def _stored_content_ids(answers: dict[str, Any]) -> dict[int, int]:
    """Generated asset id → stored id; the same unless the catalog was edited since."""
    wanted = {row["id"]: row["title"] for key in _CONTENT_KEYS for row in answers[key]}
    stored = dict(
        ContentAsset.objects.filter(title__in=set(wanted.values()))
        .order_by("id")
        .values_list("id", "title")
    )
    by_title: dict[str, int] = {}
    for pk, title in stored.items():
        by_title.setdefault(title, pk)
    mapping: dict[int, int] = {}
    for generated, title in wanted.items():
        if stored.get(generated) == title:
            mapping[generated] = generated
        elif title in by_title:
            mapping[generated] = by_title[title]
        else:
            raise NotFoundError(f"content asset {title!r} (demo id {generated}) is not stored")
    return mapping


def demo_answers() -> dict[str, Any]:
    """The answer key of the demo company seeded in this database."""
    record = DemoSeed.objects.first()
    if record is None:
        raise NotFoundError(
            "no demo seeding is recorded in this database: `revloop demo` seeds one "
            "(a database seeded before seedings were recorded needs seeding again)"
        )
    answers = static_answers()

    content = _stored_content_ids(answers)
    for key in _CONTENT_KEYS:
        for row in answers[key]:
            row["id"] = content[row["id"]]

    usernames = {row["username"] for key in _REP_KEYS for row in answers[key]}
    user_ids = dict(User.objects.filter(username__in=usernames).values_list("username", "id"))
    for key in _REP_KEYS:
        for row in answers[key]:
            if row["username"] not in user_ids:
                raise NotFoundError(f"demo user {row['username']!r} is not stored")
            row["id"] = user_ids[row["username"]]

    planted = sorted(int(i) for i in record.stuffed_opportunity_ids)
    present = set(Opportunity.objects.filter(pk__in=planted).values_list("pk", flat=True))
    answers["stuffed_opportunities"] = [pk for pk in planted if pk in present]
    answers["stuffed_opportunities_missing"] = [pk for pk in planted if pk not in present]
    answers["seeding"] = {
        "leads": record.leads,
        "seed": record.seed,
        "generated_for": record.generated_for.isoformat(),
        "months": record.months,
        "seeded_at": record.seeded_at.isoformat(),
    }
    return answers
