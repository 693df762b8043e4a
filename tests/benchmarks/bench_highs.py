"""Benchmark: HiGHS options on the coordinators' warm-started LPs, replayed.

A short community run (``population=community_1k`` cut to 50 prosumers: 35 households,
10 heat-pump buildings, 3 batteries, 1 wind farm, 1 gas turbine; κ = 32, 3 simulated
hours, no baselines) is simulated once with every HiGHS run of an
:class:`~rex_cli.control.highs.RhpoSolver` recorded: the solver (plant, weights, κ) and
the data handed to it (plan solves, gate-closure re-dispatches, one-sided re-solves).
The sequence is then replayed, each option set on its own solvers (warm starts as in
the run): for every recorded run, every option set hands HiGHS the same data and runs
it, in an order rotated from one run to the next so that the machine's load falls
on every set alike. Only ``Highs.run()`` is timed, in CPU time of the thread
(``time.thread_time_ns``: a shared machine's preemption does not count), and each
solver's first (cold) run is left out of the figures.

Option sets: ``current`` is HiGHS's default ``threads = 0`` (the set-up before this
benchmark), ``new_highs`` what :func:`rex_cli.control.lp.highs.new_highs` sets now;
the others change one option on top of ``new_highs``. Per set, one JSON line:

* ``run_us_median`` / ``run_us_mean``: time of ``run()``, microseconds;
* ``ratio_median`` / ``ratio_total``: median and total time over ``current``'s;
* ``iterations_mean``: simplex iterations per run;
* ``identical``: share of runs whose primal values and row duals are the same bytes as
  ``current``'s (1.0 = the option cannot change a result of the run);
* ``rerun_us_median``: one more ``run()`` on every tenth LP just solved (no change, no
  iteration): the fixed cost of a run.

A last line gives the replay's size: ``runs``, ``solvers``, the LP rows (median).

Run ``python tests/benchmarks/bench_highs.py`` or
``pytest -n 0 -m benchmark -s tests/benchmarks/bench_highs.py`` (asserts that
``new_highs`` gives the same bytes as ``current`` and is not slower).
"""

from __future__ import annotations

import gc
import json
import statistics
import sys
import time
from typing import Any

import highspy
import numpy as np
import pytest

from rex_cli.control.highs import RhpoSolver
from rex_cli.control.problem import RhpoData

OVERRIDES = [
    "population=community_1k",
    "population.households.count=35",
    "population.heat_pumps.count=10",
    "population.batteries.count=3",
    "population.wind_farms.count=1",
    "population.gas_turbines.count=1",
    "market.horizon_units=32",
    "duration_hours=3",
    "output=minimal",
    "baselines.enabled=false",
]
RERUN_EVERY = 10

# Options on top of new_highs(); "current" undoes its thread setting.
OPTION_SETS: dict[str, dict[str, Any]] = {
    "current": {"threads": 0},
    "new_highs": {},
    "scale_off": {"simplex_scale_strategy": 0},
    "price_row": {"simplex_price_strategy": 2},
    "dantzig": {"simplex_dual_edge_weight_strategy": 0},
    "devex": {"simplex_dual_edge_weight_strategy": 1},
    "steepest_edge": {"simplex_dual_edge_weight_strategy": 2},
    "strategy_choose": {"simplex_strategy": 0},
    "primal": {"simplex_strategy": 4},
    "always_refactor": {"no_unnecessary_rebuild_refactor": False},
    "no_cost_perturbation": {"dual_simplex_cost_perturbation_multiplier": 0.0},
    "no_bound_perturbation": {"primal_simplex_bound_perturbation_multiplier": 0.0},
    "price_col": {"simplex_price_strategy": 0},
    "lidse_off": {"less_infeasible_DSE_check": False},
}

Key = tuple[int, int]  # (solver number, its κ)


def capture(overrides: list[str] = OVERRIDES) -> tuple[list[tuple[int, RhpoData]], list[Any]]:
    """Simulate the run, recording every HiGHS run of an RhpoSolver.

    Returns the runs as ``(solver number, data)`` in order, and per solver number the
    ``(plant, weights, κ)`` to rebuild it with.
    """
    from rex_cli.config.load import load_config
    from rex_cli.scenario.build import build_world, seed_tree

    runs: list[tuple[int, RhpoData]] = []
    number: dict[int, int] = {}
    specs: list[Any] = []
    original = RhpoSolver._update

    def recording(self: RhpoSolver, data: RhpoData) -> float:
        n = number.get(id(self))
        if n is None:
            n = number[id(self)] = len(specs)
            specs.append((self.plant, self.weights, self.kappa, self))  # keep it alive
        runs.append((n, data))
        return original(self, data)

    cfg, _raw = load_config(overrides)
    RhpoSolver._update = recording  # type: ignore[method-assign]
    try:
        build_world(cfg, seed_tree(cfg)).run()
    finally:
        RhpoSolver._update = original  # type: ignore[method-assign]
    return runs, [s[:3] for s in specs]


