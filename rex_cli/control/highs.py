"""Fast re-solve of the RHPO LP with highspy (the coordinator's hot path).

:class:`RhpoSolver` builds the sparse LP of :mod:`rex_cli.control.rhpo` once per
(plant, weights, κ) and passes it to HiGHS; each :meth:`RhpoSolver.solve` changes
only data (objective costs, column bounds, row bounds) and re-runs the simplex
from the previous basis (warm start).

Layout (minimisation of ``cost = −objective``). Columns, unit ``k = 0..κ−1``:
``E⁺_k, E⁻_k, H_k, S_k`` (κ each), decision inputs ``u_k,i`` (market and costly;
exogenous inputs are data and enter row bounds), states ``w_k`` for ``k < κ``
(``w_0`` fixed to ``w0`` by its column bounds), outputs ``v_k`` (bounds
``v_min, v_max``), tracking slacks ``G⁺_k,t, G⁻_k,t``. Rows:

* balance ``E⁺ − E⁻ − u* − H + S = −Y_k`` (κ rows);
* dynamics ``w_{k+1} − A w_k − B_dec u_k = B_exo x_k`` (κ−1 blocks of n rows);
* outputs ``v_k − C w_k − D_dec u_k = D_exo x_k`` (κ blocks of p rows);
* tracking ``v_k,t − G⁺_k,t + G⁻_k,t = X_k,t`` (κ blocks of n_tracked rows; a
  ``NaN`` request frees the row), equivalent at the optimum to the reference's
  two inequalities since ``O_k ≥ 0``;
* ramps ``u_0 ∈ u_prev ± Δ`` and ``u_{k+1} − u_k ∈ ±Δ`` for decision inputs with a
  finite ramp (κ rows each);
* terminal ``v_{κ−1},t ∈ X ± tol`` when the terminal condition is ``REQUEST``.

HiGHS reports, for a minimisation, ``row_dual = ∂cost/∂(row bound)``. The balance
bound is ``−Y_k``, so ``λ_k = ∂objective/∂Y_k = row_dual`` of the balance row.

No drift: the solver is run with the C++ ``Highs.run()`` (not highspy's Python
``solve()``, which may wrap the run in a thread and an interrupt callback), with
callbacks disabled and output off.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from rex_cli.control.rhpo import (
    PriceLike,
    RhpoData,
    RhpoResult,
    RhpoStatus,
    prepare_data,
)
from rex_cli.control.weights import TerminalCondition, Weights
from rex_cli.plants.statespace import Plant

__all__ = ["LpSize", "RhpoSolver"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int32]

_INF = math.inf

_STATUS = {
    highspy.HighsModelStatus.kOptimal: RhpoStatus.OPTIMAL,
    highspy.HighsModelStatus.kInfeasible: RhpoStatus.INFEASIBLE,
    highspy.HighsModelStatus.kUnbounded: RhpoStatus.UNBOUNDED,
    highspy.HighsModelStatus.kUnboundedOrInfeasible: RhpoStatus.INFEASIBLE_OR_UNBOUNDED,
}


class LpSize:
    """Size of the LP: ``n_cols``, ``n_rows``, ``n_nonzeros``."""

    __slots__ = ("n_cols", "n_nonzeros", "n_rows")

    def __init__(self, n_cols: int, n_rows: int, n_nonzeros: int) -> None:
        self.n_cols = n_cols
        self.n_rows = n_rows
        self.n_nonzeros = n_nonzeros

    def __repr__(self) -> str:
        return f"LpSize(n_cols={self.n_cols}, n_rows={self.n_rows}, n_nonzeros={self.n_nonzeros})"


class RhpoSolver:
    """RHPO LP for one plant, weights and horizon, re-solved with warm starts.

    Args:
        plant: The controllable plant.
        weights: Objective weights (fixed for the solver's life).
        kappa: Number of open units κ (>= 1).

    Example:
        >>> solver = RhpoSolver(plant, weights, 60)  # doctest: +SKIP
        >>> res = solver.solve(bid=b, ask=a, position=y, request=x, w0=[20.0],
        ...                    exogenous=ex, short_price=0.5)  # doctest: +SKIP
    """

    def __init__(self, plant: Plant, weights: Weights, kappa: int) -> None:
        if isinstance(kappa, bool) or not isinstance(kappa, int | np.integer) or kappa < 1:
            raise ValueError(f"kappa must be a positive integer, got {kappa!r}")
        self.plant = plant
        self.weights = weights
        self.kappa = K = int(kappa)
        ss = plant.model
        n, p = ss.n_states, ss.n_outputs
        dec = list(plant.decision_inputs)
        exo = list(plant.exogenous_inputs)
        tracked = list(plant.tracked_outputs)
        md, nt = len(dec), len(tracked)
        self._dec, self._exo, self._tracked = dec, exo, tracked

        # ---- columns
        col = 0

        def block(size: int) -> IntArray:
            nonlocal col
            idx = np.arange(col, col + size, dtype=np.int32)
            col += size
            return idx

        self._c_ep = block(K)
        self._c_em = block(K)
        self._c_h = block(K)
        self._c_s = block(K)
        self._c_u = block(K * md).reshape(K, md)
        self._c_w = block(K * n).reshape(K, n)
        self._c_v = block(K * p).reshape(K, p)
        self._c_gp = block(K * nt).reshape(K, nt)
        self._c_gm = block(K * nt).reshape(K, nt)
        n_cols = col

        # ---- rows, as COO triplets
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        row = 0

        def entry(r: int, c: int, v: float) -> None:
            if v != 0.0:
                rows.append(r)
                cols.append(c)
                vals.append(float(v))

        A, B, C, D = ss.A, ss.B, ss.C, ss.D
        self._r_bal = np.arange(row, row + K, dtype=np.int32)
        for k in range(K):
            r = row + k
            entry(r, int(self._c_ep[k]), 1.0)
            entry(r, int(self._c_em[k]), -1.0)
            entry(r, int(self._c_u[k, 0]), -1.0)  # decision input 0 is u*
            entry(r, int(self._c_h[k]), -1.0)
            entry(r, int(self._c_s[k]), 1.0)
        row += K

        self._r_dyn = np.arange(row, row + (K - 1) * n, dtype=np.int32).reshape(K - 1, n)
        for k in range(K - 1):
            for s in range(n):
                r = int(self._r_dyn[k, s])
                entry(r, int(self._c_w[k + 1, s]), 1.0)
                for q in range(n):
                    entry(r, int(self._c_w[k, q]), -A[s, q])
                for jd, i in enumerate(dec):
                    entry(r, int(self._c_u[k, jd]), -B[s, i])
        row += (K - 1) * n

        self._r_out = np.arange(row, row + K * p, dtype=np.int32).reshape(K, p)
        for k in range(K):
            for j in range(p):
                r = int(self._r_out[k, j])
                entry(r, int(self._c_v[k, j]), 1.0)
                for q in range(n):
                    entry(r, int(self._c_w[k, q]), -C[j, q])
                for jd, i in enumerate(dec):
                    entry(r, int(self._c_u[k, jd]), -D[j, i])
        row += K * p

        self._r_trk = np.arange(row, row + K * nt, dtype=np.int32).reshape(K, nt)
        for k in range(K):
            for t, j in enumerate(tracked):
                r = int(self._r_trk[k, t])
                entry(r, int(self._c_v[k, j]), 1.0)
                entry(r, int(self._c_gp[k, t]), -1.0)
                entry(r, int(self._c_gm[k, t]), 1.0)
        row += K * nt

        # Ramps: one block of κ rows per ramped decision input (row 0 of the block
        # links u_0 to u_prev).
        self._ramped = [(jd, i) for jd, i in enumerate(dec) if math.isfinite(plant.u_delta[i])]
        nr = len(self._ramped)
        self._r_ramp = np.arange(row, row + K * nr, dtype=np.int32).reshape(nr, K)
        for b_, (jd, _i) in enumerate(self._ramped):
            entry(int(self._r_ramp[b_, 0]), int(self._c_u[0, jd]), 1.0)
            for k in range(K - 1):
                r = int(self._r_ramp[b_, k + 1])
                entry(r, int(self._c_u[k + 1, jd]), 1.0)
                entry(r, int(self._c_u[k, jd]), -1.0)
        row += K * nr

        self._terminal = weights.terminal is TerminalCondition.REQUEST and nt > 0
        n_term = nt if self._terminal else 0
        self._r_term = np.arange(row, row + n_term, dtype=np.int32)
        for t, j in enumerate(tracked[:n_term]):
            entry(int(self._r_term[t]), int(self._c_v[K - 1, j]), 1.0)
        row += n_term
        n_rows = row

        mat = sp.csc_matrix((vals, (rows, cols)), shape=(n_rows, n_cols))
        mat.sort_indices()
        self.size = LpSize(n_cols, n_rows, int(mat.nnz))

        # ---- static data: costs, bounds
        Q, O_w, R = weights.profile(K)
        self._Q = Q
        cost = np.zeros(n_cols)
        lower = np.zeros(n_cols)
        upper = np.full(n_cols, _INF)
        for jd, i in enumerate(dec):
            lower[self._c_u[:, jd]] = plant.u_min[i]
            upper[self._c_u[:, jd]] = plant.u_max[i]
            if plant.input_cost[i]:
                cost[self._c_u[:, jd]] = R * plant.input_cost[i]
        lower[self._c_w.reshape(-1)] = -_INF
        for j in range(p):
            lower[self._c_v[:, j]] = plant.v_min[j]
            upper[self._c_v[:, j]] = plant.v_max[j]
        for t in range(nt):
            cost[self._c_gp[:, t]] = O_w
            cost[self._c_gm[:, t]] = O_w
        row_lower = np.zeros(n_rows)
        row_upper = np.zeros(n_rows)
        for b_, (_jd, i) in enumerate(self._ramped):
            d = float(plant.u_delta[i])
            row_lower[self._r_ramp[b_, 1:]] = -d
            row_upper[self._r_ramp[b_, 1:]] = d
        self._cost0, self._lower0, self._upper0 = cost, lower, upper
        self._row_lower0, self._row_upper0 = row_lower, row_upper

        # Exogenous contributions: dynamics rhs = B_exo x_k, outputs rhs = D_exo x_k.
        self._B_exo = B[:, exo] if exo else np.zeros((n, 0))
        self._D_exo = D[:, exo] if exo else np.zeros((p, 0))
        self._A, self._B = A, B
        # Terminal value of stored energy σ·s·w_κ with w_κ = A w_{κ−1} + B u_{κ−1}: per
        # unit of σ, a cost of −sᵀA on the columns w_{κ−1} and −sᵀB_dec on u_{κ−1}
        # (the exogenous part sᵀB_exo x_{κ−1} is a constant, added to the objective).
        s_vec = np.asarray(plant.stored_energy, dtype=float)
        self._has_store = bool(np.any(s_vec != 0.0))
        self._c_term = np.concatenate([self._c_w[K - 1], self._c_u[K - 1]]).astype(np.int32)
        self._term_unit = -np.concatenate([s_vec @ A, s_vec @ B[:, dec]])
        self._term_exo = s_vec @ self._B_exo

        # Data-dependent indices, updated on every solve.
        self._c_data = np.concatenate(
            [self._c_ep, self._c_em, self._c_h, self._c_s, self._c_w[0]]
        ).astype(np.int32)
        self._r_data = np.concatenate(
            [
                self._r_bal,
                self._r_dyn.reshape(-1) if exo else np.zeros(0, np.int32),
                self._r_out.reshape(-1) if exo else np.zeros(0, np.int32),
                self._r_trk.reshape(-1),
                self._r_ramp[:, 0],
                self._r_term,
            ]
        ).astype(np.int32)

        # ---- HiGHS
        h = highspy.Highs()
        h.disableCallbacks()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("log_to_console", False)
        h.setOptionValue("presolve", "off")
        lp = highspy.HighsLp()
        lp.num_col_ = n_cols
        lp.num_row_ = n_rows
        lp.col_cost_ = cost
        lp.col_lower_ = lower
        lp.col_upper_ = upper
        lp.row_lower_ = row_lower
        lp.row_upper_ = row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.num_col_ = n_cols
        lp.a_matrix_.num_row_ = n_rows
        lp.a_matrix_.start_ = mat.indptr.astype(np.int32)
        lp.a_matrix_.index_ = mat.indices.astype(np.int32)
        lp.a_matrix_.value_ = mat.data.astype(np.float64)
        status = h.passModel(lp)
        if status != highspy.HighsStatus.kOk:
            raise RuntimeError(f"HiGHS rejected the RHPO model: {status}")
        self._h = h
        self._sigma_set = 0.0
        self.n_solves = 0

    # ------------------------------------------------------------------------------

    def solve(
        self,
        *,
        bid: PriceLike,
        ask: PriceLike,
        position: ArrayLike,
        request: ArrayLike | None = None,
        w0: ArrayLike,
        u_prev: ArrayLike | None = None,
        exogenous: ArrayLike | None = None,
        short_price: ArrayLike | float,
        long_price: ArrayLike | float | None = None,
        bid_depth: PriceLike = None,
        ask_depth: PriceLike = None,
        stored_value: float = 0.0,
    ) -> RhpoResult:
        """Solve for one arrival's data; arguments as in :func:`~rex_cli.control.solve_rhpo`.

        ``position`` (and every per-unit array) must have κ entries.
        """
        data = prepare_data(
            self.plant,
            self.kappa,
            bid=bid,
            ask=ask,
            position=position,
            request=request,
            w0=w0,
            u_prev=u_prev,
            exogenous=exogenous,
            short_price=short_price,
            long_price=long_price,
            bid_depth=bid_depth,
            ask_depth=ask_depth,
            stored_value=stored_value,
        )
        return self.solve_data(data)

    def solve_data(self, data: RhpoData) -> RhpoResult:
        """Solve for already validated data (see :func:`rex_cli.control.rhpo.prepare_data`)."""
        if data.kappa != self.kappa:
            raise ValueError(
                f"data.kappa is {data.kappa} but the solver was built for {self.kappa}"
            )
        K = self.kappa
        l_ = self.weights.l
        h: Any = self._h

        # Columns: E⁺/E⁻ costs and caps (empty side -> fixed at 0), H/S costs, w_0.
        ask_ok = ~np.isnan(data.ask)
        bid_ok = ~np.isnan(data.bid)
        c_cost = np.concatenate(
            [
                np.where(ask_ok, l_ * np.nan_to_num(data.ask), 0.0),
                np.where(bid_ok, -l_ * np.nan_to_num(data.bid), 0.0),
                self._Q - data.long_price,
                data.short_price,
                np.zeros(self.plant.n_states),
            ]
        )
        c_lo = np.concatenate([np.zeros(4 * K), data.w0])
        c_hi = np.concatenate(
            [
                np.where(ask_ok, data.ask_depth, 0.0),
                np.where(bid_ok, data.bid_depth, 0.0),
                np.full(2 * K, _INF),
                data.w0,
            ]
        )

        # Rows: balance rhs −Y, exogenous contributions, requests, first ramp, terminal.
        r_lo_parts = [-data.position]
        r_hi_parts = [-data.position]
        if self._exo:
            x = data.exogenous
            dyn = (x[:-1] @ self._B_exo.T).reshape(-1)
            out = (x @ self._D_exo.T).reshape(-1)
            r_lo_parts += [dyn, out]
            r_hi_parts += [dyn, out]
        req = data.request
        free = np.isnan(req)
        r_lo_parts.append(np.where(free, -_INF, req).reshape(-1))
        r_hi_parts.append(np.where(free, _INF, req).reshape(-1))
        if self._ramped:
            up = np.array([data.u_prev[i] for _jd, i in self._ramped])
            dl = np.array([self.plant.u_delta[i] for _jd, i in self._ramped])
            unknown = np.isnan(up)
            r_lo_parts.append(np.where(unknown, -_INF, up - dl))
            r_hi_parts.append(np.where(unknown, _INF, up + dl))
        if self._terminal:
            xk = req[K - 1]
            tol = self.weights.terminal_tolerance
            r_lo_parts.append(np.where(np.isnan(xk), -_INF, xk - tol))
            r_hi_parts.append(np.where(np.isnan(xk), _INF, xk + tol))
        r_lo = np.concatenate(r_lo_parts)
        r_hi = np.concatenate(r_hi_parts)

        nc, nr = len(self._c_data), len(self._r_data)
        h.changeColsCost(nc, self._c_data, c_cost)
        h.changeColsBounds(nc, self._c_data, c_lo, c_hi)
        h.changeRowsBounds(nr, self._r_data, r_lo, r_hi)
        sigma = data.stored_value if self._has_store else 0.0
        if self._has_store and (sigma != 0.0 or self._sigma_set != 0.0):
            # Set after the data columns: for κ = 1 the column w_0 is one of them (its
            # base cost, like every state's, is 0).
            ct = self._c_term
            h.changeColsCost(len(ct), ct, self._cost0[ct] + sigma * self._term_unit)
            self._sigma_set = sigma
        h.run()
        self.n_solves += 1
        res = self._extract(data)
        if sigma != 0.0 and res.ok and self._exo:
            const = sigma * float(self._term_exo @ data.exogenous[K - 1])
            res = dataclasses.replace(res, objective=res.objective + const)
        return res

    def _extract(self, data: RhpoData) -> RhpoResult:
        h: Any = self._h
        ms = h.getModelStatus()
        status = _STATUS.get(ms, RhpoStatus.ERROR)
        if status is not RhpoStatus.OPTIMAL:
            return RhpoResult.failed(self.plant, self.kappa, status, "highs")
        sol: Any = h.getSolution()
        x = np.asarray(sol.col_value, dtype=np.float64)
        y = np.asarray(sol.row_dual, dtype=np.float64)
        K = self.kappa
        plant = self.plant
        u = np.empty((K, plant.n_inputs))
        u[:, self._dec] = x[self._c_u]
        if self._exo:
            u[:, self._exo] = data.exogenous
        w = np.empty((K + 1, plant.n_states))
        w[:K] = x[self._c_w]
        w[K] = self._A @ w[K - 1] + self._B @ u[K - 1]
        return RhpoResult(
            status=RhpoStatus.OPTIMAL,
            objective=-float(h.getInfo().objective_function_value),
            buy=x[self._c_ep],
            sell=x[self._c_em],
            surplus=x[self._c_h],
            shortfall=x[self._c_s],
            u=u,
            v=x[self._c_v],
            w=w,
            dual_balance=y[self._r_bal],
            backend="highs",
        )

    def reset(self) -> None:
        """Forget the warm-start basis (the next solve starts cold)."""
        self._h.clearSolver()

    @property
    def iterations(self) -> int:
        """Simplex iterations of the last solve."""
        return int(self._h.getInfo().simplex_iteration_count)
