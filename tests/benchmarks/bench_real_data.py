"""Benchmark: real-data inputs of 200 homes for one week at 15-minute units.

BDEW H25 load for 200 households (annual draw + noise), the TRY2010 weather of one
region, and the AC energy of 200 rooftop PV systems (tilts 20-45°, azimuths ±45°).
Run as ``python tests/benchmarks/bench_real_data.py`` (prints one JSON line) or through
pytest with ``-m benchmark``. The bar is 3 seconds on the reference 2-core machine
(done once per run, before the simulation).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import numpy as np
import pytest

from rex_cli.sim.rng import SeedTree
from rex_cli.stochastic import bdew, weather
from rex_cli.stochastic.pv import PvParams, pv_energy_kwh

N_HOMES = 200
N_UNITS = 7 * 96
UNIT_MINUTES = 15.0
BAR_SECONDS = 3.0


def run_benchmark(seed: int = 2024) -> dict[str, Any]:
    """Build the inputs once (files already cached) and return the measurements."""
    start_day = dt.date(2025, 7, 14)
    weather.read_try2010(4)
    bdew.read_slp(bdew.SlpProfile.h25)
    tree = SeedTree(seed)
    start = time.perf_counter()
    loads = np.empty((N_HOMES, N_UNITS))
    for i in range(N_HOMES):
        rng = tree.generator("load", i)
        annual = bdew.draw_annual_kwh(rng, mean_kwh=3000.0, sigma=0.3)
        loads[i] = bdew.bdew_household_load_kwh(
            bdew.SlpProfile.h25, rng, start=start_day, n_units=N_UNITS,
            unit_minutes=UNIT_MINUTES, annual_kwh=annual, noise_sd=0.15,
        )  # fmt: skip
    t_load = time.perf_counter() - start
    w = weather.try2010_unit_weather(4, start=start_day, n_units=N_UNITS, unit_minutes=UNIT_MINUTES)
    t_weather = time.perf_counter() - start - t_load
    draw = tree.generator("pv_geometry")
    tilts, azimuths = draw.uniform(20, 45, N_HOMES), draw.uniform(-45, 45, N_HOMES)
    pv = np.array([
        pv_energy_kwh(PvParams(kwp=5.0, tilt_deg=float(b), azimuth_deg=float(g)), w)
        for b, g in zip(tilts, azimuths, strict=True)
    ])  # fmt: skip
    seconds = time.perf_counter() - start
    return {
        "benchmark": "real_data_inputs",
        "homes": N_HOMES,
        "units": N_UNITS,
        "load_seconds": round(t_load, 4),
        "weather_seconds": round(t_weather, 4),
        "pv_seconds": round(seconds - t_load - t_weather, 4),
        "seconds": round(seconds, 4),
        "load_kwh_per_home_week": round(float(loads.sum() / N_HOMES), 2),
        "pv_kwh_per_kwp_week": round(float(pv.sum() / N_HOMES / 5.0), 2),
    }


@pytest.mark.benchmark
def test_real_data_benchmark_under_bar() -> None:
    result = run_benchmark()
    print(json.dumps(result))
    assert result["seconds"] < BAR_SECONDS


if __name__ == "__main__":
    print(json.dumps(run_benchmark()))
