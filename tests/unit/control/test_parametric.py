"""Parametric rhs analysis (rex_cli/control/lp/parametric.py) against cold HiGHS solves.

References: a cold HiGHS solve of the LP at the end of the path (same optimal value to
1e-7, same duals to 1e-9 where the end LP's dual is unique: its optimal primal is
nondegenerate), the optimality conditions checked directly on the walked basis (primal
feasibility, ``d = c − Mᵀy``, reduced-cost signs), and a hand-computed κ = 1 case.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from rhpo_random import random_instance

from rex_cli.control import RhpoSolver, Weights
from rex_cli.control.lp import new_highs, pass_model
from rex_cli.control.lp import parametric as par
from rex_cli.control.lp.status import LpStatus, status_of_highs
from rex_cli.plants import uncontrollable

DELTA = 0.1
_MARKET = ("bid", "ask", "bid_depth", "ask_depth", "position")


def _solve(A: sp.csc_matrix, c, lo, hi) -> tuple[Any, LpStatus]:
    n = A.shape[1]
    h = new_highs()
    pass_model(h, A, c, lo[:n], hi[:n], lo[n:], hi[n:], what="test LP")
    h.run()
    return h, status_of_highs(h.getModelStatus())


def _nondegenerate(h: Any, lo, hi, n: int, tol: float = 1e-7) -> bool:
    """Every basic variable strictly inside its bounds: the dual optimum is unique."""
    sol = h.getSolution()
    z = np.concatenate([sol.col_value, sol.row_value])
    hb = np.asarray(h.getBasicVariables()[1], dtype=np.int64)
    j = np.where(hb >= 0, hb, n - hb - 1)
    return bool(np.all((z[j] > lo[j] + tol) & (z[j] < hi[j] - tol)))


def _random_lp(rng: np.random.Generator):
    """A bounded LP with a known feasible point and a path keeping it feasible."""
    m, n = int(rng.integers(4, 14)), int(rng.integers(6, 24))
    A = sp.random(m, n, density=0.35, random_state=rng, format="csc")
    A.data = rng.uniform(-2.0, 2.0, A.nnz)
    x0 = rng.uniform(-1.0, 1.0, n)
    r0 = A @ x0
    lo_x = x0 - rng.uniform(0.0, 1.0, n)
    hi_x = x0 + rng.uniform(0.0, 1.0, n)
    lo_x[rng.random(n) < 0.15] = -math.inf
    hi_x[rng.random(n) < 0.15] = math.inf
    lo_r = r0 - rng.uniform(0.0, 0.5, m)
    hi_r = r0 + rng.uniform(0.0, 0.5, m)
    eq = rng.random(m) < 0.4
    lo_r[eq] = hi_r[eq] = r0[eq]
    lo_r[~eq & (rng.random(m) < 0.1)] = -math.inf
    hi_r[~eq & (rng.random(m) < 0.1)] = math.inf
    lo, hi = np.concatenate([lo_x, lo_r]), np.concatenate([hi_x, hi_r])
    # Free columns must be bounded by the rows or the LP may be unbounded: bound them.
    lo[:n] = np.where(np.isinf(lo[:n]) & np.isinf(hi[:n]), -5.0, lo[:n])
    c = rng.uniform(-1.0, 1.0, n)
    # End of the path: a point x1 near x0, bounds moved so that x1 stays feasible.
    x1 = x0 + 0.3 * rng.standard_normal(n)
    z1 = np.concatenate([x1, A @ x1])
    z0 = np.concatenate([x0, r0])
    lo1 = np.minimum(lo + (z1 - z0), z1)
    hi1 = np.maximum(hi + (z1 - z0), z1)
    moved = rng.random(n + m) < 0.5
    lo1 = np.where(moved, lo1, np.minimum(lo, z1))
    hi1 = np.where(moved, hi1, np.maximum(hi, z1))
    keep_inf = ~np.isfinite(lo)
    lo1[keep_inf] = -math.inf
    keep_inf = ~np.isfinite(hi)
    hi1[keep_inf] = math.inf
    eq_all = np.zeros(n + m, dtype=bool)
    eq_all[n:] = eq
    lo1[eq_all] = hi1[eq_all] = z1[eq_all]
    return A, c, lo, hi, lo1, hi1


def _walker(h: Any, A, lo, hi) -> par.Walker:
    sol = h.getSolution()
    w = par.Walker.from_solution(
        par.BasisInverse(A),
        h.getBasicVariables()[1],
        np.asarray(sol.col_value),
        np.asarray(sol.row_value),
        np.asarray(sol.col_dual),
        np.asarray(sol.row_dual),
        lo,
        hi,
    )
    assert w is not None
    return w


def test_walks_end_at_the_optimum_of_the_end_lp():
    rng = np.random.default_rng(2016)
    checked = unique = pivots = 0
    for _ in range(300):
        A, c, lo, hi, lo1, hi1 = _random_lp(rng)
        m, n = A.shape
        h0, st0 = _solve(A, c, lo, hi)
        h1, st1 = _solve(A, c, lo1, hi1)
        if st0 is not LpStatus.OPTIMAL or st1 is not LpStatus.OPTIMAL:
            continue
        w = _walker(h0, A, lo, hi)
        fin_lo, fin_hi = np.isfinite(lo), np.isfinite(hi)
        dlo, dhi = np.zeros(n + m), np.zeros(n + m)
        dlo[fin_lo] = lo1[fin_lo] - lo[fin_lo]
        dhi[fin_hi] = hi1[fin_hi] - hi[fin_hi]
        status, p = w.walk(dlo, dhi, 500)
        assert status == par.OPTIMAL
        pivots += p
        z = w.values()
        x, r = z[:n], z[n:]
        # Primal feasibility of the end LP and the row definitions.
        np.testing.assert_allclose(A @ x, r, atol=1e-8)
        assert np.all(z >= lo1 - 1e-8) and np.all(z <= hi1 + 1e-8)
        # Dual feasibility: d = c − Mᵀy, d = 0 on the basis, signs at the bounds.
        d_ref = np.concatenate([c - A.T @ w.y, w.y])
        np.testing.assert_allclose(w.d, d_ref, atol=1e-8)
        nb = ~w.is_basic & (hi1 - lo1 > 0)
        assert np.all(w.d[nb & (w.at == par.LOWER)] >= -1e-8)
        assert np.all(w.d[nb & (w.at == par.UPPER)] <= 1e-8)
        assert np.all(np.abs(w.d[nb & (w.at == par.FREE)]) <= 1e-8)
        # Same optimal value as the cold solve (strong duality: the walked basis is
        # primal and dual feasible).
        np.testing.assert_allclose(c @ x, h1.getInfo().objective_function_value, atol=1e-7)
        if _nondegenerate(h1, lo1, hi1, n):
            np.testing.assert_allclose(w.y, h1.getSolution().row_dual, rtol=0, atol=1e-9)
            unique += 1
        checked += 1
    assert checked >= 150 and unique >= 50 and pivots >= 300, (checked, unique, pivots)


def _cold_side(inst, kw, sign):
    fresh = RhpoSolver(inst.plant, inst.weights, inst.kappa)
    data = {k: v for k, v in kw.items() if k not in _MARKET}
    pos = np.asarray(kw["position"]) + sign * DELTA
    r = fresh.solve(**data, bid=None, ask=None, position=pos, stored_value=0.05)
    return fresh, r


def test_rhpo_one_sided_values_are_the_side_lps_duals():
    """λ(Y ± δ) by parametric pivots = a cold solve of the side LP where its dual is unique."""
    rng = np.random.default_rng(1616)
    compared = walked = 0
    for _ in range(120):
        inst = random_instance(rng)
        kw = dict(inst.kwargs)
        solver = RhpoSolver(inst.plant, inst.weights, inst.kappa)
        if not solver.solve(**kw, stored_value=0.05).ok:
            continue
        one = solver.one_sided(DELTA)
        walked += one.pivots > 0
        for sign, lam in ((1.0, one.up), (-1.0, one.down)):
            fresh, r = _cold_side(inst, kw, sign)
            if not r.ok:
                continue
            lo = np.concatenate([fresh._lower, fresh._row_lower])
            hi = np.concatenate([fresh._upper, fresh._row_upper])
            if _nondegenerate(fresh._h, lo, hi, fresh.n_cols):
                np.testing.assert_allclose(lam, r.dual_balance, rtol=0, atol=1e-9)
                compared += 1
    assert compared >= 100 and walked >= 50, (compared, walked)


def test_the_interval_is_the_highs_based_shift_interval():
    """The interval from the kept inverse equals _shift_interval (HiGHS's factors)."""
    rng = np.random.default_rng(77)
    checked = 0
    for _ in range(80):
        inst = random_instance(rng)
        kw = dict(inst.kwargs)
        if rng.random() < 0.5:
            kw |= dict(bid=None, ask=None, bid_depth=None, ask_depth=None)
        solver = RhpoSolver(inst.plant, inst.weights, inst.kappa)
        if not solver.solve(**kw, stored_value=0.05).ok:
            continue
        ref = solver._shift_interval(*solver._last[2:])
        got = solver.one_sided(DELTA).interval
        if math.isnan(ref[0]):
            assert math.isnan(got[0])
            continue
        np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-9)
        checked += 1
    assert checked >= 20, checked


