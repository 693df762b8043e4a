"""One plant over ``K`` units as LP columns, rows, bounds and costs (sparse, vectorised).

The block is the only place a plant becomes LP rows for HiGHS: the RHPO fast path
(:class:`rex_cli.control.highs.RhpoSolver`) puts its market columns and balance rows
around one block; the planners (:class:`rex_cli.welfare.planner.PlannerLP`) put one block
per plant on a block diagonal and couple them by the system balance.

Columns (local indices, unit-major), for units ``k = 0..K−1``:

* ``u_k`` — the decision inputs (market input ``u*`` first, then the costly ones;
  exogenous inputs are data and enter row bounds), bounds ``u_min..u_max``, cost
  ``R_k · input_cost``;
* ``w_k`` for the ``n_times`` state times (``K`` for the RHPO, whose state after the last
  unit is an expression; ``K + 1`` for the planners), free (the caller fixes ``w_0``);
* ``v_k`` — the outputs, bounds ``v_min..v_max``;
* ``G⁺_k, G⁻_k`` per tracked output, ``≥ 0``, cost ``O_k`` each.

Rows (local indices)::

    dynamics  w_{k+1} − A w_k − B_dec u_k = B_exo x_k           k = 0..n_times−2
    outputs   v_k − C w_k − D_dec u_k     = D_exo x_k           k = 0..K−1
    tracking  v_k,t − G⁺_k,t + G⁻_k,t     = X_k,t   (free when X is NaN)
    ramps     u_0 ∈ u_prev ± Δ (free when u_prev is unknown), u_{k+1} − u_k ∈ ±Δ

(the tracking equality is the pair ``G⁺ ≥ v − X``, ``G⁻ ≥ X − v`` at any optimum
with ``O ≥ 0``). Ramp rows exist for decision inputs with a finite ``u_delta``; their
order is by input (``ramp_order="input"``: κ rows per input, the RHPO's layout) or by
unit (``"unit"``: the first rows are the first ramps, the planners' layout).

The matrix is built from COO triplets: the nonzeros of the plant's ``A, B, C, D`` (and
the ±1 of identities, tracking and ramps) are placed by NumPy index arithmetic over units
and times, then sorted once into CSC (:func:`csc_from_triplets`); no Python loop runs
over units or states. Every entry has one source (no duplicates) and only nonzeros of
``A, B, C, D`` are placed, so the values are the plant's own (negated where the rows
say ``−``), bit for bit.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from rex_cli.plants.statespace import Plant

__all__ = ["PlantBlock", "csc_from_triplets"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int32]
AnyIndex = NDArray[np.integer[Any]]


def csc_from_triplets(
    rows: AnyIndex, cols: AnyIndex, vals: FloatArray, shape: tuple[int, int]
) -> sp.csc_matrix:
    """The CSC matrix of COO triplets without duplicates: zeros dropped, indices sorted.

    Args:
        rows: Row of every entry.
        cols: Column of every entry (no ``(row, col)`` twice).
        vals: The values; entries equal to 0 (either sign) are dropped.
        shape: ``(n_rows, n_cols)``.

    Returns:
        A CSC matrix with int32 indices, sorted within each column.
    """
    keep = vals != 0.0
    rows, cols, vals = rows[keep], cols[keep], vals[keep]
    n_rows, n_cols = shape
    order = np.argsort(cols.astype(np.int64) * n_rows + rows, kind="stable")
    counts = np.bincount(cols, minlength=n_cols)
    indptr = np.zeros(n_cols + 1, dtype=np.int32)
    np.cumsum(counts, out=indptr[1:])
    mat = sp.csc_matrix(
        (vals[order], rows[order].astype(np.int32), indptr), shape=shape, copy=False
    )
    mat.has_sorted_indices = True
    return mat


def _grid(starts: AnyIndex, offsets: AnyIndex) -> AnyIndex:
    """``starts[:, None] + offsets[None, :]``, flat (int64)."""
    return (np.asarray(starts, np.int64)[:, None] + np.asarray(offsets, np.int64)).reshape(-1)


def _range(start: int, size: int) -> IntArray:
    return np.arange(start, start + size, dtype=np.int32)


class PlantBlock:
    """Columns, rows, bounds and costs of one plant over ``K`` units.

    Args:
        plant: The plant.
        K: Number of units (>= 1).
        n_times: State columns ``w_0..w_{n_times−1}``: ``K`` or ``K + 1``.
        ramp_order: ``"input"`` or ``"unit"`` (see the module docstring).

    Attributes:
        c_u, c_w, c_v, c_gp, c_gm: Local column indices, shapes (K, md), (n_times, n),
            (K, p), (K, nt), (K, nt).
        r_dyn, r_out, r_trk: Local row indices, shapes (n_times − 1, n), (K, p), (K, nt).
        r_ramp: Local ramp rows, shape (nr, K) for ``"input"``, (K, nr) for ``"unit"``.
        r_ramp_first: The first ramp row of each ramped input, (nr,).
        matrix: The constraint matrix, CSC with sorted indices (n_rows, n_cols).
        col_lower, col_upper, row_lower, row_upper: Bounds without data (rows of the
            data are 0; ramps after the first ±Δ).
    """

    def __init__(
        self,
        plant: Plant,
        K: int,
        *,
        n_times: int,
        ramp_order: Literal["input", "unit"] = "input",
    ) -> None:
        if K < 1:
            raise ValueError(f"K must be >= 1, got {K!r}")
        if n_times not in (K, K + 1):
            raise ValueError(f"n_times must be K or K + 1, got {n_times!r} for K = {K}")
        self.plant = plant
        self.K = K
        self.n_times = n_times
        self.ramp_order = ramp_order
        ss = plant.model
        n, p = ss.n_states, ss.n_outputs
        dec = list(plant.decision_inputs)
        exo = list(plant.exogenous_inputs)
        tracked = list(plant.tracked_outputs)
        md, nt = len(dec), len(tracked)
        ramped = [jd for jd, i in enumerate(dec) if math.isfinite(plant.u_delta[i])]
        nr = len(ramped)
        self.dec, self.exo, self.tracked, self.ramped = dec, exo, tracked, ramped
        self.n, self.p, self.md, self.nt, self.nr = n, p, md, nt, nr
        nd = n_times - 1  # dynamics blocks

        # ---- columns
        cu, cw, cv, cg = K * md, n_times * n, K * p, K * nt
        self.c_u = _range(0, cu).reshape(K, md)
        self.c_w = _range(cu, cw).reshape(n_times, n)
        self.c_v = _range(cu + cw, cv).reshape(K, p)
        self.c_gp = _range(cu + cw + cv, cg).reshape(K, nt)
        self.c_gm = _range(cu + cw + cv + cg, cg).reshape(K, nt)
        self.n_cols = cu + cw + cv + 2 * cg

        # ---- rows
        rd, ro, rt, rr = nd * n, K * p, K * nt, K * nr
        self.r_dyn = _range(0, rd).reshape(nd, n)
        self.r_out = _range(rd, ro).reshape(K, p)
        self.r_trk = _range(rd + ro, rt).reshape(K, nt)
        ramp = _range(rd + ro + rt, rr)
        if ramp_order == "input":
            self.r_ramp = ramp.reshape(nr, K)
            self.r_ramp_first = self.r_ramp[:, 0].copy()
        elif ramp_order == "unit":
            self.r_ramp = ramp.reshape(K, nr)
            self.r_ramp_first = self.r_ramp[0].copy()
        else:
            raise ValueError(f"ramp_order must be 'input' or 'unit', got {ramp_order!r}")
        self.n_rows = rd + ro + rt + rr

        # ---- matrix
        self.matrix: sp.csc_matrix = self._matrix(ss.A, ss.B[:, dec], ss.C, ss.D[:, dec])

        # ---- bounds without data
        inf = math.inf
        self.col_lower = np.concatenate(
            [
                np.tile(plant.u_min[dec], K),
                np.full(cw, -inf),
                np.tile(plant.v_min, K),
                np.zeros(2 * cg),
            ]
        ).astype(np.float64)
        self.col_upper = np.concatenate(
            [
                np.tile(plant.u_max[dec], K),
                np.full(cw, inf),
                np.tile(plant.v_max, K),
                np.full(2 * cg, inf),
            ]
        ).astype(np.float64)
        self.delta = np.asarray(plant.u_delta[[dec[jd] for jd in ramped]], dtype=np.float64)
        self.row_lower = np.zeros(self.n_rows)
        self.row_upper = np.zeros(self.n_rows)
        rest = self._ramp_rest()
        self.row_lower[rest[0]] = -rest[1]
        self.row_upper[rest[0]] = rest[1]
        # Exogenous contributions to the dynamics and output rows.
        self.B_exo = ss.B[:, exo] if exo else np.zeros((n, 0))
        self.D_exo = ss.D[:, exo] if exo else np.zeros((p, 0))

    def _matrix(
        self, A: FloatArray, Bd: FloatArray, C: FloatArray, Dd: FloatArray
    ) -> sp.csc_matrix:
        """The constraint matrix (module docstring's rows) from COO triplets."""
        K, n, p, md, nt, nr = self.K, self.n, self.p, self.md, self.nt, self.nr
        nd = self.n_times - 1
        cu, cw, cv, cg = K * md, self.n_times * n, K * p, K * nt
        rd, ro, rt = nd * n, K * p, K * nt
        one = np.ones
        rows: list[AnyIndex] = []
        cols: list[AnyIndex] = []
        vals: list[FloatArray] = []

        def put(r: AnyIndex, c: AnyIndex, v: FloatArray) -> None:
            rows.append(r)
            cols.append(c)
            vals.append(v)

        def nz(M: FloatArray) -> tuple[AnyIndex, AnyIndex, FloatArray]:
            i, j = np.nonzero(M)
            return i, j, M[i, j]

        d, k = np.arange(nd), np.arange(K)
        # dynamics: w_{d+1} − A w_d − B_dec u_d
        bi, bj, bv = nz(Bd)
        put(_grid(d * n, bi), _grid(d * md, bj), np.tile(-bv, nd))
        ii = np.arange(n)
        put(_grid(d * n, ii), _grid(cu + (d + 1) * n, ii), one(nd * n))
        ai, aj, av = nz(A)
        put(_grid(d * n, ai), _grid(cu + d * n, aj), np.tile(-av, nd))
        # outputs: v_k − C w_k − D_dec u_k
        di, dj, dv = nz(Dd)
        put(_grid(rd + k * p, di), _grid(k * md, dj), np.tile(-dv, K))
        ci, cj, cvv = nz(C)
        put(_grid(rd + k * p, ci), _grid(cu + k * n, cj), np.tile(-cvv, K))
        jj = np.arange(p)
        put(_grid(rd + k * p, jj), _grid(cu + cw + k * p, jj), one(K * p))
        # tracking: v_k,t − G⁺_k,t + G⁻_k,t
        tt = np.arange(nt)
        trk = np.asarray(self.tracked, dtype=np.int64).reshape(nt)
        r_trk = _grid(rd + ro + k * nt, tt)
        put(r_trk, _grid(cu + cw + k * p, trk), one(K * nt))
        put(r_trk, _grid(cu + cw + cv + k * nt, tt), -one(K * nt))
        put(r_trk, _grid(cu + cw + cv + cg + k * nt, tt), one(K * nt))
        # ramps: u_0 (first), u_s − u_{s−1}; row s·nr + q by unit, q·K + s by input
        q = np.arange(nr)
        rmp = np.asarray(self.ramped, dtype=np.int64).reshape(nr)
        s1 = np.arange(1, K)
        if self.ramp_order == "input":
            r_now, r_dif = _grid(rd + ro + rt + k, q * K), _grid(rd + ro + rt + s1, q * K)
        else:
            r_now, r_dif = _grid(rd + ro + rt + k * nr, q), _grid(rd + ro + rt + s1 * nr, q)
        put(r_now, _grid(k * md, rmp), one(K * nr))
        put(r_dif, _grid((s1 - 1) * md, rmp), -one((K - 1) * nr))
        return csc_from_triplets(
            np.concatenate(rows),
            np.concatenate(cols),
            np.concatenate(vals).astype(np.float64),
            (self.n_rows, self.n_cols),
        )

    def _ramp_rest(self) -> tuple[IntArray, FloatArray]:
        """Rows of the ramps after the first, and their half-widths ``Δ``."""
        if self.ramp_order == "input":
            rows = self.r_ramp[:, 1:]
            d = np.repeat(self.delta, self.K - 1).reshape(rows.shape)
        else:
            rows = self.r_ramp[1:]
            d = np.tile(self.delta, self.K - 1).reshape(rows.shape)
        return rows.reshape(-1), d.reshape(-1)

    # ---- costs and data -------------------------------------------------------------

    def cost(self, input_weight: FloatArray, tracking_weight: FloatArray) -> FloatArray:
        """Column costs of the block (0 on states and outputs).

        ``input_weight[k] · input_cost`` on ``u_k``, ``tracking_weight[k]`` on ``G⁺_k``
        and ``G⁻_k``.

        Args:
            input_weight: Per unit, (K,).
            tracking_weight: Per unit, (K,).
        """
        K = self.K
        r = np.asarray(input_weight, dtype=np.float64).reshape(K, 1)
        o = np.asarray(tracking_weight, dtype=np.float64).reshape(K, 1)
        ic = np.asarray(self.plant.input_cost, dtype=np.float64)[self.dec].reshape(1, -1)
        g = np.broadcast_to(o, (K, self.nt)).reshape(-1)
        return np.concatenate([(r * ic).reshape(-1), np.zeros(self.c_w.size + self.c_v.size), g, g])

    def exogenous_rhs(self, exogenous: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Right-hand sides of the dynamics and output rows, ``B_exo x_k`` and ``D_exo x_k``.

        Args:
            exogenous: Exogenous inputs per unit, (K, n_exogenous).

        Returns:
            The dynamics rhs ((n_times − 1)·n,) and the output rhs (K·p,), flat.
        """
        x = np.asarray(exogenous, dtype=np.float64)
        nd = self.n_times - 1
        if not self.exo:
            return np.zeros(nd * self.n), np.zeros(self.K * self.p)
        return (x[:nd] @ self.B_exo.T).reshape(-1), (x @ self.D_exo.T).reshape(-1)

    def request_bounds(self, request: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Bounds of the tracking rows: ``X`` (free where NaN), flat (K·nt,)."""
        req = np.asarray(request, dtype=np.float64).reshape(-1)
        free = np.isnan(req)
        return np.where(free, -math.inf, req), np.where(free, math.inf, req)

    def first_ramp_bounds(self, u_prev: FloatArray | None) -> tuple[FloatArray, FloatArray]:
        """Bounds of the first ramp rows, ``u_prev ± Δ`` (free where unknown), (nr,).

        Args:
            u_prev: The full inputs of the unit before the first (m,); None = unknown.
        """
        if u_prev is None:
            prev = np.full(self.nr, np.nan)
        else:
            up = np.asarray(u_prev, dtype=np.float64).reshape(-1)
            prev = up[[self.dec[jd] for jd in self.ramped]]
        unknown = np.isnan(prev)
        return (
            np.where(unknown, -math.inf, prev - self.delta),
            np.where(unknown, math.inf, prev + self.delta),
        )
