"""The semantic method (the ``revloop[semantic]`` extra): offline, and never worse than
the rules it adds to. Skipped where the extra is not installed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from revloop.engine.truth import Checker, load_catalog
from revloop.engine.truth.evaluate import evaluate, load_cases
from revloop.engine.truth.semantic import available, load_encoder

pytestmark = pytest.mark.skipif(not available(), reason="revloop[semantic] is not installed")

DATA = Path(__file__).resolve().parents[1] / "data" / "copy_checks"


@pytest.fixture(scope="module")
def semantic() -> Checker:
    return Checker(load_catalog(DATA / "catalog.yaml"), load_encoder())


def test_the_model_loads_from_the_package_and_gives_unit_vectors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No network: the hub is off, so a download attempt would fail loudly.
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    vectors = load_encoder().encode(["Shipping is free", "Delivery costs nothing"])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_it_keeps_every_finding_of_the_rules(semantic: Checker) -> None:
    lexical = Checker(semantic.catalog)
    for case in load_cases(DATA / "dev.yaml"):
        rules = {f.fact for f in lexical.check(case.raw, case.format).findings}
        both = {f.fact for f in semantic.check(case.raw, case.format).findings}
        assert rules <= both, case.id


def test_precision_on_the_labelled_snippets(semantic: Checker) -> None:
    for part in ("dev", "heldout"):
        score = evaluate(semantic, load_cases(DATA / f"{part}.yaml"))
        assert score.precision >= 0.9, (part, score.false_alarms)
