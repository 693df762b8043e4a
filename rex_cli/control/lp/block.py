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

The arrays are built with ``scipy.sparse.kron`` from the plant's ``A, B, C, D``; no
Python loop runs over units or states.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from rex_cli.plants.statespace import Plant

__all__ = ["PlantBlock"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int32]


def _zeros(r: int, c: int) -> sp.csr_matrix:
    return sp.csr_matrix((r, c))


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
        IK = sp.identity(K, format="csr")
        Bd, Dd = ss.B[:, dec], ss.D[:, dec]
        S0 = sp.eye(nd, n_times, k=0, format="csr")
        S1 = sp.eye(nd, n_times, k=1, format="csr")
        Et = sp.csr_matrix(np.eye(p)[tracked].reshape(nt, p))
        Er = sp.csr_matrix(np.eye(md)[ramped].reshape(nr, md))
        first = sp.eye(1, K, format="csr")
        dif = (sp.eye(K - 1, K, k=1) - sp.eye(K - 1, K, k=0)) if K > 1 else _zeros(0, K)
        steps = sp.vstack([first, dif], format="csr")
        ramps = sp.kron(steps, Er, format="csr")  # rows by unit
        if ramp_order == "input":
            ramps = ramps[np.arange(rr).reshape(K, nr).T.reshape(-1)]
        blocks = [
            [
                -sp.kron(sp.eye(nd, K), Bd),
                sp.kron(S1, sp.identity(n)) - sp.kron(S0, ss.A),
                _zeros(rd, cv),
                _zeros(rd, cg),
                _zeros(rd, cg),
            ],
            [
                -sp.kron(IK, Dd),
                -sp.kron(sp.eye(K, n_times), ss.C),
                sp.identity(cv),
                _zeros(ro, cg),
                _zeros(ro, cg),
            ],
            [_zeros(rt, cu), _zeros(rt, cw), sp.kron(IK, Et), -sp.identity(cg), sp.identity(cg)],
            [ramps, _zeros(rr, cw), _zeros(rr, cv), _zeros(rr, cg), _zeros(rr, cg)],
        ]
        mat = sp.bmat(blocks, format="csc")
        mat.eliminate_zeros()
        mat.sort_indices()
        self.matrix: sp.csc_matrix = mat

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
