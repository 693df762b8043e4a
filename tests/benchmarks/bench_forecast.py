"""Benchmark: CTBA-MMFE forecast paths for 1,000 clients x 96 target units at κ = 96.

Run as ``python tests/benchmarks/bench_forecast.py`` (prints one JSON line) or through
pytest with ``-m benchmark``. The bar is 2 seconds for the whole simulation, generator
construction included, on the reference 2-core machine.
"""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np
import pytest

from rex_cli.sim.rng import SeedTree
from rex_cli.stochastic.forecast import CtbaParams, simulate_ctba

N_CLIENTS = 1_000
N_UNITS = 96
KAPPA = 96
UNIT_MINUTES = 15.0
SIGMA0_LOTS = 5.0
BAR_SECONDS = 2.0


def run_benchmark(*, bounded: bool = False, seed: int = 2024) -> dict[str, Any]:
    """Simulate the benchmark scenario once and return its measurements."""
    tree = SeedTree(seed)
    cap = 500
    realised = tree.generator("realised").integers(0, cap + 1, size=(N_CLIENTS, N_UNITS))
    params = CtbaParams(sigma0_lots=SIGMA0_LOTS, tau_scale_min=60.0, alpha=1.0, bounded=bounded)
    start = time.perf_counter()
    rngs = [tree.generator("forecast", i) for i in range(N_CLIENTS)]
    paths = simulate_ctba(
        params,
        rngs,
        realised,
        unit_minutes=UNIT_MINUTES,
        horizon_units=KAPPA,
        x_min_lots=0,
        x_max_lots=cap,
    )
    seconds = time.perf_counter() - start
    assert np.array_equal(paths.final_matrix(), realised)
    return {
        "benchmark": "forecast_ctba",
        "bounded": bounded,
        "clients": N_CLIENTS,
        "units": N_UNITS,
        "horizon_units": KAPPA,
        "sigma0_lots": SIGMA0_LOTS,
        "paths": paths.n_paths,
        "adjustments": paths.n_adjustments,
        "rows": len(paths),
        "seconds": round(seconds, 4),
    }


@pytest.mark.benchmark
def test_forecast_benchmark_under_bar() -> None:
    result = run_benchmark()
    print(json.dumps(result))
    assert result["paths"] == N_CLIENTS * N_UNITS
    assert result["seconds"] < BAR_SECONDS


@pytest.mark.benchmark
def test_forecast_benchmark_bounded_under_bar() -> None:
    result = run_benchmark(bounded=True)
    print(json.dumps(result))
    assert result["seconds"] < BAR_SECONDS


if __name__ == "__main__":
    print(json.dumps(run_benchmark()))