def test_hand_computed_one_unit_path():
    """κ = 1, a forecast net demand x = 1 kWh, position Y = 0.97, one ask at 0.3.

    Without trades the balance is ``u* + H − S = Y`` with ``u* = x``: ``λ = short``
    below ``x`` (shortfall), ``λ = long − Q`` above (surplus). The plan buys the missing
    0.03 kWh at the ask (``λ = l·ask``, a priced market column basic). The walk removing
    the trade makes one pivot (the purchase leaves, the shortfall enters); ``Y + δ``
    crosses ``x`` at ``t = 0.03`` (one pivot: the shortfall leaves, the surplus enters);
    ``Y − δ`` stays short (no pivot).
    """
    plant = uncontrollable()
    w = Weights(q=0.05, o=1.0, r=1.0, l=1.0)
    solver = RhpoSolver(plant, w, 1)
    short, long_ = 1.0, 0.02
    res = solver.solve(
        bid=None,
        ask=[0.3],
        ask_depth=[0.5],
        position=[0.97],
        w0=[0.0],
        exogenous=[[1.0]],
        short_price=short,
        long_price=long_,
    )
    assert res.ok
    np.testing.assert_allclose(res.buy, [0.03], atol=1e-12)
    np.testing.assert_allclose(res.dual_balance, [0.3], atol=1e-12)
    q = float(w.profile(1)[0][0])
    one = solver.one_sided(DELTA)
    assert math.isnan(one.interval[0])  # the purchase is basic
    assert one.solves == 0 and one.pivots == 2
    np.testing.assert_allclose(one.up, [long_ - q], atol=1e-12)
    np.testing.assert_allclose(one.down, [short], atol=1e-12)


@pytest.mark.parametrize("cap", [0, 1])
def test_a_pivot_cap_falls_back_to_re_solving(cap):
    rng = np.random.default_rng(5)
    for _ in range(50):
        inst = random_instance(rng)
        a = RhpoSolver(inst.plant, inst.weights, inst.kappa)
        b = RhpoSolver(inst.plant, inst.weights, inst.kappa)
        if not (a.solve(**inst.kwargs).ok and b.solve(**inst.kwargs).ok):
            continue
        free = a.one_sided(DELTA)
        if free.pivots <= cap + 1:
            continue
        capped = b.one_sided(DELTA, max_pivots=cap)
        assert capped.solves >= 1
        np.testing.assert_allclose(capped.up, free.up, atol=1e-7)
        np.testing.assert_allclose(capped.down, free.down, atol=1e-7)
        return
    pytest.fail("no instance needed more pivots than the cap")
