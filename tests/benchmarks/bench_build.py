"""Set-up cost of the RHPO LP per plant (issue 16): the COO-triplet block vs ``kron``/``bmat``.

Plants: one of every kind the scenario builds (heat-pump building, battery, gas turbine,
uncontrollable wind/load, and a home with a heat pump, a battery and an EV), κ = 32
(``market.horizon_units=32``). In one process, alternating old and new, ``REPS`` rounds
of ``N`` builds of every plant each; the figure is the median round, per plant:

* ``block_ms_old`` / ``block_ms_new``: ``PlantBlock(plant, 32, n_times=32)`` with the
  matrix built by the ``kron``/``bmat`` reference kept in
  ``tests/unit/control/block_reference.py`` (the code before issue 16) vs today's;
* ``init_ms_old`` / ``init_ms_new``: ``RhpoSolver(plant, weights, 32)`` (block, stacked
  matrix, buffers, HiGHS model), old = the reference block and the reference stacking;
* ``block_ratio``, ``init_ratio``: old over new (> 1 = faster now).

The matrices of both are compared bit for bit before timing.

Run ``python tests/benchmarks/bench_build.py`` or
``pytest -n 0 -m benchmark -s tests/benchmarks/bench_build.py`` (one JSON line).
"""

from __future__ import annotations

import gc
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

import rex_cli.control.highs as highs
from rex_cli.control import RhpoSolver, Weights
from rex_cli.control.lp.block import PlantBlock
from rex_cli.plants import Plant, builders
from rex_cli.plants.home import combine_home

sys.path.insert(0, str(Path(__file__).parents[1] / "unit" / "control"))
from block_reference import kron_matrix, stack_matrix

KAPPA = 32
N = 20
REPS = 7


class OldBlock(PlantBlock):
    """The block with its matrix built by the ``kron``/``bmat`` reference."""

    def _matrix(self, A: Any, Bd: Any, C: Any, Dd: Any) -> sp.csc_matrix:
        return kron_matrix(self.plant, self.K, self.n_times, self.ramp_order)


class OldSolver(RhpoSolver):
    """The solver with the reference stacking (and, inside :func:`_old`, the old block)."""

    def _matrix(self) -> sp.csc_matrix:
        b, K = self.block, self.kappa
        term = self._c_v[K - 1, b.tracked[: len(self._r_term)]]
        return stack_matrix(b.matrix, K, b.c_u[:, 0], term)


@contextmanager
def _old() -> Iterator[None]:
    saved = highs.PlantBlock
    highs.PlantBlock = OldBlock  # type: ignore[misc]
    try:
        yield
    finally:
        highs.PlantBlock = saved  # type: ignore[misc]


def plants() -> dict[str, Plant]:
    hp = builders.heat_pump_building(unit_minutes=15.0)
    bat = builders.battery(unit_minutes=15.0, capacity_kwh=10.0)
    ev = builders.electric_vehicle(unit_minutes=15.0)
    return {
        "heat_pump": hp,
        "battery": bat,
        "gas_turbine": builders.gas_turbine(
            unit_minutes=15.0, p_min_kw=20.0, p_max_kw=100.0, ramp_kw=30.0, marginal_cost=0.1
        ),
        "wind": builders.uncontrollable(unit_minutes=15.0),
        "home": combine_home([("heat_pump", hp), ("battery", bat), ("ev", ev)], unit_minutes=15.0),
    }


def _same(a: sp.csc_matrix, b: sp.csc_matrix) -> bool:
    return (
        a.shape == b.shape
        and np.array_equal(a.indptr, b.indptr)
        and np.array_equal(a.indices, b.indices)
        and np.array_equal(a.data.view(np.int64), b.data.view(np.int64))
    )


def _round(fn: Callable[[Plant], Any], ps: list[Plant]) -> float:
    """ms per plant build over ``N`` builds of every plant."""
    gc.collect()
    t = time.perf_counter()
    for _ in range(N):
        for p in ps:
            fn(p)
    return (time.perf_counter() - t) * 1e3 / (N * len(ps))


def measure() -> dict[str, Any]:
    ps = list(plants().values())
    w = Weights()
    for p in ps:
        new, old = RhpoSolver(p, w, KAPPA), None
        with _old():
            old = OldSolver(p, w, KAPPA)
        assert _same(new.block.matrix, old.block.matrix), p.name
        assert _same(new._mat, old._mat), p.name

    def block_new(p: Plant) -> Any:
        return PlantBlock(p, KAPPA, n_times=KAPPA, ramp_order="input")

    def block_old(p: Plant) -> Any:
        return OldBlock(p, KAPPA, n_times=KAPPA, ramp_order="input")

    def init_new(p: Plant) -> Any:
        return RhpoSolver(p, w, KAPPA)

    def init_old(p: Plant) -> Any:
        with _old():
            return OldSolver(p, w, KAPPA)

    t: dict[str, list[float]] = {k: [] for k in ("block_old", "block_new", "init_old", "init_new")}
    fns = {
        "block_old": block_old,
        "block_new": block_new,
        "init_old": init_old,
        "init_new": init_new,
    }
    for _ in range(REPS):
        for name in ("block_old", "block_new", "init_old", "init_new"):
            t[name].append(_round(fns[name], ps))
    med = {k: statistics.median(v) for k, v in t.items()}
    return {
        "bench": "build",
        "kappa": KAPPA,
        "plants": len(ps),
        "builds_per_round": N * len(ps),
        "rounds": REPS,
        "block_ms_old": round(med["block_old"], 3),
        "block_ms_new": round(med["block_new"], 3),
        "block_ratio": round(med["block_old"] / med["block_new"], 2),
        "init_ms_old": round(med["init_old"], 3),
        "init_ms_new": round(med["init_new"], 3),
        "init_ratio": round(med["init_old"] / med["init_new"], 2),
    }


@pytest.mark.benchmark
def test_build_is_faster() -> None:
    rec = measure()
    print(json.dumps(rec))
    assert rec["block_ratio"] > 2.0, rec


def main() -> int:
    print(json.dumps(measure()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
