"""Precision, recall and speed of the copy checker on the labelled snippets.

    .venv/bin/python benchmarks/bench_copy_checker.py [--data tests/data/copy_checks] [--repeat 5]

Runs every available method (``lexical`` always; ``semantic`` when the
``revloop[semantic]`` extra is installed) over both parts of the labelled set:
``dev`` (the rules were tuned on it) and ``heldout`` (written before any tuning and
never used for it). Scoring counts (snippet, fact id) pairs. Speed is snippets per
second over ``--repeat`` passes, after one warm-up pass (model loading excluded and
reported apart).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from revloop.engine.truth import Checker, load_catalog
from revloop.engine.truth.evaluate import evaluate, load_cases

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "tests" / "data" / "copy_checks")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--verbose", action="store_true", help="list each miss and false alarm")
    args = parser.parse_args()
    catalog = load_catalog(args.data / "catalog.yaml")
    parts = {name: load_cases(args.data / f"{name}.yaml") for name in ("dev", "heldout")}

    methods: dict[str, Checker] = {"lexical": Checker(catalog)}
    from revloop.engine.truth.semantic import SemanticUnavailable, load_encoder

    try:
        started = time.perf_counter()
        encoder = load_encoder()
        methods["semantic"] = Checker(catalog, encoder)
        print(f"semantic model loaded in {time.perf_counter() - started:.1f} s")
    except SemanticUnavailable as exc:
        print(f"semantic: skipped ({exc})")

    print(
        f"{'method':<9} {'part':<8} {'cases':>5} {'tp':>4} {'fp':>4} {'fn':>4} "
        f"{'precision':>9} {'recall':>7} {'snippets/s':>11}"
    )
    for method, checker in methods.items():
        for part, cases in parts.items():
            score = evaluate(checker, cases)  # warm-up, and the figures
            started = time.perf_counter()
            for _ in range(args.repeat):
                evaluate(checker, cases)
            rate = args.repeat * len(cases) / (time.perf_counter() - started)
            print(
                f"{method:<9} {part:<8} {score.cases:>5} {score.true_positives:>4} "
                f"{score.false_positives:>4} {score.false_negatives:>4} "
                f"{score.precision:>9.3f} {score.recall:>7.3f} {rate:>11.0f}"
            )
            if args.verbose:
                for case, fact in score.misses:
                    print(f"    missed       {case} {fact}")
                for case, fact in score.false_alarms:
                    print(f"    false alarm  {case} {fact}")


if __name__ == "__main__":
    main()
