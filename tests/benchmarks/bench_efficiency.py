"""Benchmark: efficiency of the default scenario over seeds 1-10.

Runs the default scenario (one simulated day) for seeds 1-10 as a sweep on the joblib
launcher (``output=minimal``) and prints one JSON line: the mean, minimum and per-seed
``efficiency`` (against the perfect-foresight planner), and the per-seed
``wasted_generation_kwh``. Targets: mean >= 0.95 and none below 0.85 against the
same-information planner (``efficiency_same_info``, reported when the run has it).
About 20 jobs-seconds each; a few minutes on 2 cores.
Run: ``python tests/benchmarks/bench_efficiency.py`` or ``pytest -m benchmark -s tests/benchmarks``.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import pytest

from rex_cli.sweep import run_sweep

SEEDS = list(range(1, 11))


def measure(extra: list[str] | None = None) -> dict[str, object]:
    grid = ["seed=" + ",".join(map(str, SEEDS)), *(extra or [])]
    with tempfile.TemporaryDirectory() as tmp:
        res = run_sweep(grid, Path(tmp) / "sweep", n_jobs=2)
    jobs = res.jobs.sort_values("seed")
    assert (jobs["status"] == "complete").all()
    out: dict[str, object] = {"seeds": SEEDS}
    for key in ("efficiency", "efficiency_same_info"):
        if key in jobs and jobs[key].notna().all():
            values = [round(float(v), 4) for v in jobs[key]]
            out[key] = {"mean": round(sum(values) / len(values), 4), "min": min(values),
                        "per_seed": values}  # fmt: skip
    out["wasted_generation_kwh"] = [round(float(v), 2) for v in jobs["wasted_generation_kwh"]]
    return out


@pytest.mark.benchmark
def test_efficiency_over_seeds():
    result = measure()
    print(json.dumps(result))
    eff = result["efficiency"]
    assert isinstance(eff, dict) and eff["min"] > 0.0


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1:])))
