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
from rhpo_random import random_instance, random_prices

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
        ref = solver._shift_interval(*solver._last[2:4])
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


# ---- the compiled one-sided path (parametric.one_sided) ------------------------------


def _reference_sides(solver: RhpoSolver, inv: par.BasisInverse, delta: float, max_pivots: int):
    """The one-sided values step by step with :class:`par.Walker` (Python), as
    ``RhpoSolver._parametric_sides`` computed them before :func:`par.one_sided`.

    ``inv`` is the reference's own inverse, fed the same bases as the solver's.
    """
    from rex_cli.control.highs import _ratio_interval

    K, n = solver.kappa, solver.n_cols
    _, res, x, row, row_dual, col_dual, basic_variables = solver._last
    lam = res.dual_balance
    hi = np.concatenate([solver._upper, solver._row_upper])
    hi[: 2 * K] = np.maximum(x[: 2 * K], 0.0)
    w = par.Walker.from_solution(
        inv,
        basic_variables,
        x,
        row,
        col_dual,
        row_dual,
        np.concatenate([solver._lower, solver._row_lower]),
        hi,
    )
    if w is None:
        return [None, None], (math.nan, math.nan), 0
    zero = np.zeros(len(hi))
    dhi_trade = zero.copy()
    dhi_trade[: 2 * K] = -hi[: 2 * K]
    shift = zero.copy()
    shift[n : n + K] = -1.0
    basic = w.basic
    if np.any(solver._market_cost[basic[basic < 2 * K]] != 0.0):
        interval = (math.nan, math.nan)
    else:
        a = w.beta + w.slope(zero, dhi_trade)
        slope = w.slope(shift, shift) - shift[basic]
        interval = _ratio_interval(a, slope, w.lo[basic], w.hi[basic] + dhi_trade[basic])
    t_lo, t_hi = interval
    sides: list[Any] = [None, None]
    todo = []
    for i, sign in enumerate((1.0, -1.0)):
        if t_lo <= sign * delta <= t_hi:
            sides[i] = lam.copy()
        else:
            todo.append(i)
    if not todo:
        return sides, interval, 0
    status, pivots = w.walk(zero, dhi_trade, max_pivots)
    if status != par.OPTIMAL:
        return sides, interval, pivots
    for i in todo:
        side = w.copy() if i != todo[-1] else w
        step = (delta if i == 0 else -delta) * shift
        status, p = side.walk(step, step, max_pivots)
        pivots += p
        if status == par.OPTIMAL:
            sides[i] = side.y[:K].copy()
    return sides, interval, pivots


