"""Speed of a home's one RHPO LP against its clients' LPs solved one by one.

A home with a heat pump, a battery and an EV (15-minute units, κ = 16, the default
weights) is solved 2,000 times with the warm-started highspy fast path
(``RhpoSolver``), every solve on new data (random-walk prices, small position changes,
a drifting net load), as a home coordinator sees them; then the same stream is solved
as three separate plant LPs (the net load dropped), one solver per client.

* ``home_ms_median``: median wall time of one home solve.
* ``clients_ms_median``: median of the sum of the three client solves on the same data.
* ``ratio``: home / clients (below 1: one LP over the home is cheaper than three; the
  pytest form asserts it).

Run ``python tests/benchmarks/bench_home.py`` (one JSON line) or
``pytest -n 0 -m benchmark -s tests/benchmarks/bench_home.py``.
"""

from __future__ import annotations

import json
import statistics
import time

import numpy as np
import pytest

from rex_cli.control import RhpoSolver, Weights
from rex_cli.plants import builders
from rex_cli.plants.home import combine_home

KAPPA = 16
N = 2_000


def _stream(seed: int = 5) -> list[dict]:
    rng = np.random.default_rng(seed)
    j = np.arange(KAPPA)
    bid = 0.10 + np.zeros(KAPPA)
    out = []
    for _ in range(N):
        bid = np.clip(bid + rng.normal(0, 0.003, KAPPA), 0.02, 0.3)
        out.append(
            {
                "bid": bid.copy(),
                "ask": bid + 0.02,
                "position": rng.integers(-5, 15, KAPPA) * 0.1,
                "net": 0.3 + 0.1 * rng.standard_normal(KAPPA),
                "ambient": 3.0 + np.cos(j / 6.0) + rng.normal(0, 0.1),
                "temp": 20.0 + rng.uniform(-0.5, 0.5),
            }
        )
    return out


def run() -> dict[str, float]:
    hp = builders.heat_pump_building(unit_minutes=15)
    bat = builders.battery(unit_minutes=15)
    ev = builders.electric_vehicle(unit_minutes=15)
    home = combine_home([("heat_pump", hp), ("battery", bat), ("ev", ev)], unit_minutes=15)
    w = Weights()
    j = np.arange(KAPPA)
    sun = np.where((j > 3) & (j < 12), 0.2, 0.0)
    trip = np.where(j == 10, 6.0, 0.0)
    charge = np.where(j < 10, 2.75, 0.0)
    setpoint = np.full(KAPPA, 21.0)
    solvers = {
        "home": RhpoSolver(home, w, KAPPA),
        "hp": RhpoSolver(hp, w, KAPPA),
        "bat": RhpoSolver(bat, w, KAPPA),
        "ev": RhpoSolver(ev, w, KAPPA),
    }
    common = {"short_price": 0.5, "stored_value": 0.12}
    t_home, t_clients = [], []
    for d in _stream():
        market = {"bid": d["bid"], "ask": d["ask"], "position": d["position"]}
        exo = np.column_stack([d["net"], d["ambient"], sun, trip, charge])
        t0 = time.perf_counter()
        r = solvers["home"].solve(
            **market, **common, request=setpoint, w0=[d["temp"], 5.0, 20.0], exogenous=exo
        )
        t1 = time.perf_counter()
        assert r.ok
        a = solvers["hp"].solve(
            **market, **common, request=setpoint, w0=[d["temp"]],
            exogenous=np.column_stack([d["ambient"], sun]),
        )  # fmt: skip
        b = solvers["bat"].solve(**market, **common, w0=[5.0])
        c = solvers["ev"].solve(
            **market, **common, w0=[20.0], exogenous=np.column_stack([trip, charge])
        )
        t2 = time.perf_counter()
        assert a.ok and b.ok and c.ok
        t_home.append((t1 - t0) * 1e3)
        t_clients.append((t2 - t1) * 1e3)
    h, c = statistics.median(t_home), statistics.median(t_clients)
    return {
        "bench": "home_lp",
        "kappa": KAPPA,
        "solves": N,
        "home_ms_median": round(h, 4),
        "clients_ms_median": round(c, 4),
        "ratio": round(h / c, 3),
    }


@pytest.mark.benchmark
def test_bench_home() -> None:
    res = run()
    print(json.dumps(res))
    # The bar: one LP over the home is cheaper than its three clients' LPs.
    assert res["ratio"] < 1.0, res


if __name__ == "__main__":
    print(json.dumps(run()))
