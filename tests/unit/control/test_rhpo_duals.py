"""λ_k = ∂(optimal objective)/∂Y_k: finite differences on random instances.

The optimal value of a maximisation LP is concave in its right-hand side, so at
every instance λ_k must be a supergradient: the one-sided difference quotients
satisfy ``forward ≤ λ_k ≤ backward``. Where the two agree (the LP is
non-degenerate in ``Y_k``, almost every random case), λ_k must equal them.
"""

from __future__ import annotations

import numpy as np
import pytest
from rhpo_random import random_instance

from rex_cli.control import RhpoSolver, solve_rhpo

DELTA = 1e-4


def _one_sided(solver: RhpoSolver, kwargs: dict, k: int, base: float) -> tuple[float, float]:
    Y = np.asarray(kwargs["position"], dtype=float)
    out = []
    for sign in (1.0, -1.0):
        y = Y.copy()
        y[k] += sign * DELTA
        r = solver.solve(**(kwargs | {"position": y}))
        assert r.ok
        out.append(r.objective)
    return (out[0] - base) / DELTA, (base - out[1]) / DELTA


def test_dual_is_the_derivative_of_the_objective_in_position() -> None:
    rng = np.random.default_rng(7)
    smooth = kinks = 0
    for i in range(200):
        inst = random_instance(rng)
        solver = RhpoSolver(inst.plant, inst.weights, inst.kappa)
        base = solver.solve(**inst.kwargs)
        if not base.ok:
            continue
        for k in range(inst.kappa):
            fwd, bwd = _one_sided(solver, inst.kwargs, k, base.objective)
            lam = base.dual_balance[k]
            ctx = f"instance {i} ({inst.plant.name}) unit {k}: fwd={fwd} bwd={bwd} lambda={lam}"
            assert fwd <= lam + 1e-6, ctx
            assert bwd >= lam - 1e-6, ctx
            if abs(fwd - bwd) < 1e-6:
                smooth += 1
                assert lam == pytest.approx(0.5 * (fwd + bwd), abs=1e-5), ctx
            else:
                kinks += 1
    assert smooth > 10 * max(kinks, 1)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pyomo_dual_sign_matches_derivative(seed: int) -> None:
    """The reference backend's normalised dual is also +∂objective/∂Y."""
    rng = np.random.default_rng(seed)
    inst = random_instance(rng, kappa=4)
    while not solve_rhpo(inst.plant, inst.weights, **inst.kwargs).ok:
        inst = random_instance(rng, kappa=4)
    base = solve_rhpo(inst.plant, inst.weights, backend="pyomo", **inst.kwargs)
    Y = np.asarray(inst.kwargs["position"], dtype=float)
    for k in range(4):
        y = Y.copy()
        y[k] += DELTA
        up = solve_rhpo(
            inst.plant, inst.weights, backend="pyomo", **(inst.kwargs | {"position": y})
        )
        y[k] -= 2 * DELTA
        dn = solve_rhpo(
            inst.plant, inst.weights, backend="pyomo", **(inst.kwargs | {"position": y})
        )
        fwd = (up.objective - base.objective) / DELTA
        bwd = (base.objective - dn.objective) / DELTA
        assert fwd - 1e-6 <= base.dual_balance[k] <= bwd + 1e-6
