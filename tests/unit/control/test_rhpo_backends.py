"""The pyomo reference and the highspy fast path solve the same LP.

200 random instances (random builders and parameters, random prices, positions,
requests, some empty book sides, depth caps, terminal conditions): the two
backends agree on feasibility, on the objective (1e-7 relative) and on every
λ_k (1e-6), and on the plan where it is unique enough to compare (market input
sums, via the objective). A bigger version is marked slow.
"""

from __future__ import annotations

import numpy as np
import pytest
from rhpo_random import Instance, random_instance

from rex_cli.control import RhpoResult, RhpoSolver, solve_rhpo


def _check_plan(inst: Instance, r: RhpoResult, ctx: str) -> None:
    """The plan obeys the plant: dynamics, outputs, bounds, ramps, exogenous data."""
    p = inst.plant
    kw = inst.kwargs
    W, V = p.model.simulate(kw["w0"], r.u)
    np.testing.assert_allclose(r.w, W, atol=1e-6, err_msg=ctx)
    np.testing.assert_allclose(r.v, V, atol=1e-6, err_msg=ctx)
    dec = list(p.decision_inputs)
    assert np.all(r.u[:, dec] >= p.u_min[dec] - 1e-7), ctx
    assert np.all(r.u[:, dec] <= p.u_max[dec] + 1e-7), ctx
    assert np.all(r.v >= p.v_min - 1e-6) and np.all(r.v <= p.v_max + 1e-6), ctx
    if p.exogenous_inputs:
        np.testing.assert_allclose(r.u[:, list(p.exogenous_inputs)], kw["exogenous"])
    u_prev = kw.get("u_prev")
    for i in dec:
        if np.isfinite(p.u_delta[i]):
            seq = r.u[:, i] if u_prev is None else np.concatenate([[u_prev[i]], r.u[:, i]])
            assert np.all(np.abs(np.diff(seq)) <= p.u_delta[i] + 1e-7), ctx
    assert np.all(r.buy >= -1e-9) and np.all(r.sell >= -1e-9), ctx
    assert np.all(r.buy[np.isnan(np.asarray(kw["ask"], float))] <= 1e-9), ctx
    assert np.all(r.sell[np.isnan(np.asarray(kw["bid"], float))] <= 1e-9), ctx
    if "ask_depth" in kw:
        assert np.all(r.buy <= kw["ask_depth"] + 1e-7), ctx
        assert np.all(r.sell <= kw["bid_depth"] + 1e-7), ctx


def _compare(seed: int, n: int) -> int:
    rng = np.random.default_rng(seed)
    n_opt = 0
    for i in range(n):
        inst = random_instance(rng)
        a = solve_rhpo(inst.plant, inst.weights, backend="highs", **inst.kwargs)
        b = solve_rhpo(inst.plant, inst.weights, backend="pyomo", **inst.kwargs)
        ctx = f"instance {i} ({inst.plant.name}, kappa={inst.kappa})"
        assert a.ok == b.ok, f"{ctx}: {a.status} vs {b.status}"
        if not a.ok:
            assert np.all(np.isnan(a.dual_balance)) and np.isnan(a.objective), ctx
            assert np.all(np.isnan(b.dual_balance)) and np.isnan(b.objective), ctx
            continue
        n_opt += 1
        assert a.objective == pytest.approx(b.objective, rel=1e-7, abs=1e-9), ctx
        np.testing.assert_allclose(a.dual_balance, b.dual_balance, rtol=0, atol=1e-6, err_msg=ctx)
        # Both plans obey the plant and satisfy the balance row with their own slacks.
        for r in (a, b):
            _check_plan(inst, r, f"{ctx} [{r.backend}]")
            Y = np.asarray(inst.kwargs["position"], dtype=float)
            np.testing.assert_allclose(
                Y + r.buy - r.sell - r.market_input, r.surplus - r.shortfall, atol=1e-6, err_msg=ctx
            )
    return n_opt


def test_backends_agree_on_200_random_instances() -> None:
    n_opt = _compare(seed=20240417, n=200)
    assert n_opt >= 170  # most instances are feasible: the comparison has teeth


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_backends_agree_many(seed: int) -> None:
    assert _compare(seed=seed, n=400) >= 300


def test_fast_solver_reuse_matches_fresh_solves() -> None:
    """One RhpoSolver re-solved on changing data (warm starts) = fresh solvers."""
    rng = np.random.default_rng(11)
    first = random_instance(rng, kappa=8)
    while first.plant.name != "heat_pump_building":
        first = random_instance(rng, kappa=8)
    solver = RhpoSolver(first.plant, first.weights, 8)
    n_opt = 0
    for _ in range(40):
        inst = random_instance(rng, kappa=8)
        if inst.plant.name != "heat_pump_building":
            continue
        # Same plant and weights as the solver; the data varies.
        reused = solver.solve(**inst.kwargs)
        fresh = solve_rhpo(first.plant, first.weights, **inst.kwargs)
        assert reused.status == fresh.status
        if fresh.ok:
            n_opt += 1
            assert reused.objective == pytest.approx(fresh.objective, rel=1e-9, abs=1e-9)
            np.testing.assert_allclose(reused.dual_balance, fresh.dual_balance, atol=1e-7)
    assert n_opt >= 5
