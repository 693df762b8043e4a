"""Warm re-solves of the RHPO LP from the last basis (``RhpoSolver.warm``).

Every warm solution is checked against HiGHS on the same data (a solver with
``warm = False``: same objective; same λ where HiGHS's dual optimum is unique) and on
its own optimality conditions (primal feasibility, reduced costs ``c − Aᵀy``,
complementary slackness), over sequences of arrivals whose prices, depths, positions,
states and requests move as a coordinator's do.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from rhpo_random import random_instance, random_prices
from test_parametric import _nondegenerate

from rex_cli.control.highs import RhpoSolver
from rex_cli.control.lp import parametric as par
from rex_cli.plants import heat_pump_building

DELTA = 0.1
PRIMAL_TOL = 1e-7  # HiGHS's primal feasibility tolerance
DUAL_TOL = 1e-7  # HiGHS's dual feasibility tolerance


def _optimality(solver: RhpoSolver) -> None:
    """The kept solution satisfies the LP's optimality conditions (HiGHS's tolerances)."""
    assert solver._last is not None
    _, _res, x, row, y, d, basic = solver._last
    A = solver._mat
    lo_c, hi_c = solver._lower, solver._upper
    lo_r, hi_r = solver._row_lower, solver._row_upper
    np.testing.assert_allclose(A @ x, row, rtol=0, atol=1e-8)
    assert np.all(x >= lo_c - PRIMAL_TOL) and np.all(x <= hi_c + PRIMAL_TOL)
    assert np.all(row >= lo_r - PRIMAL_TOL) and np.all(row <= hi_r + PRIMAL_TOL)
    np.testing.assert_allclose(solver._cost - A.T @ y, d, rtol=0, atol=1e-9)
    # Complementary slackness (minimisation): a positive reduced cost only at the lower
    # bound, a negative one only at the upper bound; rows likewise with y.
    for value, dual, lo, hi in ((x, d, lo_c, hi_c), (row, y, lo_r, hi_r)):
        pos, neg = dual > DUAL_TOL, dual < -DUAL_TOL
        assert np.all(np.abs(value[pos] - lo[pos]) <= 1e-6 * (1 + np.abs(lo[pos])))
        assert np.all(np.abs(value[neg] - hi[neg]) <= 1e-6 * (1 + np.abs(hi[neg])))
    n = solver.n_cols
    assert len(basic) == solver.n_rows
    j = np.where(basic >= 0, basic, n - basic - 1)
    assert len(np.unique(j)) == solver.n_rows  # a basis: m distinct variables
    assert np.all(np.abs(np.concatenate([d, y])[j]) <= 1e-9)  # basic: reduced cost 0


def _arrivals(rng: np.random.Generator, inst: Any, n: int):
    """Data of ``n`` successive arrivals of one coordinator (moving market and state)."""
    kw = dict(inst.kwargs)
    K = inst.kappa
    for _ in range(n):
        kw["position"] = np.asarray(kw["position"]) + 0.1 * rng.standard_normal(K)
        kw |= random_prices(rng, K, inst.weights.l)
        if rng.random() < 0.3:
            kw["w0"] = np.asarray(kw["w0"], dtype=float) * float(rng.uniform(0.97, 1.03))
        if kw.get("request") is not None and rng.random() < 0.3:
            req = np.asarray(kw["request"], dtype=float) + rng.normal(0.0, 0.3, K)
            req[rng.random(K) < 0.1] = np.nan  # a request appearing or going: a freed row
            kw["request"] = req
        yield dict(kw)


@pytest.mark.parametrize("one_sided", [False, True])
def test_warm_re_solves_are_highs_optima(one_sided: bool) -> None:
    """Same objective as HiGHS on the same data, the optimality conditions hold, λ
    equals HiGHS's where its dual optimum is unique; most solves are warm, and some
    need primal pivots (a reduced cost of an unbounded column changed sign)."""
    rng = np.random.default_rng(20_261_203 + one_sided)
    solves = warm = primal = unique = sides = failed_walks = 0
    for _ in range(60):
        inst = random_instance(rng, kappa=int(rng.integers(1, 17)))
        solver = RhpoSolver(inst.plant, inst.weights, inst.kappa)
        ref = RhpoSolver(inst.plant, inst.weights, inst.kappa)
        ref.warm = False
        for kw in _arrivals(rng, inst, 8):
            stored = float(rng.choice([0.0, 0.05]))
            got = solver.solve(**kw, stored_value=stored)
            want = ref.solve(**kw, stored_value=stored)
            assert got.status is want.status
            if not want.ok:
                continue
            solves += 1
            np.testing.assert_allclose(
                got.objective, want.objective, rtol=1e-8, atol=1e-8 * (1 + abs(want.objective))
            )
            _optimality(solver)
            lo = np.concatenate([ref._lower, ref._row_lower])
            hi = np.concatenate([ref._upper, ref._row_upper])
            if _nondegenerate(ref._h, lo, hi, ref.n_cols):
                np.testing.assert_allclose(got.dual_balance, want.dual_balance, atol=1e-8)
                unique += 1
            if one_sided:
                a, b = solver.one_sided(DELTA), ref.one_sided(DELTA)
                if _nondegenerate(ref._h, lo, hi, ref.n_cols) and b.solves == 0:
                    # One optimal basis (primal nondegenerate, HiGHS's duals unique):
                    # the same side values, walked from it.
                    np.testing.assert_allclose(a.up, b.up, atol=1e-8)
                    np.testing.assert_allclose(a.down, b.down, atol=1e-8)
                    sides += 1
        warm += int(solver.warm_outcomes[par.RESOLVED])
        primal += solver.warm_primal_pivots
        # Every LP here is feasible and bounded: no end point is refused.
        assert solver.warm_outcomes[par.BAD_END] == 0
        failed_walks += int(solver.warm_outcomes[par.WALK_FAILED])
    assert solves >= 400 and unique >= 100, (solves, unique)
    assert warm >= 0.9 * (solves - 60), (warm, solves)  # the first solve of each is cold
    assert primal >= 20, primal
    assert sides >= 50 or not one_sided, sides
    assert failed_walks <= 0.01 * solves, failed_walks  # pivot caps, tiny pivots: rare


def test_a_warm_re_solve_is_counted_and_falls_back_on_a_freed_row() -> None:
    """A request that goes (a tracking row's bounds become infinite) is not walked: the
    solve falls back to HiGHS (outcome BOUND_KIND) and is still HiGHS's optimum."""
    plant = heat_pump_building()
    K = 4
    base: dict[str, Any] = dict(
        bid=np.full(K, 0.2),
        ask=np.full(K, 0.3),
        position=np.full(K, 0.5),
        request=np.full(K, 21.0),
        w0=[21.0],
        exogenous=np.column_stack([np.full(K, 5.0), np.zeros(K)]),
        u_prev=[1.0, 0.0, 0.0],
        short_price=1.0,
        long_price=0.0,
    )
    from rex_cli.control import Weights

    solver = RhpoSolver(plant, Weights(), K)
    assert solver.solve(**base).ok
    assert solver.solve(**(base | dict(position=np.full(K, 0.6)))).ok
    assert solver.warm_outcomes[par.RESOLVED] == 1
    freed = np.array([21.0, np.nan, 21.0, 21.0])
    got = solver.solve(**(base | dict(request=freed)))
    assert solver.warm_outcomes[par.BOUND_KIND] == 1
    ref = RhpoSolver(plant, Weights(), K)
    ref.warm = False
    want = ref.solve(**(base | dict(request=freed)))
    assert got.ok and want.ok
    np.testing.assert_allclose(got.objective, want.objective, rtol=1e-9)
    assert solver.n_solves == 3


def _random_bounds(rng: np.random.Generator, N: int) -> tuple[np.ndarray, np.ndarray]:
    """Boxed, one-sided, free and fixed variables."""
    lo = rng.uniform(-3.0, 0.0, N)
    hi = lo + rng.uniform(0.1, 4.0, N)
    kind = rng.integers(0, 6, N)
    lo[kind == 1] = -np.inf
    hi[kind == 2] = np.inf
    lo[kind == 3], hi[kind == 3] = -np.inf, np.inf
    hi[kind == 4] = lo[kind == 4]
    return lo, hi


def _moved_bounds(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray):
    """Bounds that move, go (become infinite), appear, or fix the variable."""
    lo2, hi2 = lo.copy(), hi.copy()
    for j in range(len(lo)):
        r = rng.random()
        if r < 0.3:
            if np.isfinite(lo2[j]):
                lo2[j] += rng.normal(0.0, 0.3)
            if np.isfinite(hi2[j]):
                hi2[j] = max(hi2[j] + rng.normal(0.0, 0.3), lo2[j])
        elif r < 0.38:
            lo2[j] = -np.inf
        elif r < 0.46:
            hi2[j] = np.inf
        elif r < 0.52 and not np.isfinite(lo2[j]):
            lo2[j] = min(rng.uniform(-3.0, 0.0), hi2[j])
        elif r < 0.58 and not np.isfinite(hi2[j]):
            hi2[j] = max(rng.uniform(0.0, 3.0), lo2[j])
        elif r < 0.62 and np.isfinite(lo2[j]):
            hi2[j] = lo2[j]
    return lo2, hi2


def test_resolve_is_highs_optimum_on_random_lps() -> None:
    """``parametric.resolve`` on small random LPs (boxed, one-sided, free and fixed
    variables; half of them with integer data, hence degenerate) after new costs and
    bounds that move, go, appear or fix: every RESOLVED point is feasible for the new
    LP (``A x = r`` and the bounds, checked with the matrix) and has HiGHS's optimal
    objective; a second call on the inverse the first one left gives the same outcome
    and point (a failure leaves a consistent inverse)."""
    import highspy
    import scipy.sparse as sp

    from rex_cli.control.lp.highs import new_highs, pass_model

    def highs(A, c, lo, hi):  # type: ignore[no-untyped-def]
        n = A.shape[1]
        h = new_highs()
        pass_model(h, sp.csc_matrix(A), c, lo[:n], hi[:n], lo[n:], hi[n:], what="test LP")
        h.run()
        return h

    rng = np.random.default_rng(20_261_204)
    outcomes = np.zeros(7, dtype=np.int64)
    for trial in range(1200):
        m, n = int(rng.integers(2, 14)), int(rng.integers(2, 18))
        N = n + m
        A = rng.standard_normal((m, n)) * (rng.random((m, n)) < 0.6)
        c = rng.standard_normal(n)
        lo, hi = _random_bounds(rng, N)
        degenerate = trial % 2 == 1
        if degenerate:
            A, c, lo = np.round(A), np.round(c), np.round(lo)
            hi = np.maximum(np.round(hi), lo)
        if not np.any(A):
            continue
        h = highs(A, c, lo, hi)
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            continue
        sol = h.getSolution()
        z = np.concatenate([sol.col_value, sol.row_value])
        status = h.getBasis()
        basis = np.array(
            [s == highspy.HighsBasisStatus.kBasic for s in [*status.col_status, *status.row_status]]
        )
        c2 = c + rng.standard_normal(n) * rng.choice([0.0, 0.1, 1.0])
        lo2, hi2 = _moved_bounds(rng, lo, hi)
        if degenerate:
            c2, lo2 = np.round(c2), np.round(lo2)
            hi2 = np.maximum(np.round(hi2), lo2)
        inv = par.BasisInverse(sp.csc_matrix(A))
        got = []
        for _ in range(2):
            out = (np.empty(N), np.empty(m), np.empty(N))
            outcome, _pivots, _primal = par.resolve(
                inv.keep, inv.keep_basic, inv.state, basis.copy(), inv.mp, inv.mi, inv.mx,
                inv.rp, inv.rj, inv.rx, z, lo, hi, lo2, hi2, c2, m, par.RESIDUAL_TOL, 1e-9,
                1e-7, *out,
            )  # fmt: skip
            got.append((outcome, out[0]))
        (outcome, zo), (again, zo2) = got
        outcomes[outcome] += 1
        assert again == outcome or outcome == par.NO_INVERSE, (trial, outcome, again)
        if outcome != par.RESOLVED:
            continue
        np.testing.assert_allclose(zo2, zo, rtol=0, atol=1e-9)
        x, r = zo[:n], zo[n:]
        assert np.max(np.abs(A @ x - r)) <= 1e-8, trial
        assert np.all(zo >= lo2 - 1e-7) and np.all(zo <= hi2 + 1e-7), trial
        h2 = highs(A, c2, lo2, hi2)
        assert h2.getModelStatus() == highspy.HighsModelStatus.kOptimal, trial
        best = h2.getInfo().objective_function_value
        assert abs(c2 @ x - best) <= 1e-7 * (1 + abs(best)), (trial, c2 @ x, best)
    assert outcomes[par.RESOLVED] >= 100, outcomes


def test_warm_resolve_is_resolve_with_its_arrays_made_inside() -> None:
    """``parametric.warm_resolve`` (the solver's call: bounds split into columns and
    rows, the arrays made inside) gives what ``resolve`` gives on arrays made in
    Python, bit for bit: outcome, counts, values, duals, reduced costs, the basis and
    the kept inverse; its basic variables are HiGHS's convention of the kept basis."""
    import highspy
    import scipy.sparse as sp

    from rex_cli.control.lp.highs import new_highs, pass_model

    rng = np.random.default_rng(20_261_205)
    compared = resolved = 0
    for _trial in range(800):
        m, n = int(rng.integers(2, 14)), int(rng.integers(2, 18))
        N = n + m
        A = rng.standard_normal((m, n)) * (rng.random((m, n)) < 0.6)
        if not np.any(A):
            continue
        c = rng.standard_normal(n)
        lo, hi = _random_bounds(rng, N)
        h = new_highs()
        pass_model(h, sp.csc_matrix(A), c, lo[:n], hi[:n], lo[n:], hi[n:], what="test LP")
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            continue
        sol = h.getSolution()
        z = np.concatenate([sol.col_value, sol.row_value])
        status = h.getBasis()
        basic = highspy.HighsBasisStatus.kBasic
        basis = np.array([s == basic for s in [*status.col_status, *status.row_status]])
        basis_before = basis.copy()
        c2 = c + rng.standard_normal(n) * rng.choice([0.0, 0.1, 1.0])
        lo2, hi2 = _moved_bounds(rng, lo, hi)
        ref, new = par.BasisInverse(sp.csc_matrix(A)), par.BasisInverse(sp.csc_matrix(A))
        is_basic = basis.copy()
        out = (np.empty(N), np.empty(m), np.empty(N))
        want = par.resolve(
            ref.keep, ref.keep_basic, ref.state, is_basic, *ref.matrix, z, lo, hi,
            lo2.copy(), hi2.copy(), c2, m, par.RESIDUAL_TOL, 1e-9, 1e-7, *out,
        )  # fmt: skip
        got = par.warm_resolve(
            new.keep, new.keep_basic, new.state, basis, *new.matrix, z, lo, hi,
            lo2[:n], hi2[:n], lo2[n:], hi2[n:], c2, par.RESIDUAL_TOL, 1e-9, 1e-7,
        )  # fmt: skip
        assert got[:3] == want
        if want[0] == par.RESOLVED:  # (the outputs are written only then)
            for a, b in zip(got[3:6], out, strict=True):
                assert a.tobytes() == b.tobytes()
        assert got[6].tobytes() == lo2.tobytes() and got[7].tobytes() == hi2.tobytes()
        # The end basis is resolve's; the basis handed in is left as it was.
        assert np.array_equal(got[8], is_basic) and np.array_equal(basis, basis_before)
        assert new.keep.tobytes() == ref.keep.tobytes()
        assert np.array_equal(new.keep_basic, ref.keep_basic)
        kb = ref.keep_basic
        assert np.array_equal(got[9], np.where(kb < n, kb, n - kb - 1))
        compared += 1
        resolved += want[0] == par.RESOLVED
    assert compared >= 150 and resolved >= 60, (compared, resolved)
