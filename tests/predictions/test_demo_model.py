"""The demo company is set up with an active predictive model that earned its place.

`revloop demo` trains at set-up so every page shows a chance to win; the model is
activated only because it beats the naive-Bayes baseline on held-out people (15,000
leads give about 220 decided customers; 5,000 give about 60, too few to tell the
two apart, and that model would rightly stay inactive).
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from revloop.people.models import Person
from revloop.predictions.models import PredictiveModel


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_set_up_activates_a_model_that_beats_the_baseline() -> None:
    out = StringIO()
    call_command("demo", "--no-serve", stdout=out, stderr=out)
    stored = PredictiveModel.objects.get(active=True)
    assert stored.trigger == "seed"
    figures = stored.evaluation
    assert figures["activation"]["activated"] is True
    assert figures["activation"]["forced"] is False
    assert figures["model"]["auc"] > figures["baseline"]["auc"]
    assert figures["holdout"] is not None
    assert stored.people_scored > 0
    undecided = Person.objects.exclude(stage__in=["customer", "disqualified", "recycled"])
    assert not undecided.filter(predicted_probability__isnull=True).exists()
