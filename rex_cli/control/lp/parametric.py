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
the eta matrix of the pivot column, one rank-one update per pivot). A new basis's
inverse is reached by exchanges from a known one (:func:`rebasis`): from ``−I`` (all
logicals) on the first call, from the previous basis afterwards (successive warm
-started solves differ in a few columns), each exchange choosing the leaving position
with the largest pivot element. The loops are compiled with numba: a pivot in NumPy
calls costs tens of array operations of a few microseconds each, more than a
compiled simplex iteration of HiGHS, so interpreted pivots would be slower than
re-solving. A walk is capped (``max_pivots``) and reports a tiny pivot element, so
that the caller can fall back to a solver.
"""

from __future__ import annotations

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
    "rebasis",
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

_jit: Any = numba.njit(cache=True, nogil=True)


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
def _eta(binv: FloatArray, w: FloatArray, r: int) -> None:
    """``B⁻¹ ← E·B⁻¹``: the basic column at position ``r`` replaced by one with ``B⁻¹a = w``."""
    m = binv.shape[0]
    wr = w[r]
    for j in range(m):
        binv[r, j] /= wr
    for i in range(m):
        f = w[i]
        if i != r and f != 0.0:
            for j in range(m):
                binv[i, j] -= f * binv[r, j]


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
        _eta(binv, w, best)
        current[basic[best]] = False
        current[e] = True
        basic[best] = e
        done += 1
    return done


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
    g = np.zeros(m)
    for i in range(m):
        acc = 0.0
        for k in range(m):
            acc += binv[i, k] * v[k]
        g[i] = -acc
    return g


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
    max_pivots: int,
) -> tuple[int, int]:
    """Walk the bounds from ``(l, u)`` to ``(l + Δl, u + Δu)`` (module docstring).

    Arrays are updated in place: ``binv`` (m, m), ``basic`` (m,) positions → variables,
    ``is_basic``/``at`` (N,), ``beta`` (m,) basic values, ``z`` (N,) nonbasic values,
    ``d`` (N,) reduced costs, ``y`` (m,) duals; on :data:`OPTIMAL` they describe the
    optimal basis at ``τ = 1`` and ``lo``/``hi`` are moved to the end of the path.
    Returns ``(status, pivots)``.
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
    alpha = np.zeros(n_all)
    tau = 0.0
    pivots = 0
    status = OPTIMAL
    while True:
        # Primal ratio test: the first basic variable to reach a (moving) bound.
        step = np.inf
        r = -1
        leave_upper = False
        for i in range(m):
            j = basic[i]
            rate = gamma[i] - dlo[j]
            if rate < -RATE_TOL and lo[j] > -np.inf:
                slack = beta[i] - lo[j] + tau * rate
                t = (slack if slack > 0.0 else 0.0) / -rate
                if t < step:
                    step, r, leave_upper = t, i, False
            rate = dhi[j] - gamma[i]
            if rate < -RATE_TOL and hi[j] < np.inf:
                slack = hi[j] - beta[i] + tau * rate
                t = (slack if slack > 0.0 else 0.0) / -rate
                if t < step:
                    step, r, leave_upper = t, i, True
        if r < 0 or tau + step >= 1.0 - END_TOL:
            break
        if pivots >= max_pivots:
            status = PIVOT_CAP
            break
        tau += step
        jr = basic[r]
        for k in range(m):
            rho[k] = binv[r, k]
        # Dual ratio test over the tableau row α_r = ρᵀM. Leaving at its upper bound
        # needs θ ≥ 0 (its reduced cost becomes −θ ≤ 0), at its lower bound θ ≤ 0;
        # with θ = sgn·t, t ≥ 0, a nonbasic j keeps the sign of d_j − t·sgn·α_j.
        sgn = 1.0 if leave_upper else -1.0
        q = -1
        best = np.inf
        best_a = 0.0
        for j in range(n_all):
            if is_basic[j]:
                continue
            acc = 0.0
            for k in range(mp[j], mp[j + 1]):
                acc += rho[mi[k]] * mx[k]
            alpha[j] = acc
            if hi[j] - lo[j] <= 0.0 and dhi[j] == dlo[j]:
                continue  # fixed along the path: never enters
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
        # Duals: d ← d − θα (basic entries stay 0), y ← y + θρ.
        for j in range(n_all):
            if not is_basic[j]:
                d[j] -= theta * alpha[j]
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
        basic[r] = q
        _eta(binv, w, r)
        pivots += 1
    if status == OPTIMAL:
        for i in range(m):
            beta[i] += gamma[i]
        for j in range(n_all):
            z[j] += zs[j]
            lo[j] += dlo[j]
            hi[j] += dhi[j]
    return status, pivots


