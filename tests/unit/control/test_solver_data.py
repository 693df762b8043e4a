"""The data a solve hands to HiGHS, and the coordinators' unchecked data path.

:meth:`RhpoSolver.solve_data` keeps the per-solve data in buffers and recomputes the
row bounds of ``exogenous``/``request``/``u_prev`` only when the data holds other
arrays; whatever the order of solves, HiGHS must hold exactly the LP a freshly built
solver is given for the same data. :func:`prepared_data` must give the data
:func:`prepare_data` gives for a coordinator's inputs.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
from rhpo_random import random_instance, random_prices

from rex_cli.control import RhpoSolver, prepare_data
from rex_cli.control.problem import RhpoData, prepared_data


def _lp(solver: RhpoSolver) -> tuple[np.ndarray, ...]:
    lp = solver._h.getLp()
    return tuple(
        np.asarray(a, dtype=np.float64)
        for a in (lp.col_cost_, lp.col_lower_, lp.col_upper_, lp.row_lower_, lp.row_upper_)
    )


def _arrays(solver: RhpoSolver) -> tuple[np.ndarray, ...]:
    """The LP of the last solve as the solver holds it (handed to HiGHS before it runs)."""
    return (solver._cost, solver._lower, solver._upper, solver._row_lower, solver._row_upper)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.tobytes() == b.tobytes()


def _draw(rng: np.random.Generator, inst: Any) -> RhpoData:
    kw = dict(inst.kwargs)
    kw.update(random_prices(rng, inst.kappa, inst.weights.l))
    kw["position"] = np.asarray(kw["position"]) + rng.normal(0.0, 0.1, inst.kappa)
    if kw.get("exogenous") is not None and rng.random() < 0.5:
        kw["exogenous"] = np.asarray(kw["exogenous"]) + rng.normal(0.0, 0.5)
    if kw.get("request") is not None and rng.random() < 0.5:
        kw["request"] = np.asarray(kw["request"]) + rng.normal(0.0, 0.3)
    kw["w0"] = np.asarray(kw["w0"], dtype=np.float64) * rng.uniform(0.95, 1.0)
    if kw.get("u_prev") is not None and rng.random() < 0.5:
        kw["u_prev"] = np.asarray(kw["u_prev"]) * rng.uniform(0.5, 1.0)
    return prepare_data(inst.plant, inst.kappa, **kw, stored_value=float(rng.choice([0.0, 0.1])))


@pytest.mark.parametrize("warm", [True, False])
def test_highs_holds_the_lp_a_fresh_solver_is_given(warm: bool) -> None:
    """Sequences of solves (new data, shifted data sharing arrays, repeats) on one solver.

    After each, the solver's costs and bounds (and, when HiGHS solved, HiGHS's) equal,
    bit for bit, those HiGHS holds in a new solver that solved only that data.
    """
    rng = np.random.default_rng(16)
    checked = 0
    for _ in range(60):
        inst = random_instance(rng)
        solver = RhpoSolver(inst.plant, inst.weights, inst.kappa)
        solver.warm = warm
        previous: list[RhpoData] = []
        for step in range(8):
            r = rng.random()
            if previous and r < 0.3:  # like the one-sided re-solves: some arrays shared
                last = previous[-1]
                K = inst.kappa
                new = {
                    "bid": np.full(K, np.nan),
                    "ask": np.full(K, np.nan),
                    "bid_depth": rng.uniform(0.0, 2.0, K),
                    "ask_depth": rng.uniform(0.0, 2.0, K),
                    "position": last.position + rng.normal(0.0, 0.1),
                    "w0": last.w0 * rng.uniform(0.9, 1.0),
                    "short_price": last.short_price + 0.1,
                    "long_price": last.long_price * 0.5,
                }
                keep = [k for k in new if rng.random() < 0.5]
                data = dataclasses.replace(last, **{k: v for k, v in new.items() if k not in keep})
            elif previous and r < 0.45:  # an earlier data object again
                data = previous[int(rng.integers(len(previous)))]
            else:
                data = _draw(rng, inst)
            solver.solve_data(data)
            fresh = RhpoSolver(inst.plant, inst.weights, inst.kappa)
            fresh.solve_data(data)
            for a, b in zip(_arrays(solver), _lp(fresh), strict=True):
                assert _same(a, b), (step, inst.plant.name)
            if not warm:
                for a, b in zip(_lp(solver), _lp(fresh), strict=True):
                    assert _same(a, b), (step, inst.plant.name)
            previous.append(data)
            checked += 1
    assert checked == 480


@pytest.mark.parametrize("seed", range(40))
def test_prepared_data_equals_prepare_data_for_a_coordinators_inputs(seed: int) -> None:
    rng = np.random.default_rng([seed, 77])
    inst = random_instance(rng)
    K, plant = inst.kappa, inst.plant
    kw = inst.kwargs
    # What a coordinator passes: float64 arrays per unit (depth 0 on an empty side),
    # 2-D requests and exogenous inputs, scalar prices.
    bid = np.asarray(kw["bid"], dtype=np.float64)
    ask = np.asarray(kw["ask"], dtype=np.float64)
    bid_d = np.where(np.isnan(bid), 0.0, rng.uniform(0.1, 3.0, K))
    ask_d = np.where(np.isnan(ask), 0.0, rng.uniform(0.1, 3.0, K))
    nt, nx = len(plant.tracked_outputs), len(plant.exogenous_inputs)
    req = kw.get("request")
    request = np.full((K, nt), np.nan) if req is None else np.asarray(req).reshape(K, nt)
    exo = kw.get("exogenous")
    exogenous = np.zeros((K, nx)) if exo is None else np.asarray(exo).reshape(K, nx)
    u_prev = kw.get("u_prev") if rng.random() < 0.7 else None
    args: dict[str, Any] = dict(
        bid=bid,
        ask=ask,
        bid_depth=bid_d,
        ask_depth=ask_d,
        position=np.asarray(kw["position"], dtype=np.float64),
        request=request,
        exogenous=exogenous,
        w0=kw["w0"],
        u_prev=u_prev,
        short_price=float(rng.uniform(0.6, 1.5)),
        long_price=float(rng.uniform(0.0, 0.04)),
        stored_value=float(rng.choice([0.0, 0.1])),
    )
    fast = prepared_data(plant, K, **args)
    ref = prepare_data(plant, K, **args)
    for f in dataclasses.fields(RhpoData):
        a, b = getattr(fast, f.name), getattr(ref, f.name)
        if isinstance(b, np.ndarray):
            assert a.dtype == b.dtype and _same(a, b), f.name
        else:
            assert a == b, f.name
