"""Parametric right-hand-side analysis: dual simplex pivots along a path of bounds.

The LP is kept in the bounded form of HiGHS with explicit logicals,

    minimise cᵀx  subject to  A x − r = 0,  l ≤ (x, r) ≤ u,

so that a row's bounds are the bounds of its logical ``r`` (the row activity). Write
``z = (x, r)`` (``N = n + m`` variables) and ``M = [A, −I]``. A basis is ``m`` columns
of ``M``; nonbasic variables sit at a bound (or at 0 when free), and the basic ones
solve ``B z_B = −N z_N``.

**The path.** Starting from an optimal basis, the bounds move linearly,

    l(τ) = l + τ·Δl,  u(τ) = u + τ·Δu,  τ ∈ [0, 1],

(a moved row bound is a moved right-hand side; a moved bound of a nonbasic column
moves its value, hence the right-hand side of the basic system). The costs do not
move, so the duals ``y`` and reduced costs ``d = c − Mᵀy`` of a basis do not depend on
``τ`` and the basis stays dual feasible; its basic values move linearly,
``z_B(τ) = β + τ·γ`` with ``γ = −B⁻¹ N Δz_N``. The basis stays optimal until the first
``τ*`` at which a basic variable reaches one of its (moving) bounds: the ratio test of
rhs ranging. There the variable leaves at that bound and a *dual* ratio test over its
tableau row ``α_r = e_rᵀ B⁻¹ M`` chooses the entering column so that every reduced cost
keeps its sign (the bounded dual simplex pivot); the duals move by ``θ·e_rᵀB⁻¹``. The
new basis is optimal at ``τ*`` and the walk goes on to ``τ = 1``. The optimal value is
piecewise linear in ``τ`` with one breakpoint per pivot (several pivots at one ``τ*``
on degenerate data). If no column can enter, the LP is infeasible beyond ``τ*``.

References: V. Chvátal, *Linear Programming* (Freeman, 1983), ch. 10 (sensitivity
analysis, parametric right-hand sides) and ch. 8 (the bounded dual simplex method);
R. J. Vanderbei, *Linear Programming: Foundations and Extensions*, ch. 7 (sensitivity
and parametric analysis) and ch. 9 (problems in general form); T. Gal, *Postoptimal
Analyses, Parametric Programming and Related Topics* (de Gruyter, 1995), ch. 3-4.

**Linear algebra.** The problems this is used for (a coordinator's RHPO LP between two
of its own solves) have tens to a few hundred rows and the walks make tens of pivots,
so the basis inverse is kept dense and updated in product form (``B⁻¹ ← E·B⁻¹``, ``E``
the eta matrix of the pivot column: the rows where ``B⁻¹a_q`` is nonzero change). A
new basis's inverse is reached by exchanges from a known one (:func:`rebasis`): from
``−I`` (all logicals) on the first call, from the previous basis afterwards
(successive warm-started solves differ in a few columns), each exchange choosing the
leaving position with the largest pivot element. ``M`` is kept column-wise and
row-wise (:class:`BasisInverse`, built once per LP: only bounds, costs and the basis
change between solves).

The inverses of these LPs are sparse (a few percent nonzero; the plant's dynamics
make them block triangular in time), and the loops use it without changing a bit of
the dense arithmetic: a sum that starts at ``+0.0`` never becomes ``−0.0`` and gains
nothing from a term ``±0.0``, so a product skips the zero factors and gets the dense
result exactly. The tableau row ``α_r = ρᵀM`` is summed from the rows of ``M`` where
``ρ = e_rᵀB⁻¹`` is nonzero (each ``α_j`` gets its terms in the order of the
column-wise sum), the dual ratio test visits only the columns it touches (in column
order), ``γ = −B⁻¹v`` skips the zeros of ``v``, and the eta update
changes only the entries under a sparse pivot row's nonzeros (:func:`_eta`: every
nonzero of ``B⁻¹`` stays the dense update's to the bit; the sign of a zero may differ,
which reaches only the walks' running duals and changes no value). The walks of one
arrival pivot on the kept inverse itself and undo their pivots from a log of the rows
they changed (:func:`_walk`, :func:`_restore`; the buffers come from :func:`spares`,
shared by all LPs of one size), so a plant keeps one ``m × m`` matrix and no arrival
copies one. :func:`one_sided` does an RHPO coordinator's arrival (set-up from HiGHS's
solution, ranging, the walks) in one compiled call; :class:`Walker` offers the same
steps one at a time, with the same arithmetic. The loops are compiled with numba: a
pivot in NumPy calls costs tens of array operations of a few microseconds each, more
than a compiled simplex iteration of HiGHS, so interpreted pivots would be slower than
re-solving. A walk is capped (``max_pivots``) and reports a tiny pivot element, so
that the caller can fall back to a solver.
"""

from __future__ import annotations

import math
import threading
from typing import Any

import numba
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