class BasisInverse:
    """The dense inverse of the last basis of one LP, reached by exchanges (:func:`rebasis`).

    Args:
        matrix: ``A`` (m, n); the object keeps ``M = [A, −I]`` in CSC arrays.
        refresh: Exchanges after which the inverse is rebuilt from ``−I`` (bounds the
            growth of rounding in the product-form updates).
    """

    def __init__(self, matrix: sp.spmatrix, refresh: int = 2000) -> None:
        m, n = matrix.shape
        self.m, self.n = int(m), int(n)
        full = sp.hstack([matrix, -sp.identity(m, format="csc")], format="csc")
        full.sort_indices()
        self.full = full.tocsr()
        self.mp = full.indptr.astype(np.int64)
        self.mi = full.indices.astype(np.int64)
        self.mx = full.data.astype(np.float64)
        self.refresh = int(refresh)
        self._binv: FloatArray | None = None
        self._basic: IntArray | None = None
        self._exchanges = 0
        self._work = (np.empty((self.m, self.m)), np.empty((self.m, self.m)))

    def _identity(self) -> tuple[FloatArray, IntArray]:
        return -np.eye(self.m), np.arange(self.n, self.n + self.m, dtype=np.int64)

    def inverse(self, target: NDArray[np.bool_]) -> tuple[FloatArray, IntArray] | None:
        """``(B⁻¹, basic)`` for the basis ``target`` (bool over the N variables).

        Arrays the caller may modify; ``B⁻¹`` is a work buffer of this object, valid
        until the next call (:meth:`spare` gives the other one, for a copy). ``None``
        if the basis looks singular.
        """
        for attempt in range(2):
            if self._binv is None or self._exchanges >= self.refresh or attempt == 1:
                self._binv, self._basic = self._identity()
                self._exchanges = 0
            assert self._basic is not None
            done = rebasis(self._binv, self._basic, target, self.mp, self.mi, self.mx)
            if done >= 0:
                self._exchanges += done
                np.copyto(self._work[0], self._binv)
                return self._work[0], self._basic.copy()
        self.forget()
        return None

    def spare(self, binv: FloatArray) -> FloatArray:
        """A copy of ``binv`` in the work buffer that ``binv`` is not.

        No allocation: fresh pages of a large array cost more than copying into warm ones.
        """
        buf = self._work[1] if binv is self._work[0] else self._work[0]
        np.copyto(buf, binv)
        return buf

    def forget(self) -> None:
        """Drop the kept inverse (the next one is built from ``−I``)."""
        self._binv = self._basic = None


class Walker:
    """An optimal basis with its values and duals, walked along bound paths.

    Build it with :meth:`from_solution`; :meth:`walk` moves the bounds (in place).
    Attributes: ``binv`` (m, m), ``basic`` (m,) positions → variables (``j < n`` column
    ``j``, ``n + i`` the logical of row ``i``), ``is_basic``/``at`` (N,), ``beta`` (m,)
    basic values, ``z`` (N,) nonbasic values, ``d`` (N,) reduced costs, ``y`` (m,) duals,
    ``lo``/``hi`` (N,) current bounds.
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
        tol: float = 1e-6,
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
        d[target] = 0.0
        beta = zfull[basic]
        # Nonbasic: at the nearer bound (HiGHS's values are at a bound to 1e-9).
        free = np.isinf(lo) & np.isinf(hi)
        near_hi = np.isfinite(hi) & (np.abs(zfull - hi) < np.abs(zfull - lo))
        upper_ = ~free & (np.isinf(lo) | near_hi)
        at = np.where(free, FREE, np.where(upper_, UPPER, LOWER)).astype(np.int8)
        z = np.where(free, 0.0, np.where(upper_, hi, lo))
        z[target] = 0.0
        resid = np.abs(beta + binv @ (inverse.full @ z))
        if np.max(resid, initial=0.0) > tol * (1.0 + np.max(np.abs(beta), initial=0.0)):
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
            inv.mp,
            inv.mi,
            inv.mx,
            int(max_pivots),
        )

    def values(self) -> FloatArray:
        """The basic solution ``z = (x, r)`` (N,)."""
        z: FloatArray = self.z.copy()
        z[self.basic] = self.beta
        return z