def replay(
    runs: list[tuple[int, RhpoData]], specs: list[Any], sets: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Replay the runs on one set of solvers per option set; one record per set."""
    names = list(sets)
    solvers: dict[str, list[RhpoSolver]] = {}
    for name, options in sets.items():
        solvers[name] = []
        for plant, weights, kappa in specs:
            s = RhpoSolver(plant, weights, kappa)
            for key, value in options.items():
                if s._h.setOptionValue(key, value) != highspy.HighsStatus.kOk:
                    raise ValueError(f"HiGHS option {key}={value!r} rejected")
            solvers[name].append(s)
    times: dict[str, list[float]] = {n: [] for n in names}
    reruns: dict[str, list[float]] = {n: [] for n in names}
    iters: dict[str, list[int]] = {n: [] for n in names}
    same = dict.fromkeys(names, 0)
    gc.collect()
    gc.disable()
    try:
        seen: set[int] = set()
        for i, (n, data) in enumerate(runs):
            warm = n in seen
            seen.add(n)
            order = names[i % len(names) :] + names[: i % len(names)]
            out = {}
            for name in order:
                s = solvers[name][n]
                s._update(data)
                h = s._h
                t0 = time.thread_time_ns()
                status = h.run()
                t1 = time.thread_time_ns()
                if status == highspy.HighsStatus.kError:
                    raise RuntimeError(f"HiGHS run failed with option set {name}")
                if warm:
                    times[name].append((t1 - t0) * 1e-9)
                    iters[name].append(int(h.getInfo().simplex_iteration_count))
                sol = h.getSolution()
                out[name] = (
                    h.getModelStatus(),
                    np.asarray(sol.col_value).tobytes(),
                    np.asarray(sol.row_dual).tobytes(),
                )
                if warm and i % RERUN_EVERY == 0:
                    t0 = time.thread_time_ns()
                    h.run()
                    reruns[name].append((time.thread_time_ns() - t0) * 1e-9)
            for name in names:
                same[name] += out[name] == out["current"]  # cold runs included
    finally:
        gc.enable()
    base_med = statistics.median(times["current"])
    base_sum = sum(times["current"])
    records = []
    for name in names:
        t = times[name]
        records.append(
            {
                "options": name,
                **{k: v for k, v in sets[name].items()},
                "run_us_median": round(statistics.median(t) * 1e6, 1),
                "run_us_mean": round(statistics.fmean(t) * 1e6, 1),
                "ratio_median": round(statistics.median(t) / base_med, 3),
                "ratio_total": round(sum(t) / base_sum, 3),
                "iterations_mean": round(statistics.fmean(iters[name]), 2),
                "identical": round(same[name] / len(runs), 4),
                "rerun_us_median": round(statistics.median(reruns[name]) * 1e6, 1),
            }
        )
    return records


def measure(sets: dict[str, dict[str, Any]] = OPTION_SETS) -> list[dict[str, Any]]:
    runs, specs = capture()
    records = replay(runs, specs, sets)
    rows = [s.size.n_rows for s in (RhpoSolver(*spec) for spec in specs)]
    records.append(
        {
            "runs": len(runs),
            "solvers": len(specs),
            "lp_rows_median": statistics.median(rows),
            "lp_rows_max": max(rows),
        }
    )
    return records


@pytest.mark.benchmark
def test_highs_options():
    records = measure({k: OPTION_SETS[k] for k in ("current", "new_highs")})
    for r in records:
        print(json.dumps(r))
    new = records[1]
    assert new["options"] == "new_highs"
    assert new["identical"] == 1.0
    assert new["ratio_total"] <= 1.0


if __name__ == "__main__":
    names = sys.argv[1:] or list(OPTION_SETS)
    for record in measure({k: OPTION_SETS[k] for k in ["current", *names] if k in OPTION_SETS}):
        print(json.dumps(record), flush=True)
