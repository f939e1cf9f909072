"""Markov order 1 from a ChannelAttribution path file, each side a whole process:
`revloop attribution --paths FILE --model markov --json` against a Python process that
reads the file with pandas and runs ``ChannelAttribution.markov_model``.

    python benchmarks/bench_paths_process.py --journeys 1000000

Both processes start cold (interpreter, imports, reading, fitting, output); the table
gives each one's wall time and the ratio, from one run of each.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
THEIRS = """
import contextlib, io, sys
import pandas as pd
with contextlib.redirect_stdout(io.StringIO()):
    import ChannelAttribution as ca
    data = pd.read_csv(sys.argv[1], sep=";")
    result = ca.markov_model(data, "path", "total_conversions",
        var_value="total_conversion_value", var_null="total_null", verbose=False, flg_pro=False)
print(result.to_json())
"""


def _bench_attribution() -> object:
    spec = importlib.util.spec_from_file_location(
        "bench_attribution", HERE / "bench_attribution.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_attribution"] = module
    spec.loader.exec_module(module)
    return module


def _timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--journeys", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20_260_101)
    opts = parser.parse_args()
    helpers = _bench_attribution()
    journeys = helpers.synthetic(opts.journeys, opts.seed)  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "paths.csv"
        helpers.write_paths_file(journeys, file)  # type: ignore[attr-defined]
        size = file.stat().st_size / 2**20
        ours = _timed(
            [
                str(BIN / "revloop"),
                "attribution",
                "--paths",
                str(file),
                "--model",
                "markov",
                "--json",
            ]
        )
        has_reference = importlib.util.find_spec("ChannelAttribution") is not None
        theirs = _timed([sys.executable, "-c", THEIRS, str(file)]) if has_reference else None
    print(f"paths file: {journeys.n_paths:,} paths, {journeys.n_touches:,} touches, {size:.0f} MiB")
    print(f"{'process':<52}{'seconds':>10}")
    print(f"{'revloop attribution --paths … --model markov':<52}{ours:>10.2f}")
    if theirs is None:
        print("ChannelAttribution is not installed: no reference")
        return
    print(f"{'python + pandas + ChannelAttribution.markov_model':<52}{theirs:>10.2f}")
    print(f"{'ratio (theirs / ours)':<52}{theirs / ours:>10.2f}")


if __name__ == "__main__":
    main()