__all__ = [
    "FREE",
    "INFEASIBLE",
    "LOWER",
    "NUMERICAL",
    "OPTIMAL",
    "PIVOT_CAP",
    "UPPER",
    "BasisInverse",
    "Walker",
    "basic_slope",
    "one_sided",
    "ratio_interval",
    "rebasis",
    "resolve",
    "spares",
    "walk",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

# Walk outcomes.
OPTIMAL = 0  # reached τ = 1 with an optimal basis
INFEASIBLE = 1  # no column can enter: the LP is infeasible beyond τ*
PIVOT_CAP = 2  # more pivots than allowed
NUMERICAL = 3  # a tiny pivot element
# Where a nonbasic variable sits.
LOWER, UPPER, FREE = 0, 1, 2

PIVOT_TOL = 1e-9
"""Smallest tableau entry ``|α_rj|`` that may be a pivot (dual ratio test)."""
RATE_TOL = 1e-12
"""Rates ``|dz_B/dτ|`` below this do not move a basic variable (primal ratio test)."""
END_TOL = 1e-9
"""A breakpoint this close to the end of the path (in τ) is left alone: the bound is
reached at the end, within the rounding of the ratio test."""
EXCHANGE_TOL = 1e-9
"""Smallest pivot element accepted when exchanging towards a known basis."""
RESIDUAL_TOL = 1e-6
"""Largest relative residual of a solution's basic values recomputed with the inverse."""

_jit: Any = numba.njit(cache=True, nogil=True)
# For :func:`_walk`: every division there is guarded (its divisor is nonzero) except
# the primal ratio test's branch-free quotients, whose lanes with a zero divisor are
# masked; without Python's zero-division check that loop vectorises.
_jit_numpy_errors: Any = numba.njit(cache=True, nogil=True, error_model="numpy")


@_jit
def _ftran(
    binv: FloatArray, mp: IntArray, mi: IntArray, mx: FloatArray, q: int, w: FloatArray
) -> None:
    """``w = B⁻¹ M_q`` for the sparse column ``q`` of ``M`` (CSC ``mp, mi, mx``)."""
    m = binv.shape[0]
    for i in range(m):
        w[i] = 0.0
    for k in range(mp[q], mp[q + 1]):
        row = mi[k]
        v = mx[k]
        for i in range(m):
            w[i] += binv[i, row] * v


@_jit
def _eta(binv: FloatArray, w: FloatArray, r: int, prow: FloatArray, cols: IntArray) -> None:
    """``B⁻¹ ← E·B⁻¹``: the basic column at position ``r`` replaced by one with ``B⁻¹a = w``.

    The rows where ``w`` is nonzero change by a multiple of the pivot row. A pivot row
    with few nonzeros (at most ``m/16``, most of them in a sparse inverse) updates
    those entries only; a fuller one updates whole rows (vectorised, faster there).
    A zero entry of the pivot row changes nothing but, possibly, the sign of a zero
    (``x − f·(±0.0)`` is ``x`` for ``x ≠ 0``), so either way every nonzero of the
    result is the dense update's, to the bit. Signs of zeros of ``B⁻¹`` reach nothing
    but the walks' running duals ``y`` (:func:`_walk`), which are exact in value:
    every other product with ``B⁻¹`` sums from ``+0.0`` over nonzero entries.
    ``prow`` (m,) and ``cols`` (m,) are work buffers (the caller's, reused across pivots).
    """
    m = binv.shape[0]
    wr = w[r]
    # The pivot row goes to separate arrays (its nonzeros' values and columns, or the
    # whole row): the row updates read it there, never from ``binv`` while writing
    # it (that makes the compiler's overlap check fail and the loops run unvectorised).
    n_nz = 0
    for j in range(m):
        v = binv[r, j]
        if v != 0.0:
            v = v / wr
            binv[r, j] = v
            prow[n_nz] = v
            cols[n_nz] = j
            n_nz += 1
    if 16 * n_nz > m:
        for j in range(m):
            prow[j] = binv[r, j]
        for i in range(m):
            f = w[i]
            if i != r and f != 0.0:
                for j in range(m):
                    binv[i, j] -= f * prow[j]
        return
    for i in range(m):
        f = w[i]
        if i != r and f != 0.0:
            for t in range(n_nz):
                binv[i, cols[t]] -= f * prow[t]


@_jit
def rebasis(
    binv: FloatArray,
    basic: IntArray,
    target: BoolArray,
    mp: IntArray,
    mi: IntArray,
    mx: FloatArray,
) -> int:
    """Exchange columns until the basis is the set ``target`` (bool, (N,)).

    ``binv``/``basic`` (positions → variables) are updated in place; each entering
    variable replaces the leaving one with the largest pivot element. Returns the
    number of exchanges, or −1 on a pivot element below :data:`EXCHANGE_TOL`.
    """
    m = binv.shape[0]
    n_all = target.shape[0]
    current = np.zeros(n_all, dtype=np.bool_)
    for r in range(m):
        current[basic[r]] = True
    w = np.empty(m)
    prow = np.empty(m)  # _eta's work buffers
    cols = np.empty(m, dtype=np.int64)
    done = 0
    for e in range(n_all):
        if not target[e] or current[e]:
            continue
        _ftran(binv, mp, mi, mx, e, w)
        best = -1
        best_v = EXCHANGE_TOL
        for r in range(m):
            if not target[basic[r]] and abs(w[r]) > best_v:
                best = r
                best_v = abs(w[r])
        if best < 0:
            return -1
        _eta(binv, w, best, prow, cols)
        current[basic[best]] = False
        current[e] = True
        basic[best] = e
        done += 1
    return done


@_jit
def _identity(binv: FloatArray, basic: IntArray, n: int) -> None:
    """``B⁻¹ = −I`` (the logicals' basis, ``−np.eye``: off-diagonal ``−0.0``), in place."""
    m = binv.shape[0]
    for i in range(m):
        for j in range(m):
            binv[i, j] = -0.0
        binv[i, i] = -1.0
        basic[i] = n + i


@_jit
def _inverse_for(
    keep: FloatArray,
    keep_basic: IntArray,
    state: IntArray,
    target: BoolArray,
    mp: IntArray,
    mi: IntArray,
    mx: FloatArray,
    n: int,
) -> bool:
    """Bring the kept inverse ``keep``/``keep_basic`` to the basis ``target``.

    ``state`` = ``[valid, exchanges, refresh]``: the kept inverse is rebuilt from ``−I``
    when it is not valid or has taken ``refresh`` exchanges, and once more when the
    exchanges from the kept one meet a tiny pivot. False (and ``valid = 0``) if both fail.
    """
    for attempt in range(2):
        if state[0] == 0 or state[1] >= state[2] or attempt == 1:
            _identity(keep, keep_basic, n)
            state[0] = 1
            state[1] = 0
        done = rebasis(keep, keep_basic, target, mp, mi, mx)
        if done >= 0:
            state[1] += done
            return True
    state[0] = 0
    return False


@_jit
def _matvec4(a: FloatArray, v: FloatArray, out: FloatArray) -> None:
    """``out = a @ v`` with four partial sums per row, for a check (not for results).

    The sums' order differs from a plain row sum, which lets them run in parallel.
    """
    n = a.shape[1]
    n4 = n - n % 4
    for i in range(a.shape[0]):
        s0 = s1 = s2 = s3 = 0.0
        for k in range(0, n4, 4):
            s0 += a[i, k] * v[k]
            s1 += a[i, k + 1] * v[k + 1]
            s2 += a[i, k + 2] * v[k + 2]
            s3 += a[i, k + 3] * v[k + 3]
        for k in range(n4, n):
            s0 += a[i, k] * v[k]
        out[i] = (s0 + s1) + (s2 + s3)


@_jit
def _start(
    binv: FloatArray,
    basic: IntArray,
    target: BoolArray,
    zfull: FloatArray,
    d: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    mp: IntArray,
    mi: IntArray,
    mx: FloatArray,
    tol: float,
) -> tuple[bool, NDArray[np.int8], FloatArray, FloatArray]:
    """The walker's statuses and values at a solution (:meth:`Walker.from_solution`).

    ``zfull`` (N,) the solution, ``d`` (N,) its reduced costs (set to 0 on the basis,
    in place). Returns ``(ok, at, beta, z)``; ``ok`` is False when the basic values
    recomputed from the nonbasic ones with ``binv`` differ from the solution's by more
    than ``tol`` (relative).
    """
    m = binv.shape[0]
    n_all = target.shape[0]
    for j in range(n_all):
        if target[j]:
            d[j] = 0.0
    beta = np.empty(m)
    for i in range(m):
        beta[i] = zfull[basic[i]]
    # Nonbasic: at the nearer bound (HiGHS's values are at a bound to 1e-9).
    at = np.empty(n_all, dtype=np.int8)
    z = np.empty(n_all)
    for j in range(n_all):
        lj, hj, vj = lo[j], hi[j], zfull[j]
        free = math.isinf(lj) and math.isinf(hj)
        near_hi = math.isfinite(hj) and abs(vj - hj) < abs(vj - lj)
        if free:
            at[j], zj = FREE, 0.0
        elif math.isinf(lj) or near_hi:
            at[j], zj = UPPER, hj
        else:
            at[j], zj = LOWER, lo[j]
        z[j] = 0.0 if target[j] else zj
    # Residual of B β + N z_N = 0 through the inverse: |β + B⁻¹ (M z)| (NaN-propagating
    # maxima, like np.max).
    v = np.zeros(m)
    for j in range(n_all):
        zj = z[j]
        if zj != 0.0:
            for k in range(mp[j], mp[j + 1]):
                v[mi[k]] += mx[k] * zj
    acc = np.empty(m)
    _matvec4(binv, v, acc)
    big_r = 0.0
    big_b = 0.0
    for i in range(m):
        r = abs(beta[i] + acc[i])
        b = abs(beta[i])
        if big_r == big_r and (r > big_r or r != r):
            big_r = r
        if big_b == big_b and (b > big_b or b != b):
            big_b = b
    ok = not big_r > tol * (1.0 + big_b)
    return ok, at, beta, z


@_jit
def _neg_inverse_times(binv: FloatArray, v: FloatArray, out: FloatArray) -> None:
    """``out = −B⁻¹v``, over the nonzeros of ``v``, each row's sum in increasing column order.

    The nonzeros of ``v`` are listed once; a term with a zero factor is ``±0.0``, which a
    sum from ``+0.0`` ignores, so this is the dense product to the bit (``v`` and ``B⁻¹``
    are finite; zero entries of ``B⁻¹`` are summed too: a test per entry costs more).
    Four rows at a time: their sums are independent chains of additions, which the
    processor overlaps (one row's chain waits on each addition's latency); every row
    still adds its own terms in order from ``+0.0``, so each result is the plain loop's.
    """
    m = binv.shape[0]
    nz = np.empty(m, dtype=np.int64)
    vals = np.empty(m)
    n_nz = 0
    for k in range(m):
        if v[k] != 0.0:
            nz[n_nz] = k
            vals[n_nz] = v[k]
            n_nz += 1
    i = 0
    while i + 4 <= m:
        a0 = a1 = a2 = a3 = 0.0
        for t in range(n_nz):
            k = nz[t]
            x = vals[t]
            a0 += binv[i, k] * x
            a1 += binv[i + 1, k] * x
            a2 += binv[i + 2, k] * x
            a3 += binv[i + 3, k] * x
        out[i] = -a0
        out[i + 1] = -a1
        out[i + 2] = -a2
        out[i + 3] = -a3
        i += 4
    while i < m:
        acc = 0.0
        for t in range(n_nz):
            acc += binv[i, nz[t]] * vals[t]
        out[i] = -acc
        i += 1


@_jit
def basic_slope(
    binv: FloatArray,
    basic: IntArray,
    at: NDArray[np.int8],
    dlo: FloatArray,
    dhi: FloatArray,
    mp: IntArray,
    mi: IntArray,
    mx: FloatArray,
    is_basic: BoolArray,
) -> FloatArray:
    """``γ = −B⁻¹ M Δz_N``: the rates of the basic variables on a bound path.

    The bounds move by ``(Δl, Δu)`` and every nonbasic variable follows its bound.
    Only the nonzero entries of ``v = M Δz_N`` enter the product (a sum from ``+0.0``
    gains nothing from a term ``±0.0``: the result is that of the dense product).
    """
    m = binv.shape[0]
    n_all = at.shape[0]
    v = np.zeros(m)
    for j in range(n_all):
        if is_basic[j] or at[j] == FREE:
            continue
        s = dhi[j] if at[j] == UPPER else dlo[j]
        if s != 0.0:
            for k in range(mp[j], mp[j + 1]):
                v[mi[k]] += mx[k] * s
    g = np.empty(m)
    _neg_inverse_times(binv, v, g)
    return g


@_jit_numpy_errors
def _walk(
    binv: FloatArray,
    log: bool,
    saved_rows: FloatArray,
    saved_at: IntArray,
    saved: BoolArray,
    basic: IntArray,
    is_basic: BoolArray,
    at: NDArray[np.int8],
    beta: FloatArray,
    z: FloatArray,
    d: FloatArray,
    y: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    dlo: FloatArray,
    dhi: FloatArray,
    mp: IntArray,
    mi: IntArray,
    mx: FloatArray,
    rp: IntArray,
    rj: IntArray,
    rx: FloatArray,
    max_pivots: int,
) -> tuple[int, int, int]:
    """:func:`walk`, optionally keeping an undo log of ``binv``.

    With ``log``, the first time a pivot changes a row of ``binv`` the row is saved
    (``saved_rows[k]`` the row ``saved_at[k]``; ``saved`` (m,) marks saved rows, all
    False on entry): :func:`_restore` then puts ``binv`` back as it was. A pivot
    changes the rows where its column ``B⁻¹a_q`` is nonzero, a few of a sparse
    inverse, so the log is much cheaper than a copy of ``binv``. Returns ``(status,
    pivots, rows saved)``.
    """
    m = binv.shape[0]
    n_all = at.shape[0]
    # Rates of the nonbasic values (they follow their bound) and of the basic ones.
    zs = np.zeros(n_all)
    for j in range(n_all):
        if not is_basic[j]:
            if at[j] == UPPER:
                zs[j] = dhi[j]
            elif at[j] == LOWER:
                zs[j] = dlo[j]
    gamma = basic_slope(binv, basic, at, dlo, dhi, mp, mi, mx, is_basic)
    rho = np.empty(m)
    w = np.empty(m)
    prow = np.empty(m)  # _eta's work buffers
    cols = np.empty(m, dtype=np.int64)
    alpha = np.zeros(n_all)
    # The marks of the touched columns, scanned a word (8 marks) at a time.
    n_words = (n_all + 7) // 8
    mark_words = np.zeros(n_words, dtype=np.uint64)
    mark = mark_words.view(np.bool_)
    touched = np.empty(n_all, dtype=np.int64)
    # The bounds and their rates by basis position (the primal ratio test reads them in
    # order; a pivot changes one position).
    lo_b = np.empty(m)
    hi_b = np.empty(m)
    dlo_b = np.empty(m)
    dhi_b = np.empty(m)
    for i in range(m):
        j = basic[i]
        lo_b[i] = lo[j]
        hi_b[i] = hi[j]
        dlo_b[i] = dlo[j]
        dhi_b[i] = dhi[j]
    t_lo = np.empty(m)  # the primal ratio test's quotients
    t_hi = np.empty(m)
    # Columns the dual ratio test passes over: the basic ones and those fixed along the
    # path (no room and no move: they never enter). The bounds stay put during the walk.
    skip = np.empty(n_all, dtype=np.bool_)
    for j in range(n_all):
        skip[j] = is_basic[j] or (hi[j] - lo[j] <= 0.0 and dhi[j] == dlo[j])
    tau = 0.0
    pivots = 0
    n_saved = 0
    status = OPTIMAL
    while True:
        # Primal ratio test: the first basic variable to reach a (moving) bound. The
        # quotients first (every position, without branches, so the loop vectorises;
        # inf where the variable does not move towards a finite bound), then the first
        # smallest, lower bound before upper at each position.
        for i in range(m):
            g = gamma[i]
            rate = g - dlo_b[i]
            slack = beta[i] - lo_b[i] + tau * rate
            t = (slack if slack > 0.0 else 0.0) / -rate
            t_lo[i] = t if (rate < -RATE_TOL) & (lo_b[i] > -np.inf) else np.inf
            rate = dhi_b[i] - g
            slack = hi_b[i] - beta[i] + tau * rate
            t = (slack if slack > 0.0 else 0.0) / -rate
            t_hi[i] = t if (rate < -RATE_TOL) & (hi_b[i] < np.inf) else np.inf
        step = np.inf
        r = -1
        leave_upper = False
        for i in range(m):
            if t_lo[i] < step:
                step, r, leave_upper = t_lo[i], i, False
            if t_hi[i] < step:
                step, r, leave_upper = t_hi[i], i, True
        if r < 0 or tau + step >= 1.0 - END_TOL:
            break
        if pivots >= max_pivots:
            status = PIVOT_CAP
            break
        tau += step
        jr = basic[r]
        # The tableau row α_r = ρᵀM, ρ = e_rᵀB⁻¹, from the rows of M where ρ is nonzero
        # (ρ is sparse): every α_j gets its terms in the order of a column-wise sum over
        # increasing rows, and a sum from +0.0 gains nothing from a term ±0.0, so each
        # α_j is the column-wise sum, to the bit.
        # The columns touched (α_j = +0.0 elsewhere) are marked, then listed in
        # increasing order by a scan of the marks a word (8 marks) at a time, so that
        # the ratio test meets its candidates in the order of a scan over all j.
        for k in range(m):
            rk = binv[r, k]
            rho[k] = rk
            if rk != 0.0:
                for t in range(rp[k], rp[k + 1]):
                    j = rj[t]
                    mark[j] = True
                    alpha[j] += rk * rx[t]
        n_t = 0
        for wd in range(n_words):
            if mark_words[wd] != 0:
                for j in range(wd << 3, (wd << 3) + 8):
                    if mark[j]:
                        touched[n_t] = j
                        n_t += 1
        # Dual ratio test over α_r. Leaving at its upper bound needs θ ≥ 0 (its reduced
        # cost becomes −θ ≤ 0), at its lower bound θ ≤ 0; with θ = sgn·t, t ≥ 0, a
        # nonbasic j keeps the sign of d_j − t·sgn·α_j. (α_j = 0 never passes the
        # tests below.)
        sgn = 1.0 if leave_upper else -1.0
        q = -1
        best = np.inf
        best_a = 0.0
        for t in range(n_t):
            j = touched[t]
            if skip[j]:
                continue  # basic, or fixed along the path
            acc = alpha[j]
            if acc == 0.0:
                continue
            a = sgn * acc
            if at[j] == LOWER:
                if a <= PIVOT_TOL:
                    continue
                ratio = (d[j] if d[j] > 0.0 else 0.0) / a
            elif at[j] == UPPER:
                if a >= -PIVOT_TOL:
                    continue
                ratio = (d[j] if d[j] < 0.0 else 0.0) / a
            else:
                if abs(a) <= PIVOT_TOL:
                    continue
                ratio = 0.0
            if ratio < best - 1e-12 or (ratio <= best + 1e-12 and abs(a) > best_a):
                best, best_a, q = ratio, abs(a), j
        if q < 0:
            status = INFEASIBLE
            break
        _ftran(binv, mp, mi, mx, q, w)
        wr = w[r]
        if abs(wr) < PIVOT_TOL:
            status = NUMERICAL
            break
        theta = d[q] / alpha[q]
        # Duals: d ← d − θα (basic entries stay 0), y ← y + θρ. (Every nonbasic d_j,
        # α_j = +0.0 included: that turns a −0.0 into +0.0 when θ < 0, as it did.)
        for j in range(n_all):
            if not is_basic[j]:
                d[j] -= theta * alpha[j]
        for t in range(n_t):
            j = touched[t]
            alpha[j] = 0.0
            mark[j] = False
        d[q] = 0.0
        d[jr] = -theta
        for k in range(m):
            y[k] += theta * rho[k]
        # Primal: the leaving variable is pinned to the bound it reached (linear in τ),
        # the entering one absorbs the difference.
        if leave_upper:
            b0, b1, new_at = hi[jr], dhi[jr], UPPER
        else:
            b0, b1, new_at = lo[jr], dlo[jr], LOWER
        t0 = -(b0 - beta[r]) / wr
        t1 = -(b1 - gamma[r]) / wr
        for i in range(m):
            beta[i] -= t0 * w[i]
            gamma[i] -= t1 * w[i]
        beta[r] = z[q] + t0
        gamma[r] = zs[q] + t1
        z[jr], zs[jr], at[jr] = b0, b1, new_at
        z[q], zs[q] = 0.0, 0.0
        is_basic[jr] = False
        is_basic[q] = True
        skip[jr] = hi[jr] - lo[jr] <= 0.0 and dhi[jr] == dlo[jr]
        skip[q] = True
        basic[r] = q
        lo_b[r] = lo[q]
        hi_b[r] = hi[q]
        dlo_b[r] = dlo[q]
        dhi_b[r] = dhi[q]
        if log:
            for i in range(m):
                if not saved[i] and (i == r or w[i] != 0.0):
                    saved[i] = True
                    saved_at[n_saved] = i
                    for k in range(m):
                        saved_rows[n_saved, k] = binv[i, k]
                    n_saved += 1
        _eta(binv, w, r, prow, cols)
        pivots += 1
    if status == OPTIMAL:
        for i in range(m):
            beta[i] += gamma[i]
        for j in range(n_all):
            z[j] += zs[j]
            lo[j] += dlo[j]
            hi[j] += dhi[j]
    return status, pivots, n_saved


@_jit
def _restore(binv: FloatArray, saved_rows: FloatArray, saved_at: IntArray, n_saved: int) -> None:
    """Undo the pivots logged by :func:`_walk` (the saved rows back into ``binv``)."""
    m = binv.shape[0]
    for t in range(n_saved):
        i = saved_at[t]
        for k in range(m):
            binv[i, k] = saved_rows[t, k]


@_jit
def walk(
    binv: FloatArray,
    basic: IntArray,
    is_basic: BoolArray,
    at: NDArray[np.int8],
    beta: FloatArray,
    z: FloatArray,
    d: FloatArray,
    y: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    dlo: FloatArray,
    dhi: FloatArray,
    mp: IntArray,
    mi: IntArray,
    mx: FloatArray,
    rp: IntArray,
    rj: IntArray,
    rx: FloatArray,
    max_pivots: int,
) -> tuple[int, int]:
    """Walk the bounds from ``(l, u)`` to ``(l + Δl, u + Δu)`` (module docstring).

    Arrays are updated in place: ``binv`` (m, m), ``basic`` (m,) positions → variables,
    ``is_basic``/``at`` (N,), ``beta`` (m,) basic values, ``z`` (N,) nonbasic values,
    ``d`` (N,) reduced costs, ``y`` (m,) duals; on :data:`OPTIMAL` they describe the
    optimal basis at ``τ = 1`` and ``lo``/``hi`` are moved to the end of the path.
    Returns ``(status, pivots)``.
    """
    none = np.empty((0, 0))
    status, pivots, _ = _walk(
        binv,
        False,
        none,
        np.empty(0, dtype=np.int64),
        np.empty(0, dtype=np.bool_),
        basic,
        is_basic,
        at,
        beta,
        z,
        d,
        y,
        lo,
        hi,
        dlo,
        dhi,
        mp,
        mi,
        mx,
        rp,
        rj,
        rx,
        max_pivots,
    )
    return status, pivots


@_jit
def ratio_interval(
    a: FloatArray, slope: FloatArray, lo: FloatArray, hi: FloatArray, tol: float
) -> tuple[float, float]:
    """The interval of ``t`` with ``lo − tol ≤ a + t·slope ≤ hi + tol`` for every entry.

    Entries with ``|slope| ≤ 1e-12`` must hold at every ``t``; an empty interval is
    ``(nan, nan)``. (The compiled twin of ``rex_cli.control.highs._ratio_interval``,
    same operations, same results.)
    """
    nan = np.nan
    for i in range(a.shape[0]):
        if abs(slope[i]) <= 1e-12 and (a[i] < lo[i] - tol or a[i] > hi[i] + tol):
            return nan, nan
    low = -np.inf
    high = np.inf
    for i in range(a.shape[0]):
        s = slope[i]
        if abs(s) <= 1e-12:
            continue
        t1 = (lo[i] - tol - a[i]) / s
        t2 = (hi[i] + tol - a[i]) / s
        t_lo = t1 if s > 0 else t2
        t_hi = t2 if s > 0 else t1
        # NaN-propagating max/min, as np.max/np.min.
        if low == low and (t_lo > low or t_lo != t_lo):
            low = t_lo
        if high == high and (t_hi < high or t_hi != t_hi):
            high = t_hi
    if not low <= high:
        return nan, nan
    return low, high


@_jit
def one_sided(
    keep: FloatArray,
    keep_basic: IntArray,
    state: IntArray,
    work0: FloatArray,
    work1: FloatArray,
    mp: IntArray,
    mi: IntArray,
    mx: FloatArray,
    rp: IntArray,
    rj: IntArray,
    rx: FloatArray,
    basic_variables: NDArray[Any],
    col_value: FloatArray,
    row_value: FloatArray,
    col_dual: FloatArray,
    row_dual: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    row_lower: FloatArray,
    row_upper: FloatArray,
    trade_cost: FloatArray,
    n_shift: int,
    delta: float,
    max_pivots: int,
    tol: float,
    feasibility_tol: float,
    y_up: FloatArray,
    y_down: FloatArray,
) -> tuple[bool, float, float, int, int, int]:
    """The duals of the first ``n_shift`` rows at ``±δ``, from a solution's basis, in one call.

    The LP's first ``len(trade_cost)`` columns are trades: the first path moves their
    upper bounds from their values (``max(x, 0)``) to 0; the side paths then move both
    bounds of the logicals of the first ``n_shift`` rows by ``∓δ`` (row activity
    ``−Y ∓ δ``). Steps, with :class:`Walker`'s arithmetic throughout: the kept inverse
    ``keep``/``keep_basic`` (``state`` as in :func:`_inverse_for`) is brought to the
    solution's basis (``basic_variables`` in HiGHS's convention) and checked against the
    solution (``tol``); unless a basic trade column has a nonzero cost, the interval of
    shifts keeping the basis optimal is ranged (:func:`ratio_interval`,
    ``feasibility_tol``); a side it covers is not walked; the others are walked from the
    end of the first path. The walks pivot on ``keep`` itself and undo their pivots
    (undo logs of the rows they change in the work buffers ``work0``/``work1``), so
    that on return ``keep`` is the inverse of the solution's basis, to the bit.
    ``M = [A, −I]`` is given column-wise (``mp, mi, mx``) and row-wise (``rp, rj, rx``).

    Returns ``(ok, t_lo, t_hi, pivots, up, down)``: ``ok`` False when the inverse
    cannot be formed or does not reproduce the solution (nothing else is valid then);
    ``up``/``down`` are 0 for a side the interval covers, 1 for a side walked to its
    optimum (its duals written to ``y_up``/``y_down``), 2 for a failed walk.
    """
    m = keep.shape[0]
    n = col_value.shape[0]
    n_all = n + m
    n_trade = trade_cost.shape[0]
    target = np.zeros(n_all, dtype=np.bool_)
    for i in range(basic_variables.shape[0]):
        hb = basic_variables[i]
        target[hb if hb >= 0 else n - hb - 1] = True
    nan = np.nan
    if not _inverse_for(keep, keep_basic, state, target, mp, mi, mx, n):
        return False, nan, nan, 0, 2, 2
    basic = keep_basic.copy()
    lo = np.empty(n_all)
    hi = np.empty(n_all)
    zfull = np.empty(n_all)
    d = np.empty(n_all)
    for j in range(n):
        lo[j] = lower[j]
        hi[j] = upper[j]
        zfull[j] = col_value[j]
        d[j] = col_dual[j]
    for i in range(m):
        lo[n + i] = row_lower[i]
        hi[n + i] = row_upper[i]
        zfull[n + i] = row_value[i]
        d[n + i] = row_dual[i]
    y = row_dual.copy()
    # Trades: upper bound tightened to the value (as np.maximum(x, 0.0)), then to 0.
    dhi_trade = np.zeros(n_all)
    for j in range(n_trade):
        v = col_value[j]
        hi[j] = v if v > 0.0 or v != v else 0.0
        dhi_trade[j] = -hi[j]
    ok, at, beta, z = _start(keep, basic, target, zfull, d, lo, hi, mp, mi, mx, tol)
    if not ok:
        state[0] = 0
        return False, nan, nan, 0, 2, 2
    zero = np.zeros(n_all)
    shift = np.zeros(n_all)
    for i in range(n_shift):
        shift[n + i] = -1.0  # row activity bounds −Y − t
    # The interval of shifts t over which the basis stays optimal: the trades removed,
    # then t·shift.
    priced = False
    for i in range(m):
        j = basic[i]
        if j < n_trade and trade_cost[j] != 0.0:
            priced = True  # a priced trade column is basic: it sets the duals
    t_lo, t_hi = nan, nan
    if not priced:
        g0 = basic_slope(keep, basic, at, zero, dhi_trade, mp, mi, mx, target)
        g1 = basic_slope(keep, basic, at, shift, shift, mp, mi, mx, target)
        a = np.empty(m)
        slope = np.empty(m)
        blo = np.empty(m)
        bhi = np.empty(m)
        for i in range(m):
            j = basic[i]
            a[i] = beta[i] + g0[i]
            slope[i] = g1[i] - shift[j]
            blo[i] = lo[j]
            bhi[i] = hi[j] + dhi_trade[j]
        t_lo, t_hi = ratio_interval(a, slope, blo, bhi, feasibility_tol)
    up = 0 if t_lo <= delta <= t_hi else 2
    down = 0 if t_lo <= -delta <= t_hi else 2
    if up == 0 and down == 0:
        return True, t_lo, t_hi, 0, 0, 0
    is_basic = target
    # The walks pivot on the kept inverse itself, with undo logs: the trade removal's
    # in work0, each side's in work1 (undone before the other side walks).
    saved0 = np.zeros(m, dtype=np.bool_)
    at0 = np.empty(m, dtype=np.int64)
    status, pivots, n0 = _walk(
        keep,
        True,
        work0,
        at0,
        saved0,
        basic,
        is_basic,
        at,
        beta,
        z,
        d,
        y,
        lo,
        hi,
        zero,
        dhi_trade,
        mp,
        mi,
        mx,
        rp,
        rj,
        rx,
        max_pivots,
    )
    if status == OPTIMAL:
        both = up != 0 and down != 0
        saved1 = np.zeros(m, dtype=np.bool_)
        at1 = np.empty(m, dtype=np.int64)
        for side in range(2):
            if (up if side == 0 else down) == 0:
                continue
            sign = delta if side == 0 else -delta
            step = np.empty(n_all)
            for j in range(n_all):
                step[j] = sign * shift[j]
            if both and side == 0:  # the other side walks from the same basis: copies
                ys = y.copy()
                status, p, n1 = _walk(
                    keep,
                    True,
                    work1,
                    at1,
                    saved1,
                    basic.copy(),
                    is_basic.copy(),
                    at.copy(),
                    beta.copy(),
                    z.copy(),
                    d.copy(),
                    ys,
                    lo.copy(),
                    hi.copy(),
                    step,
                    step,
                    mp,
                    mi,
                    mx,
                    rp,
                    rj,
                    rx,
                    max_pivots,
                )
            else:
                ys = y
                status, p, n1 = _walk(
                    keep,
                    True,
                    work1,
                    at1,
                    saved1,
                    basic,
                    is_basic,
                    at,
                    beta,
                    z,
                    d,
                    y,
                    lo,
                    hi,
                    step,
                    step,
                    mp,
                    mi,
                    mx,
                    rp,
                    rj,
                    rx,
                    max_pivots,
                )
            _restore(keep, work1, at1, n1)
            for t in range(n1):
                saved1[at1[t]] = False
            pivots += p
            if status == OPTIMAL:
                out = y_up if side == 0 else y_down
                for k in range(out.shape[0]):
                    out[k] = ys[k]
                if side == 0:
                    up = 1
                else:
                    down = 1
    _restore(keep, work0, at0, n0)
    return True, t_lo, t_hi, pivots, up, down


@_jit
def _bound_path(
    a: float, b: float, value: float, sits_at: bool, free: bool, lower: bool
) -> tuple[bool, float, float]:
    """One bound's path from ``a`` (old) to ``b`` (new): ``(ok, start, rate)``.

    ``start`` is the bound at τ = 0 and ``rate`` its move to τ = 1. Unchanged: ``(a, 0)``.
    Both finite: ``(a, b − a)``. A bound that goes (``b`` infinite) goes at once,
    unless the nonbasic variable sits at it (``sits_at``). A bound that appears starts
    at the variable's ``value`` if that lies beyond it (above a lower bound, ``lower``,
    or below an upper one), else at ``b``; not for a free nonbasic variable (``free``).
    ``ok`` is False where the bound's kind changes under a nonbasic variable, or an
    infinite bound stays infinite with the other sign (:data:`BOUND_KIND`).
    """
    if a == b:
        return True, a, 0.0
    if not (math.isinf(a) or math.isinf(b)):
        return True, a, b - a
    if math.isinf(a) and math.isinf(b):
        return False, a, 0.0
    if math.isinf(b):
        return not sits_at, b, 0.0
    if free:
        return False, a, 0.0
    if lower:
        start = b if b <= value else value
    else:
        start = b if b >= value else value
    return True, start, b - start


# Outcomes of :func:`resolve` (anything but RESOLVED: the caller solves with HiGHS).
RESOLVED = 0
NO_INVERSE = 1  # the kept inverse cannot be brought to the last basis
BAD_START = 2  # the inverse does not reproduce the last solution
NOT_FLIPPABLE = 3  # primal pivots failed (unbounded ray, pivot cap) or a free one is left
BOUND_KIND = 4  # a nonbasic variable's bound went, or a free nonbasic one got a bound
WALK_FAILED = 5  # the bound walk stopped (infeasible, pivot cap, tiny pivot)
BAD_END = 6  # the end point fails the primal / dual feasibility or residual check


@_jit
def _duals(binv: FloatArray, basic: IntArray, cost: FloatArray, n: int, y: FloatArray) -> None:
    """``y = c_Bᵀ B⁻¹`` (logicals cost 0), skipping zero costs.

    Each ``y_k`` sums from ``+0.0`` and so never is ``−0.0``: a term ``cb·0`` (``±0.0``)
    leaves it as it is, and the rows are added whole (a loop that vectorises).
    """
    m = binv.shape[0]
    for k in range(m):
        y[k] = 0.0
    for i in range(m):
        j = basic[i]
        if j >= n:
            continue
        cb = cost[j]
        if cb == 0.0:
            continue
        for k in range(m):
            y[k] += cb * binv[i, k]


@_jit
def _reduced(
    cost: FloatArray,
    y: FloatArray,
    is_basic: BoolArray,
    mp: IntArray,
    mi: IntArray,
    mx: FloatArray,
    n: int,
    d: FloatArray,
) -> None:
    """``d = c − Mᵀy`` on the nonbasic variables, 0 on the basic ones."""
    for j in range(d.shape[0]):
        if is_basic[j]:
            d[j] = 0.0
            continue
        acc = cost[j] if j < n else 0.0
        for k in range(mp[j], mp[j + 1]):
            acc -= mx[k] * y[mi[k]]
        d[j] = acc


@_jit
def _primal_phase(
    binv: FloatArray,
    basic: IntArray,
    is_basic: BoolArray,
    at: NDArray[np.int8],
    beta: FloatArray,
    z: FloatArray,
    d: FloatArray,
    y: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    lo_new: FloatArray,
    hi_new: FloatArray,
    cost: FloatArray,
    mp: IntArray,
    mi: IntArray,
    mx: FloatArray,
    dual_tol: float,
    max_pivots: int,
) -> tuple[int, int]:
    """Primal simplex pivots until no unflippable nonbasic variable is dual infeasible.

    A nonbasic variable whose reduced cost has the wrong sign and whose bound in the
    direction of improvement is infinite (in ``lo_new``/``hi_new``: a bound flip
    cannot repair it) enters (the largest violation first, Dantzig's rule); the
    primal ratio test over the bounds ``lo``/``hi`` picks the leaving variable (ties:
    the largest pivot element), so the basis stays primal feasible for ``lo``/``hi``.
    Duals and reduced costs are recomputed after each pivot. Returns ``(outcome,
    pivots)``: :data:`OPTIMAL` when none is left, :data:`PIVOT_CAP`, :data:`NUMERICAL`
    (no leaving variable with a pivot element above :data:`PIVOT_TOL`: an unbounded
    ray or trouble). Chvátal (1983) ch. 8 (the bounded primal simplex method).
    """
    m = binv.shape[0]
    n_all = at.shape[0]
    n = n_all - m
    w = np.empty(m)
    prow = np.empty(m)  # _eta's work buffers
    cols = np.empty(m, dtype=np.int64)
    pivots = 0
    while True:
        q = -1
        best = dual_tol
        sgn = 0.0
        for j in range(n_all):
            if is_basic[j] or lo[j] == hi[j]:
                continue
            dj = d[j]
            if at[j] == LOWER:
                if -dj > best and math.isinf(hi_new[j]):
                    q, best, sgn = j, -dj, 1.0
            elif at[j] == UPPER:
                if dj > best and math.isinf(lo_new[j]):
                    q, best, sgn = j, dj, -1.0
            elif abs(dj) > best:
                q, best, sgn = j, abs(dj), (1.0 if dj < 0.0 else -1.0)
        if q < 0:
            return OPTIMAL, pivots
        if pivots >= max_pivots:
            return PIVOT_CAP, pivots
        _ftran(binv, mp, mi, mx, q, w)
        # z_B(t) = β − t·sgn·w for the entering variable moved by sgn·t, t ≥ 0.
        step = np.inf
        r = -1
        leave_upper = False
        big = 0.0
        for i in range(m):
            rate = -sgn * w[i]
            if abs(rate) <= PIVOT_TOL:
                continue
            j = basic[i]
            if rate < 0.0:
                if math.isinf(lo[j]):
                    continue
                slack = beta[i] - lo[j]
                up = False
            else:
                if math.isinf(hi[j]):
                    continue
                slack = hi[j] - beta[i]
                up = True
            t = (slack if slack > 0.0 else 0.0) / abs(rate)
            if t < step - 1e-12 or (t <= step + 1e-12 and abs(rate) > big):
                step, r, leave_upper, big = t, i, up, abs(rate)
        if r < 0:
            return NUMERICAL, pivots
        jr = basic[r]
        for i in range(m):
            beta[i] -= step * sgn * w[i]
        beta[r] = z[q] + sgn * step
        z[jr] = hi[jr] if leave_upper else lo[jr]
        at[jr] = UPPER if leave_upper else LOWER
        z[q] = 0.0
        is_basic[jr] = False
        is_basic[q] = True
        basic[r] = q
        _eta(binv, w, r, prow, cols)
        _duals(binv, basic, cost, n, y)
        _reduced(cost, y, is_basic, mp, mi, mx, n, d)
        pivots += 1


@_jit
def resolve(
    keep: FloatArray,
    keep_basic: IntArray,
    state: IntArray,
    is_basic: BoolArray,
    mp: IntArray,
    mi: IntArray,
    mx: FloatArray,
    rp: IntArray,
    rj: IntArray,
    rx: FloatArray,
    z_prev: FloatArray,
    lo_prev: FloatArray,
    hi_prev: FloatArray,
    lo_new: FloatArray,
    hi_new: FloatArray,
    cost: FloatArray,
    max_pivots: int,
    tol: float,
    dual_tol: float,
    feasibility_tol: float,
    z_out: FloatArray,
    y_out: FloatArray,
    d_out: FloatArray,
) -> tuple[int, int, int]:
    """Re-solve an LP whose costs and bounds changed, from the last optimal basis.

    The warm-started dual simplex: the last solution ``z_prev`` (N,) was optimal for the
    bounds ``lo_prev``/``hi_prev`` with basis ``is_basic`` (N,); the LP now has the
    costs ``cost`` (n,) (logicals cost 0) and the bounds ``lo_new``/``hi_new``.

    1. The kept inverse is brought to the last basis (:func:`_inverse_for`) and checked
       against ``z_prev`` (:func:`_start`, relative residual ``tol``).
    2. The bound path from the old bounds to the new ones: a bound that goes (becomes
       infinite) goes at once, unless a nonbasic variable sits at it
       (:data:`BOUND_KIND`); a bound that appears starts at the variable's value when
       that lies beyond it. New costs: the duals ``y = c_Bᵀ B⁻¹`` and reduced costs
       ``d = c − Mᵀy``. A nonbasic variable whose reduced cost has the wrong sign for
       its bound (beyond ``dual_tol``) and no finite bound on the other side enters the
       basis by primal simplex pivots under the bounds at the path's start
       (:func:`_primal_phase`); each one left with the wrong sign then moves to its
       other bound (a boxed variable): the bound flip of the bounded dual simplex. The
       basis is then dual feasible.
    3. The bound path, with the flips (a flipped variable's new bound starts at its
       old value), walked with dual simplex pivots (:func:`_walk`): at its end the
       basis is primal and dual feasible
       for the new LP, i.e. optimal. Chvátal (1983) ch. 10 and Koberstein, *The dual
       simplex method, techniques for a fast and stable implementation* (PhD thesis,
       Paderborn, 2005) ch. 3 (bound flipping).
    4. The end point is recomputed from scratch with the inverse (basic values from the
       nonbasic ones at their bounds, duals from the costs) and checked: the recomputed
       basic values within ``tol`` (relative) of the walked ones and within
       ``feasibility_tol`` of their bounds; against the matrix itself, ``M z = 0`` row
       by row within ``feasibility_tol`` × (1 + |row activity|) and the basic
       columns' reduced costs within ``dual_tol`` × 100 of 0; every nonbasic reduced
       cost of the right sign within ``dual_tol`` × 100. A failed residual check marks
       the inverse for a rebuild.

    On :data:`RESOLVED` the outputs hold the optimal solution: ``z_out`` (N,) the values
    (columns, then row activities), ``y_out`` (m,) the duals (HiGHS's ``row_dual``),
    ``d_out`` (N,) the reduced costs (0 on the basis), and ``keep``/``keep_basic``/
    ``is_basic`` the new basis. Any other outcome (one of the constants above) leaves
    ``keep`` a valid inverse of some basis (``state`` says so) and the outputs unset.
    Returns ``(outcome, pivots, primal pivots)`` (all pivots, and those of step 2).
    """
    m = keep.shape[0]
    n_all = lo_prev.shape[0]
    n = n_all - m
    if not _inverse_for(keep, keep_basic, state, is_basic, mp, mi, mx, n):
        return NO_INVERSE, 0, 0
    basic = keep_basic
    lo = lo_prev.copy()
    hi = hi_prev.copy()
    d = np.empty(n_all)
    ok, at, beta, z = _start(keep, basic, is_basic, z_prev, d, lo, hi, mp, mi, mx, tol)
    if not ok:
        state[0] = 0
        return BAD_START, 0, 0
    y = np.empty(m)
    _duals(keep, basic, cost, n, y)
    _reduced(cost, y, is_basic, mp, mi, mx, n, d)
    # The bound path. A bound that goes (becomes infinite) goes at τ = 0, unless a
    # nonbasic variable sits at it; a bound that appears starts at the variable's value
    # if that lies beyond it (and moves to its place), else at its place.
    where = np.full(n_all, -1, dtype=np.int64)
    for i in range(m):
        where[basic[i]] = i
    dlo = np.zeros(n_all)
    dhi = np.zeros(n_all)
    for j in range(n_all):
        value = beta[where[j]] if is_basic[j] else z[j]
        nonbasic = not is_basic[j]
        free = nonbasic and at[j] == FREE
        ok, lo[j], dlo[j] = _bound_path(
            lo_prev[j], lo_new[j], value, nonbasic and at[j] == LOWER, free, True
        )
        if not ok:
            return BOUND_KIND, 0, 0
        ok, hi[j], dhi[j] = _bound_path(
            hi_prev[j], hi_new[j], value, nonbasic and at[j] == UPPER, free, False
        )
        if not ok:
            return BOUND_KIND, 0, 0
    status, first = _primal_phase(
        keep, basic, is_basic, at, beta, z, d, y, lo, hi, lo_new, hi_new, cost, mp, mi, mx,
        dual_tol, max_pivots,
    )  # fmt: skip
    state[1] += first
    if status != OPTIMAL:
        return NOT_FLIPPABLE, first, first
    for j in range(n_all):
        if is_basic[j]:
            continue
        if lo_new[j] == hi_new[j] and lo_prev[j] == hi_prev[j]:
            continue  # fixed at both ends: any reduced cost is optimal
        dj = d[j]
        if at[j] == LOWER:
            if dj < -dual_tol:
                if math.isinf(hi_new[j]):
                    return NOT_FLIPPABLE, first, first
                at[j] = UPPER
                hi[j] = z[j]
                dhi[j] = hi_new[j] - z[j]
        elif at[j] == UPPER:
            if dj > dual_tol:
                if math.isinf(lo_new[j]):
                    return NOT_FLIPPABLE, first, first
                at[j] = LOWER
                lo[j] = z[j]
                dlo[j] = lo_new[j] - z[j]
        elif abs(dj) > dual_tol:
            return NOT_FLIPPABLE, first, first
    status, pivots = walk(
        keep, basic, is_basic, at, beta, z, d, y, lo, hi, dlo, dhi, mp, mi, mx, rp, rj, rx,
        max_pivots,
    )  # fmt: skip
    state[1] += pivots
    pivots += first
    if status != OPTIMAL:
        if status == NUMERICAL:
            state[0] = 0  # a tiny pivot: the inverse is rebuilt from −I next time
        return WALK_FAILED, pivots, first
    # The end point from scratch: nonbasic values at their new bounds, B β = −N z_N.
    v = np.zeros(m)
    for j in range(n_all):
        if is_basic[j]:
            z_out[j] = 0.0
            continue
        if at[j] == LOWER:
            zj = lo_new[j]
        elif at[j] == UPPER:
            zj = hi_new[j]
        else:
            zj = 0.0
        z_out[j] = zj
        if zj != 0.0:
            for k in range(mp[j], mp[j + 1]):
                v[mi[k]] += mx[k] * zj
    b_end = np.empty(m)  # β = −B⁻¹v, recomputed through the inverse
    _neg_inverse_times(keep, v, b_end)
    for i in range(m):
        bi = b_end[i]
        j = basic[i]
        if abs(bi - beta[i]) > tol * (1.0 + abs(beta[i])):
            state[0] = 0  # the inverse drifted: rebuilt from −I next time
            return BAD_END, pivots, first
        if bi < lo_new[j] - feasibility_tol or bi > hi_new[j] + feasibility_tol:
            return BAD_END, pivots, first
        z_out[j] = bi
    # Against the matrix itself (not through the inverse): M z = 0 row by row, each
    # within the feasibility tolerance relative to the row activity.
    v[:] = 0.0
    for j in range(n_all):
        zj = z_out[j]
        if zj != 0.0:
            for k in range(mp[j], mp[j + 1]):
                v[mi[k]] += mx[k] * zj
    for k in range(m):
        if abs(v[k]) > feasibility_tol * (1.0 + abs(z_out[n + k])):
            state[0] = 0
            return BAD_END, pivots, first
    _duals(keep, basic, cost, n, y_out)
    loose = 100.0 * dual_tol
    # The basic columns' reduced costs, against the matrix: c_B − B^T y = 0.
    for i in range(m):
        j = basic[i]
        acc = cost[j] if j < n else 0.0
        for k in range(mp[j], mp[j + 1]):
            acc -= mx[k] * y_out[mi[k]]
        if abs(acc) > loose:
            state[0] = 0
            return BAD_END, pivots, first
    _reduced(cost, y_out, is_basic, mp, mi, mx, n, d_out)
    for j in range(n_all):
        if is_basic[j] or lo_new[j] == hi_new[j]:
            continue
        dj = d_out[j]
        if at[j] == LOWER:
            if dj < -loose:
                return BAD_END, pivots, first
        elif at[j] == UPPER:
            if dj > loose:
                return BAD_END, pivots, first
        elif abs(dj) > loose:
            return BAD_END, pivots, first
    return RESOLVED, pivots, first


@_jit
def warm_resolve(
    keep: FloatArray,
    keep_basic: IntArray,
    state: IntArray,
    basis: BoolArray,
    mp: IntArray,
    mi: IntArray,
    mx: FloatArray,
    rp: IntArray,
    rj: IntArray,
    rx: FloatArray,
    z_prev: FloatArray,
    lo_prev: FloatArray,
    hi_prev: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    row_lower: FloatArray,
    row_upper: FloatArray,
    cost: FloatArray,
    tol: float,
    dual_tol: float,
    feasibility_tol: float,
) -> tuple[
    int, int, int, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, BoolArray, IntArray
]:
    """:func:`resolve` with its arrays made here, for a solver's column and row bounds.

    The new bounds are ``lower``/``upper`` (n,) then ``row_lower``/``row_upper`` (m,)
    (the rows' activities); the basis ``basis`` (N,) is copied (``resolve`` changes its
    copy); at most ``m`` pivots. Returns ``(outcome, pivots, primal, z, y, d, lo, hi,
    is_basic, basic_variables)``: ``resolve``'s outcome and counts, the values, row
    duals and reduced costs it wrote, the bounds and basis of the end (the next call's
    ``lo_prev``/``hi_prev``/``basis``), and the basic variables in HiGHS's convention
    (column ``j``, or ``−1 − i`` for row ``i``'s logical).
    """
    n = lower.shape[0]
    m = row_lower.shape[0]
    n_all = n + m
    lo = np.empty(n_all)
    hi = np.empty(n_all)
    for j in range(n):
        lo[j] = lower[j]
        hi[j] = upper[j]
    for i in range(m):
        lo[n + i] = row_lower[i]
        hi[n + i] = row_upper[i]
    is_basic = basis.copy()
    z = np.empty(n_all)
    y = np.empty(m)
    d = np.empty(n_all)
    outcome, pivots, primal = resolve(
        keep, keep_basic, state, is_basic, mp, mi, mx, rp, rj, rx, z_prev, lo_prev, hi_prev,
        lo, hi, cost, m, tol, dual_tol, feasibility_tol, z, y, d,
    )  # fmt: skip
    basic_variables = np.empty(m, dtype=np.int64)
    for i in range(m):
        kb = keep_basic[i]
        basic_variables[i] = kb if kb < n else n - kb - 1
    return outcome, pivots, primal, z, y, d, lo, hi, is_basic, basic_variables


_local = threading.local()


def spares(m: int) -> tuple[FloatArray, FloatArray]:
    """Two ``(m, m)`` work buffers for :func:`one_sided`, shared by every LP of ``m`` rows.

    The walks copy the kept inverse into them; nothing stays in them between calls, so
    one pair per size (and thread) serves all the LPs: a plant keeps one ``m × m``
    inverse instead of three. Warm pages also copy faster than fresh ones.
    """
    pool: dict[int, tuple[FloatArray, FloatArray]] | None = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = {}
    got = pool.get(m)
    if got is None:
        got = pool[m] = (np.empty((m, m)), np.empty((m, m)))
    return got


class BasisInverse:
    """The dense inverse of the last basis of one LP, reached by exchanges (:func:`rebasis`).

    The LP's matrix is kept as ``M = [A, −I]`` in CSC arrays (``mp, mi, mx``), built once:
    the matrix does not change between solves, only bounds, costs and the basis do.

    Args:
        matrix: ``A`` (m, n).
        refresh: Exchanges after which the inverse is rebuilt from ``−I`` (bounds the
            growth of rounding in the product-form updates).

    Attributes:
        keep: The kept inverse (m, m) of the basis ``keep_basic`` (m,) (positions →
            variables), valid while ``state[0]`` is 1; ``state = [valid, exchanges,
            refresh]`` (:func:`one_sided` updates all three in place).
    """

    def __init__(self, matrix: sp.spmatrix, refresh: int = 2000) -> None:
        m, n = matrix.shape
        self.m, self.n = int(m), int(n)
        full = sp.hstack([matrix, -sp.identity(m, format="csc")], format="csc")
        full.sort_indices()
        self.mp = full.indptr.astype(np.int64)
        self.mi = full.indices.astype(np.int64)
        self.mx = full.data.astype(np.float64)
        # Row-wise (CSR) copy: entries by row, in column order within a row.
        cols = np.repeat(np.arange(self.n + self.m, dtype=np.int64), np.diff(self.mp))
        order = np.argsort(self.mi, kind="stable")
        self.rp = np.zeros(self.m + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.mi, minlength=self.m), out=self.rp[1:])
        self.rj = cols[order]
        self.rx = self.mx[order]
        # M column-wise, then row-wise: in the order the compiled calls take them.
        self.matrix = (self.mp, self.mi, self.mx, self.rp, self.rj, self.rx)
        self.refresh = int(refresh)
        self.keep = np.empty((self.m, self.m))
        self.keep_basic = np.empty(self.m, dtype=np.int64)
        self.state = np.array([0, 0, self.refresh], dtype=np.int64)
        self._work: tuple[FloatArray, FloatArray] | None = None  # Walker's, on first use

    def _buffers(self) -> tuple[FloatArray, FloatArray]:
        if self._work is None:
            self._work = (np.empty((self.m, self.m)), np.empty((self.m, self.m)))
        return self._work

    def inverse(self, target: NDArray[np.bool_]) -> tuple[FloatArray, IntArray] | None:
        """``(B⁻¹, basic)`` for the basis ``target`` (bool over the N variables).

        Arrays the caller may modify; ``B⁻¹`` is a work buffer of this object, valid
        until the next call (:meth:`spare` gives the other one, for a copy). ``None``
        if the basis looks singular.
        """
        if not _inverse_for(
            self.keep, self.keep_basic, self.state, target, self.mp, self.mi, self.mx, self.n
        ):
            return None
        work = self._buffers()[0]
        np.copyto(work, self.keep)
        return work, self.keep_basic.copy()

    def spare(self, binv: FloatArray) -> FloatArray:
        """A copy of ``binv`` in the work buffer that ``binv`` is not."""
        work = self._buffers()
        buf = work[1] if binv is work[0] else work[0]
        np.copyto(buf, binv)
        return buf

    def forget(self) -> None:
        """Drop the kept inverse (the next one is built from ``−I``)."""
        self.state[0] = 0