def _same_bits(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return np.asarray(a).tobytes() == np.asarray(b).tobytes()


@pytest.mark.parametrize("max_pivots", [None, 2])
def test_the_compiled_path_is_the_walker_composition_to_the_bit(max_pivots):
    """``one_sided`` (one compiled call, walks undone on the kept inverse) gives the
    sides, interval and pivots of the Walker steps, bit for bit, arrival after
    arrival; the kept inverse after each call is the reference's, bit for bit (the
    undo logs restore it exactly), and the next arrival starts from it."""
    rng = np.random.default_rng(4242)
    arrivals = walked = 0
    for _ in range(40):
        inst = random_instance(rng, kappa=int(rng.integers(2, 13)))
        solver = RhpoSolver(inst.plant, inst.weights, inst.kappa)
        # HiGHS solves, so that both inverses reach each basis by the same exchanges (a
        # warm re-solve pivots the solver's own inverse there instead).
        solver.warm = False
        ref_inv = par.BasisInverse(solver._mat)
        kw = dict(inst.kwargs)
        for _ in range(6):  # successive arrivals: the data moves, the solver is reused
            kw["position"] = np.asarray(kw["position"]) + 0.05 * rng.standard_normal(inst.kappa)
            kw |= random_prices(rng, inst.kappa, inst.weights.l)
            if not solver.solve(**kw, stored_value=0.05).ok:
                continue
            cap = solver.n_rows if max_pivots is None else max_pivots
            ref = _reference_sides(solver, ref_inv, DELTA, cap)
            _, res, x, row, row_dual, col_dual, basic = solver._last
            got = solver._parametric_sides(
                x, row, row_dual, col_dual, basic, res.dual_balance, DELTA, cap
            )
            assert got[2] == ref[2]
            assert _same_bits(got[1], ref[1])
            assert all(_same_bits(g, r) for g, r in zip(got[0], ref[0], strict=True))
            inv = solver._inverse
            assert inv is not None and inv.state[0] == ref_inv.state[0] == 1
            assert inv.keep.tobytes() == ref_inv.keep.tobytes()
            assert np.array_equal(inv.keep_basic, ref_inv.keep_basic)
            arrivals += 1
            walked += got[2] > 0
    assert arrivals >= 150 and walked >= 60, (arrivals, walked)


def test_the_kept_inverse_is_the_basis_inverse():
    """After ``one_sided`` the kept ``B⁻¹`` times the basis columns of ``M`` is ``I``."""
    rng = np.random.default_rng(99)
    checked = 0
    for _ in range(30):
        inst = random_instance(rng)
        solver = RhpoSolver(inst.plant, inst.weights, inst.kappa)
        if not solver.solve(**inst.kwargs).ok:
            continue
        one = solver.one_sided(DELTA)
        inv = solver._inverse
        assert inv is not None
        full = sp.hstack([solver._mat, -sp.identity(inv.m)], format="csc")
        B = full[:, inv.keep_basic].toarray()
        np.testing.assert_allclose(inv.keep @ B, np.eye(inv.m), atol=1e-9)
        checked += one.pivots > 0
    assert checked >= 10, checked


def test_row_wise_copy_of_the_matrix():
    rng = np.random.default_rng(3)
    for _ in range(20):
        A, *_ = _random_lp(rng)
        inv = par.BasisInverse(A)
        m, n = A.shape
        csr = sp.csr_matrix((inv.rx, inv.rj, inv.rp), shape=(m, n + m))
        ref = sp.hstack([A, -sp.identity(m)]).toarray()
        np.testing.assert_array_equal(csr.toarray(), ref)
        for k in range(m):  # within a row, increasing columns
            assert np.all(np.diff(inv.rj[inv.rp[k] : inv.rp[k + 1]]) > 0)


def test_basic_slope_is_the_dense_product_to_the_bit():
    """The sparse sums equal the dense row sums ``−Σ_k B⁻¹_ik v_k`` in order, bitwise."""
    rng = np.random.default_rng(11)
    for _ in range(30):
        m, n = int(rng.integers(3, 12)), int(rng.integers(3, 15))
        A = sp.random(m, n, density=0.4, random_state=rng, format="csc")
        inv = par.BasisInverse(A)
        binv = rng.standard_normal((m, m))
        binv[rng.random((m, m)) < 0.6] = 0.0
        binv[rng.random((m, m)) < 0.2] = -0.0
        at = rng.integers(0, 3, n + m).astype(np.int8)
        is_basic = rng.random(n + m) < 0.3
        basic = np.flatnonzero(is_basic)[:m].astype(np.int64)
        dlo = np.where(rng.random(n + m) < 0.5, 0.0, rng.standard_normal(n + m))
        dhi = np.where(rng.random(n + m) < 0.5, 0.0, rng.standard_normal(n + m))
        got = par.basic_slope(binv, basic, at, dlo, dhi, inv.mp, inv.mi, inv.mx, is_basic)
        v = [0.0] * m
        for j in range(n + m):
            if is_basic[j] or at[j] == par.FREE:
                continue
            s = dhi[j] if at[j] == par.UPPER else dlo[j]
            if s != 0.0:
                for k in range(inv.mp[j], inv.mp[j + 1]):
                    v[inv.mi[k]] += inv.mx[k] * s
        for i in range(m):
            acc = 0.0
            for k in range(m):
                acc += binv[i, k] * v[k]
            assert np.float64(-acc).tobytes() == got[i].tobytes()


def test_compiled_ratio_interval_is_highs_ratio_interval():
    from rex_cli.control.highs import FEASIBILITY_TOL, _ratio_interval

    rng = np.random.default_rng(8)
    for _ in range(300):
        k = int(rng.integers(0, 8))
        a = rng.standard_normal(k)
        slope = rng.standard_normal(k) * (rng.random(k) < 0.8)
        lo = a - rng.uniform(0.0, 1.0, k) * (rng.random(k) < 0.9)
        hi = a + rng.uniform(0.0, 1.0, k)
        lo[rng.random(k) < 0.15] = -math.inf
        hi[rng.random(k) < 0.15] = math.inf
        if rng.random() < 0.2 and k:
            a[0] = hi[0] + 1.0  # infeasible where flat
        if rng.random() < 0.05 and k:
            slope[-1] = math.nan
        ref = _ratio_interval(a, slope, lo, hi)
        got = par.ratio_interval(a, slope, lo, hi, FEASIBILITY_TOL)
        assert np.array(got).tobytes() == np.array(ref).tobytes(), (got, ref)


def test_plants_share_the_walks_work_buffers():
    """One ``m × m`` inverse per plant: the walks' buffers are shared per size."""
    rng = np.random.default_rng(5)
    inst = random_instance(rng, kappa=6)
    solvers = [RhpoSolver(inst.plant, inst.weights, inst.kappa) for _ in range(3)]
    for s in solvers:
        assert s.solve(**inst.kwargs).ok
        s.one_sided(DELTA)
    m = solvers[0].n_rows
    assert all(s._inverse is not None and s._inverse._work is None for s in solvers)
    assert par.spares(m)[0] is par.spares(m)[0]


def test_the_kept_solution_vectors_are_highs_own_to_the_bit():
    """With warm re-solves off, _extract reads each HiGHS vector once: the kept column
    values, row values, row duals and column duals equal fresh reads from HiGHS after
    the solve (bit for bit), λ is the balance rows' duals, and the kept copies do not
    follow HiGHS into the next solve."""
    rng = np.random.default_rng(20_261_203)

    def bits(a) -> bytes:
        return np.asarray(a, dtype=np.float64).tobytes()

    checked = 0
    for _ in range(30):
        inst = random_instance(rng, kappa=int(rng.integers(1, 13)))
        solver = RhpoSolver(inst.plant, inst.weights, inst.kappa)
        solver.warm = False  # every solve is HiGHS's (the warm re-solve has its own tests)
        kw = dict(inst.kwargs)
        for _ in range(4):
            kw["position"] = np.asarray(kw["position"]) + 0.05 * rng.standard_normal(inst.kappa)
            kw |= random_prices(rng, inst.kappa, inst.weights.l)
            if not solver.solve(**kw).ok:
                assert solver._last is None
                continue
            fresh = solver._h.getSolution()
            _, res, x, row, row_dual, col_dual, _basic = solver._last
            assert bits(x) == bits(fresh.col_value)
            assert bits(row) == bits(fresh.row_value)
            assert bits(row_dual) == bits(fresh.row_dual)
            assert bits(col_dual) == bits(fresh.col_dual)
            assert bits(res.dual_balance) == bits(fresh.row_dual[: inst.kappa])
            kept = bits(col_dual)
            solver.one_sided(DELTA, resolve=True)  # two re-solves move HiGHS's solution
            assert bits(col_dual) == kept
            checked += 1
    assert checked >= 50


@pytest.mark.parametrize("m", [1, 3, 4, 5, 8, 13, 127])
def test_neg_inverse_times_is_the_plain_row_sums_to_the_bit(m: int) -> None:
    """Rows summed four at a time give each row's plain ordered sum, bit for bit.

    Against a Python loop over the nonzeros of ``v`` in order (an inverse with zeros and
    signed zeros, ``v`` with zeros, a row count that four does not divide): a blocked
    version that mixed the rows' terms or summed out of order would differ in the last
    bits (a reversed order changes 1 row of 13 and 99 of 127).
    """
    rng = np.random.default_rng(m)
    binv = rng.standard_normal((m, m)) * 10.0 ** rng.integers(-8, 8, (m, m))
    binv[rng.random((m, m)) < 0.4] = 0.0
    binv[rng.random((m, m)) < 0.1] = -0.0
    v = rng.standard_normal(m) * 10.0 ** rng.integers(-6, 6, m)
    if m > 1:
        v[rng.choice(m, size=m // 3 + 1, replace=False)] = 0.0
    out = np.empty(m)
    par._neg_inverse_times(binv, v, out)
    nz = np.flatnonzero(v)
    for i in range(m):
        acc = 0.0
        for k in nz:
            acc += float(binv[i, k]) * float(v[k])
        assert out[i] == -acc
        assert math.copysign(1.0, out[i]) == math.copysign(1.0, -acc)
