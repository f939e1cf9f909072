"""`revloop model train|evaluate|show` on a real database and real files."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from revloop.demo.seed import seed_demo
from revloop.lifecycle.models import StageTransition
from revloop.people.models import Person
from revloop.predictions.models import PredictiveModel

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)


def _run(*args: str) -> object:
    out = StringIO()
    call_command("model", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_training_on_the_demo_stores_a_model_and_scores_open_people() -> None:
    seed_demo(leads=6000, seed=5, now=NOW)
    # Forced: this checks the storing and the scoring, whatever the verdict on a
    # history of this size (the activation rule has tests of its own below).
    result = _run("train", "--force")
    assert isinstance(result, dict)
    assert result["active"] is True
    assert result["rows"] > 500
    assert 10 <= result["positives"] < result["rows"]
    model_auc = result["evaluation"]["model"]["auc"]
    assert model_auc > 0.7  # the generator's signal is strong; chance is 0.5
    open_people = Person.objects.exclude(stage__in=["customer", "disqualified", "recycled"])
    assert result["people_scored"] == open_people.count()
    probabilities = np.array(
        open_people.values_list("predicted_probability", flat=True), dtype=float
    )
    assert np.all((probabilities >= 0) & (probabilities <= 1))
    # People who asked for a demo are likelier customers than people who did not.
    demo = open_people.filter(touches__content__kind="demo_request").distinct()
    assert demo.exists()
    asked = np.mean(list(demo.values_list("predicted_probability", flat=True)))
    assert asked > np.mean(probabilities)

    again = _run("train", "--force")
    assert isinstance(again, dict)
    assert PredictiveModel.objects.filter(active=True).get().pk == again["id"]
    assert PredictiveModel.objects.count() == 2
    shown = _run("show")
    assert [m["id"] for m in shown] == [again["id"], result["id"]]  # type: ignore[index]


@pytest.mark.django_db
def test_training_without_history_says_why() -> None:
    with pytest.raises(CommandError, match="cannot train"):
        call_command("model", "train")


def _export(path: Path, rows: int = 400) -> Path:
    rng = np.random.default_rng(3)
    visits, pages, size = rng.normal(size=(3, rows))
    signal = 0.8 * visits + 0.6 * pages + 0.5 * size
    converted = (signal + rng.normal(scale=0.8, size=rows) > 0.6).astype(int)
    lines = ["Lead ID,Visits,Pages,Employees,Source,Score Band,Lead Quality,Converted"]
    for i in range(rows):
        band = "A" if converted[i] else "C"  # filled in after the outcome was known
        quality = "High" if i % 2 else "Low"  # sales-entered: excluded by name
        source = "web" if i % 3 else "referral"
        lines.append(
            f"L{i:05d},{visits[i] * 3 + 10:.2f},{pages[i] * 2 + 6:.2f},"
            f"{int(200 * np.exp(size[i]))},{source},{band},{quality},{converted[i]}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.django_db
def test_evaluate_flags_leakage_and_drops_identifiers(tmp_path: Path) -> None:
    result = _run(
        "evaluate", "--csv", str(_export(tmp_path / "leads.csv")), "--target", "Converted"
    )
    assert isinstance(result, dict)
    assert "Score Band" in result["leaky"]
    assert "Score Band" not in result["used"]
    assert "Lead Quality" not in result["used"]
    assert "Lead ID" not in result["used"]
    assert "Visits" in result["used"]
    assert result["model"]["auc"] > 0.7
    assert result["baseline"]["auc"] is not None

    kept = _run(
        "evaluate", "--csv", str(tmp_path / "leads.csv"), "--target", "Converted", "--keep-leaky"
    )
    assert "Score Band" in kept["used"]  # type: ignore[index]


@pytest.mark.django_db
def test_evaluate_reports_a_missing_target_or_file(tmp_path: Path) -> None:
    path = _export(tmp_path / "leads.csv")
    with pytest.raises(CommandError, match="no column 'Won'"):
        call_command("model", "evaluate", "--csv", str(path), "--target", "Won")
    with pytest.raises(CommandError, match="no such file"):
        call_command("model", "evaluate", "--csv", str(tmp_path / "nope.csv"), "--target", "x")


@pytest.mark.django_db
def test_evaluate_on_the_real_lead_export(datasets: Path) -> None:
    export = next((datasets / "x-education-leads").glob("*.csv"))
    result = _run("evaluate", "--csv", str(export), "--target", "Converted")
    assert isinstance(result, dict)
    assert 0.8 < result["model"]["auc"] < 0.97
    assert result["model"]["auc"] >= result["baseline"]["auc"] - 0.01
    assert "Tags" not in result["used"]


def _history_the_baseline_wins(people: int = 1_200, titles: int = 80) -> None:
    """Decided people whose only signal is a job title with ~15 people each.

    The naive-Bayes baseline learns a won rate per title; the model pools every
    category seen fewer than 20 times into one, so it sees no signal at all and
    must lose to the baseline on held-out people.
    """
    rng = np.random.default_rng(11)
    good = set(rng.choice(titles, titles // 2, replace=False).tolist())
    start = datetime(2025, 6, 1, tzinfo=UTC)
    rows = []
    for i in range(people):
        title = i % titles
        won = rng.random() < (0.45 if title in good else 0.12)
        created = start + timedelta(hours=6 * i)
        rows.append(
            Person(
                email=f"lead{i}@fleet{i}.example",
                email_key=f"lead{i}@fleet{i}.example",
                title=f"title {title}",
                stage="customer" if won else "disqualified",
                created_at=created,
                stage_changed_at=created + timedelta(days=30),
            )
        )
    stored = Person.objects.bulk_create(rows)
    StageTransition.objects.bulk_create(
        StageTransition(
            person=p,
            from_stage="lead",
            to_stage="mql",
            at=p.created_at + timedelta(days=1),
            by_rule="test",
        )
        for p in stored
    )
    Person.objects.create(
        email="open@fleet.example",
        email_key="open@fleet.example",
        stage="lead",
        created_at=start,
        stage_changed_at=start,
    )


@pytest.mark.django_db
def test_a_model_that_loses_to_the_baseline_is_not_activated() -> None:
    _history_the_baseline_wins()
    result = _run("train")
    assert isinstance(result, dict)
    figures = result["evaluation"]
    assert figures["model"]["auc"] < figures["baseline"]["auc"]
    assert result["active"] is False
    assert result["activation"]["activated"] is False
    assert result["activation"]["reason"].startswith("not activated: on the shuffled folds")
    assert "--force" in result["activation"]["reason"]
    assert figures["beats_baseline"] is False
    assert result["people_scored"] == 0
    assert not PredictiveModel.objects.filter(active=True).exists()
    assert PredictiveModel.objects.count() == 1  # kept, for the record
    assert Person.objects.filter(predicted_probability__isnull=False).count() == 0

    out = StringIO()
    call_command("model", "train", stdout=out)
    assert "not activated" in out.getvalue()
    assert "scored nobody" in out.getvalue()


@pytest.mark.django_db
def test_force_activates_a_losing_model_and_says_so() -> None:
    _history_the_baseline_wins()
    forced = _run("train", "--force")
    assert isinstance(forced, dict)
    assert forced["active"] is True
    assert forced["activation"] == {
        "activated": True,
        "forced": True,
        "reason": forced["activation"]["reason"],
    }
    assert forced["activation"]["reason"].startswith("activated on request (--force)")
    assert forced["people_scored"] == 1
    # A later run that loses again leaves the forced model where it is.
    again = _run("train")
    assert isinstance(again, dict)
    assert again["active"] is False
    assert PredictiveModel.objects.get(active=True).pk == forced["id"]