class Walker:
    """An optimal basis with its values and duals, walked along bound paths.

    Build it with :meth:`from_solution`; :meth:`walk` moves the bounds (in place).
    Attributes: ``binv`` (m, m), ``basic`` (m,) positions → variables (``j < n`` column
    ``j``, ``n + i`` the logical of row ``i``), ``is_basic``/``at`` (N,), ``beta`` (m,)
    basic values, ``z`` (N,) nonbasic values, ``d`` (N,) reduced costs, ``y`` (m,) duals,
    ``lo``/``hi`` (N,) current bounds. (:func:`one_sided` does the RHPO coordinator's
    walks in one compiled call, with the same arithmetic.)
    """

    _ARRAYS = ("binv", "basic", "is_basic", "at", "beta", "z", "d", "y", "lo", "hi")
    binv: FloatArray
    basic: IntArray
    is_basic: BoolArray
    at: NDArray[np.int8]
    beta: FloatArray
    z: FloatArray
    d: FloatArray
    y: FloatArray
    lo: FloatArray
    hi: FloatArray

    def __init__(self, inverse: BasisInverse, arrays: dict[str, Any]) -> None:
        self.inverse = inverse
        for name in self._ARRAYS:
            setattr(self, name, arrays[name])

    @classmethod
    def from_solution(
        cls,
        inverse: BasisInverse,
        basic_variables: IntArray,
        col_value: FloatArray,
        row_value: FloatArray,
        col_dual: FloatArray,
        row_dual: FloatArray,
        lower: FloatArray,
        upper: FloatArray,
        *,
        tol: float = RESIDUAL_TOL,
    ) -> Walker | None:
        """The walker at an optimal solution of the LP (HiGHS's conventions).

        Args:
            inverse: The LP's :class:`BasisInverse` (keeps the last basis's inverse).
            basic_variables: HiGHS's ``getBasicVariables``: ``j ≥ 0`` column ``j``,
                ``j < 0`` the logical of row ``−j − 1``.
            col_value: ``x`` (n,).
            row_value: The row activities ``r`` (m,).
            col_dual: Reduced costs ``c − Aᵀy`` (n,).
            row_dual: ``y`` (m,) (for a minimisation, ``∂cost/∂(row bound)``); the
                reduced cost of the logical of row ``i`` (cost 0, column ``−e_i``) is
                ``y_i``.
            lower: Lower bounds of the N variables (columns, then rows).
            upper: Upper bounds of the N variables.
            tol: Largest relative residual of the basic values recomputed from the
                nonbasic ones with the inverse; above it the basis is rejected.

        Returns ``None`` when the inverse cannot be formed or does not reproduce the
        solution (numerical trouble: the caller falls back to a solver).
        """
        n, m = inverse.n, inverse.m
        hb = np.asarray(basic_variables, dtype=np.int64)
        target = np.zeros(n + m, dtype=bool)
        target[np.where(hb >= 0, hb, n - hb - 1)] = True
        got = inverse.inverse(target)
        if got is None:
            return None
        binv, basic = got
        lo = np.array(lower, dtype=np.float64)
        hi = np.array(upper, dtype=np.float64)
        zfull = np.concatenate([col_value, row_value]).astype(np.float64)
        d = np.concatenate([col_dual, row_dual]).astype(np.float64)
        y = np.array(row_dual, dtype=np.float64)
        ok, at, beta, z = _start(
            binv, basic, target, zfull, d, lo, hi, inverse.mp, inverse.mi, inverse.mx, tol
        )
        if not ok:
            inverse.forget()
            return None
        arrays = dict(
            binv=binv, basic=basic, is_basic=target, at=at, beta=beta, z=z, d=d, y=y, lo=lo, hi=hi
        )
        return cls(inverse, arrays)

    def copy(self) -> Walker:
        """An independent copy (to walk two paths from one basis).

        Its ``B⁻¹`` is the inverse's other work buffer (:meth:`BasisInverse.spare`).
        """
        arrays = {k: getattr(self, k).copy() for k in self._ARRAYS if k != "binv"}
        arrays["binv"] = self.inverse.spare(self.binv)
        return Walker(self.inverse, arrays)

    def slope(self, dlo: FloatArray, dhi: FloatArray) -> FloatArray:
        """Rates ``dz_B/dτ`` (basis order) of the basic values on the path ``(Δl, Δu)``."""
        inv = self.inverse
        return basic_slope(
            self.binv, self.basic, self.at, dlo, dhi, inv.mp, inv.mi, inv.mx, self.is_basic
        )

    def walk(self, dlo: FloatArray, dhi: FloatArray, max_pivots: int) -> tuple[int, int]:
        """Move the bounds by ``(Δl, Δu)``; returns ``(status, pivots)`` (:func:`walk`)."""
        inv = self.inverse
        return walk(
            *(getattr(self, k) for k in self._ARRAYS),
            np.asarray(dlo, dtype=np.float64),
            np.asarray(dhi, dtype=np.float64),
            *inv.matrix,
            int(max_pivots),
        )

    def values(self) -> FloatArray:
        """The basic solution ``z = (x, r)`` (N,)."""
        z: FloatArray = self.z.copy()
        z[self.basic] = self.beta
        return z
