"""Fast re-solve of the RHPO LP (the coordinator's hot path): warm from the last basis, or HiGHS.

:class:`RhpoSolver` assembles the sparse LP of :mod:`rex_cli.control.rhpo` once per
(plant, weights, κ) from the plant's :class:`~rex_cli.control.lp.PlantBlock` and passes
it to HiGHS; each :meth:`RhpoSolver.solve` changes only data (objective costs, column
bounds, row bounds) and re-solves from the previous basis: by default with its own
warm re-solve (below), else with HiGHS's simplex. The data goes into the solver's LP
arrays from buffers laid out like the data columns and rows; a part of them is
recomputed only when the data holds other arrays than the last solve's with other
values, bit for bit (the one-sided re-solves share everything but the position and the
empty book; successive arrivals mostly move prices, depths and positions). Before
HiGHS runs it is handed only the entries that differ bit for bit from what it holds.
So the LP it holds does not depend on the order of solves: it is the one a hand-over of
every data column and row would give, and each run re-solves as after one (at least one
entry is handed over; re-setting unchanged bounds would not change a nonbasic status).

Layout (minimisation of ``cost = −objective``). Columns, unit ``k = 0..κ−1``:
``E⁺_k, E⁻_k, H_k, S_k`` (κ each), then the plant block (decision inputs ``u_k``,
states ``w_k`` for ``k < κ`` with ``w_0`` fixed to ``w0`` by its column bounds,
outputs ``v_k``, tracking slacks ``G⁺_k,t, G⁻_k,t``). Rows:

* balance ``E⁺ − E⁻ − u* − H + S = −Y_k`` (κ rows);
* the block's rows: dynamics, outputs, tracking (a ``NaN`` request frees the row),
  ramps (κ rows per ramped input, the first linking ``u_0`` to ``u_prev``);
* terminal ``v_{κ−1},t ∈ X ± tol`` when the terminal condition is ``REQUEST``.

HiGHS reports, for a minimisation, ``row_dual = ∂cost/∂(row bound)``. The balance
bound is ``−Y_k``, so ``λ_k = ∂objective/∂Y_k = row_dual`` of the balance row.

**One-sided values from one solve** (:meth:`RhpoSolver.one_sided`). A coordinator
quotes around ``λ(Y + δ)`` and ``λ(Y − δ)`` of the LP without trades (every balance
row moved by ``±δ``, the market columns fixed at 0). That LP differs from the one
just solved only in the bounds of the market columns and in the balance rows'
right-hand sides, so the optimal basis of the last solve is a candidate: its duals
do not depend on bounds (no market column is basic, so their cost does not enter the
duals), and it stays optimal as long as it stays primal feasible. The basic
variables move linearly in a shift ``t`` of every position, and a ratio test gives the
interval of ``t`` over which the basis is feasible (the rhs ranging of the shift
direction; HiGHS's own ``getRanging`` ranges one row bound at a time). Where the
interval covers ``±δ`` the one-sided value is the solve's ``λ``, exactly what a
re-solve from that basis returns; elsewhere it comes from parametric dual simplex
pivots from that basis (:mod:`rex_cli.control.lp.parametric`: the bounds move from
the plan's to the side LP's, a basic variable reaching a bound leaves, a dual ratio
test picks the entering column), and only a failed walk is re-solved.

**Warm re-solves** (:attr:`RhpoSolver.warm`, on by default). The plan's LP at the next
arrival differs from the last one only in costs and bounds, so it is re-solved from the
last optimal basis on the same kept inverse
(:func:`~rex_cli.control.lp.parametric.resolve`: primal pivots for the unbounded columns
whose reduced cost changed sign, bound flips for the boxed ones, then the dual simplex
walk of the bounds), and the end point is checked from scratch, with the inverse and
against the matrix. HiGHS solves the LP only when that gives up
(:attr:`RhpoSolver.warm_outcomes` counts the outcomes); it then starts from its own last
basis, which after warm re-solves may be many arrivals old (the same holds for the
one-sided re-solves, :meth:`RhpoSolver.one_sided`): its result is an optimum of the LP,
but on a degenerate LP not necessarily the one a run from the plan's basis would give.

Solves run with the one HiGHS set-up of :mod:`rex_cli.control.lp.highs`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import highspy
import numba
import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from rex_cli.control.lp import parametric as par
from rex_cli.control.lp.block import PlantBlock, csc_from_triplets
from rex_cli.control.lp.highs import new_highs, pass_model
from rex_cli.control.lp.status import LpStatus, status_of_highs
from rex_cli.control.problem import PriceLike, RhpoData, RhpoResult, prepare_data
from rex_cli.control.weights import TerminalCondition, Weights
from rex_cli.plants.statespace import Plant

__all__ = ["LpSize", "OneSided", "RhpoSolver"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int32]

# The last optimal solve: data, result, column values, row values, row duals, column
# duals, basic variables (HiGHS's convention: j >= 0 column j, j < 0 row -j-1).
_Last = tuple[
    RhpoData, RhpoResult, FloatArray, FloatArray, FloatArray, FloatArray, NDArray[np.int64]
]
_INF = math.inf
_HIGHS_OPTIMAL = highspy.HighsModelStatus.kOptimal
_HIGHS_ERROR = highspy.HighsStatus.kError  # run() failed: the model status is stale
WARM_DUAL_TOL = 1e-9
"""Reduced cost beyond which a warm re-solve flips a nonbasic variable to its other bound."""
WARM_FEASIBILITY_TOL = 1e-7
"""Largest bound violation of a warm re-solve's basic values (HiGHS's primal tolerance)."""
FEASIBILITY_TOL = 1e-9
"""Largest bound violation (kWh or the row's unit) at which the last basis still counts
as feasible for a shifted position: far below HiGHS's own primal tolerance (1e-7), so
a re-solve from that basis would stop at once."""


class LpSize:
    """Size of the LP: ``n_cols``, ``n_rows``, ``n_nonzeros``."""

    __slots__ = ("n_cols", "n_nonzeros", "n_rows")

    def __init__(self, n_cols: int, n_rows: int, n_nonzeros: int) -> None:
        self.n_cols = n_cols
        self.n_rows = n_rows
        self.n_nonzeros = n_nonzeros

    def __repr__(self) -> str:
        return f"LpSize(n_cols={self.n_cols}, n_rows={self.n_rows}, n_nonzeros={self.n_nonzeros})"


@dataclass(frozen=True, eq=False)
class OneSided:
    """The one-sided values of the last solve's LP without trades.

    Attributes:
        up: ``λ(Y + δ)``, currency/kWh, (κ,) (the last solve's ``λ`` where the re-solve
            failed, as the three-solve coordinator always did).
        down: ``λ(Y − δ)``, (κ,).
        solves: HiGHS solves this took (0, 1 or 2).
        interval: ``(lo, hi)``, kWh: the shifts ``t`` of every position over which the
            last basis stays optimal for the LP without trades (``(nan, nan)`` when not
            computed: a market column was basic, or the re-solve method was asked for).
        pivots: Parametric dual simplex pivots (compiled) this took
            (:mod:`rex_cli.control.lp.parametric`).
    """

    up: FloatArray
    down: FloatArray
    solves: int
    interval: tuple[float, float]
    pivots: int = 0


class _Views:
    """Writable views of the parts of :class:`RhpoSolver`'s data buffers.

    ``cost_*`` of the columns ``H``/``S`` (in the LP's arrays), ``rlo_*``/``rhi_*`` of the
    data rows other than the balance rows (the market columns and the balance rows are
    written by :func:`_market_columns`).
    """

    __slots__ = (
        "cost_h",
        "cost_s",
        "rhi_dyn",
        "rhi_out",
        "rhi_ramp",
        "rhi_term",
        "rhi_trk",
        "rlo_dyn",
        "rlo_out",
        "rlo_ramp",
        "rlo_term",
        "rlo_trk",
    )

    cost_h: FloatArray
    cost_s: FloatArray
    rlo_dyn: FloatArray
    rlo_out: FloatArray
    rlo_trk: FloatArray
    rlo_ramp: FloatArray
    rlo_term: FloatArray
    rhi_dyn: FloatArray
    rhi_out: FloatArray
    rhi_trk: FloatArray
    rhi_ramp: FloatArray
    rhi_term: FloatArray


@numba.njit(cache=True, nogil=True)
def _market_columns(
    l_: float,
    ask: FloatArray,
    ask_depth: FloatArray,
    bid: FloatArray,
    bid_depth: FloatArray,
    position: FloatArray,
    cost: FloatArray,
    upper: FloatArray,
    row_lower: FloatArray,
    row_upper: FloatArray,
) -> None:
    """The LP's entries that move with the book and the positions, for ``κ = len(ask)``.

    Columns ``E⁺_k`` (``k``) and ``E⁻_k`` (``κ + k``): costs ``l·A_k`` and ``−l·B_k``,
    upper bounds the depths; an empty side (``NaN`` price) is fixed at 0 at cost 0.
    Balance rows ``k``: both bounds ``−Y_k``. Each entry is one IEEE operation on the
    data, as NumPy's elementwise ``multiply`` and ``negative`` compute it.
    """
    K = ask.shape[0]
    neg_l = -l_
    for k in range(K):
        a = ask[k]
        if a != a:
            cost[k] = 0.0
            upper[k] = 0.0
        else:
            cost[k] = l_ * a
            upper[k] = ask_depth[k]
        b = bid[k]
        if b != b:
            cost[K + k] = 0.0
            upper[K + k] = 0.0
        else:
            cost[K + k] = neg_l * b
            upper[K + k] = bid_depth[k]
        y = -position[k]
        row_lower[k] = y
        row_upper[k] = y


@numba.njit(cache=True, nogil=True)
def _result_arrays(
    x: FloatArray,
    row_dual: FloatArray,
    c_u: NDArray[Any],
    dec: NDArray[Any],
    exo: NDArray[Any],
    exogenous: FloatArray,
    n_inputs: int,
    c_w: NDArray[Any],
    c_v: NDArray[Any],
) -> tuple[FloatArray, ...]:
    """The arrays of an optimal solve's result, copied out of the solution ``x``.

    ``u`` (κ, m): decision input ``dec[a]`` of unit ``k`` from column ``c_u[k, a]``,
    exogenous input ``exo[e]`` from ``exogenous[k, e]``; ``w`` (κ+1, n): rows 0 … κ−1
    from columns ``c_w`` (row κ is left for the caller); ``v`` from ``c_v``; the market
    columns ``E⁺, E⁻, H, S`` (columns 0 … 4κ−1) and the balance duals (rows 0 … κ−1).
    """
    K = c_u.shape[0]
    u = np.empty((K, n_inputs))
    w = np.empty((K + 1, c_w.shape[1]))
    v = np.empty((K, c_v.shape[1]))
    for k in range(K):
        for a in range(dec.shape[0]):
            u[k, dec[a]] = x[c_u[k, a]]
        for e in range(exo.shape[0]):
            u[k, exo[e]] = exogenous[k, e]
        for i in range(c_w.shape[1]):
            w[k, i] = x[c_w[k, i]]
        for i in range(c_v.shape[1]):
            v[k, i] = x[c_v[k, i]]
    return (
        u,
        w,
        v,
        x[:K].copy(),
        x[K : 2 * K].copy(),
        x[2 * K : 3 * K].copy(),
        x[3 * K : 4 * K].copy(),
        row_dual[:K].copy(),
    )


class _Seen:
    """What each part of :class:`RhpoSolver`'s buffers was last written from.

    For each part: the data arrays (``ask`` …, compared by identity) and the bytes of
    their values (``*_key``, compared when the arrays are other objects: equal bytes
    give equal buffers, so the part is not recomputed).
    """

    __slots__ = (
        "exogenous",
        "exogenous_key",
        "long_price",
        "long_price_key",
        "request",
        "request_key",
        "short_price",
        "short_price_key",
        "u_prev",
        "u_prev_key",
        "w0",
        "w0_key",
    )

    def __init__(self) -> None:
        for name in self.__slots__:
            setattr(self, name, None)

    exogenous: object
    exogenous_key: bytes | None
    long_price: object
    long_price_key: bytes | None
    request: object
    request_key: bytes | None
    short_price: object
    short_price_key: bytes | None
    u_prev: object
    u_prev_key: bytes | None
    w0: object
    w0_key: bytes | None


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
        >>> lam = solver.one_sided(0.1)  # λ(Y ± 0.1) without trades  # doctest: +SKIP
    """

    def __init__(self, plant: Plant, weights: Weights, kappa: int) -> None:
        if isinstance(kappa, bool) or not isinstance(kappa, int | np.integer) or kappa < 1:
            raise ValueError(f"kappa must be a positive integer, got {kappa!r}")
        self.plant = plant
        self.weights = weights
        self.kappa = int(kappa)
        self.block = PlantBlock(plant, self.kappa, n_times=self.kappa, ramp_order="input")
        self._index()
        mat = self._matrix()
        self._mat = mat  # kept for the parametric one-sided values
        self._inverse: par.BasisInverse | None = None
        self.size = LpSize(mat.shape[1], mat.shape[0], int(mat.nnz))
        self._static_data()
        self._terminal_value()
        self._buffers()
        self._h: Any = new_highs()
        pass_model(
            self._h,
            mat,
            self._cost0,
            self._lower0,
            self._upper0,
            self._row_lower0,
            self._row_upper0,
            what="RHPO model",
        )
        self._sigma_set = 0.0
        self.n_solves = 0
        # Warm re-solves from the last basis (:meth:`_warm_solve`): on by default.
        self.warm = True
        self.warm_outcomes = np.zeros(7, dtype=np.int64)  # by parametric.resolve outcome
        self.warm_pivots = self.warm_primal_pivots = 0  # of the warm re-solves (all, primal)
        # The last main solve's optimum for a warm re-solve: values (N,), basis (N,),
        # bounds (N,) of columns then rows; None when there is none.
        self._prev: tuple[FloatArray, NDArray[np.bool_], FloatArray, FloatArray] | None = None
        # The last optimal solve (warm or HiGHS's), as _Last; None when there is none.
        self._last: _Last | None = None

    # ---- assembly ------------------------------------------------------------------

    def _index(self) -> None:
        """Global column and row indices: market columns and balance rows around the block."""
        K, b = self.kappa, self.block
        self._c_ep = np.arange(0, K, dtype=np.int32)
        self._c_em = self._c_ep + K
        self._c_h = self._c_ep + 2 * K
        self._c_s = self._c_ep + 3 * K
        off = 4 * K
        self._c_u, self._c_w, self._c_v = b.c_u + off, b.c_w + off, b.c_v + off
        self._c_gp, self._c_gm = b.c_gp + off, b.c_gm + off
        self.n_cols = off + b.n_cols
        self._r_bal = np.arange(K, dtype=np.int32)
        self._r_dyn, self._r_out, self._r_trk = b.r_dyn + K, b.r_out + K, b.r_trk + K
        self._r_ramp_first = b.r_ramp_first + K
        self._dec = np.asarray(b.dec, dtype=np.intp)  # inputs of u: decision, exogenous
        self._exo = np.asarray(b.exo, dtype=np.intp)
        self._n_inputs, self._n_states = self.plant.n_inputs, self.plant.n_states
        self._terminal = self.weights.terminal is TerminalCondition.REQUEST and b.nt > 0
        n_term = b.nt if self._terminal else 0
        self._r_term = np.arange(K + b.n_rows, K + b.n_rows + n_term, dtype=np.int32)
        self.n_rows = K + b.n_rows + n_term
        # Data-dependent indices, updated on every solve.
        exo = bool(b.exo)
        self._c_data = np.concatenate(
            [self._c_ep, self._c_em, self._c_h, self._c_s, self._c_w[0]]
        ).astype(np.int32)
        self._r_data = np.concatenate(
            [
                self._r_bal,
                self._r_dyn.reshape(-1) if exo else np.zeros(0, np.int32),
                self._r_out.reshape(-1) if exo else np.zeros(0, np.int32),
                self._r_trk.reshape(-1),
                self._r_ramp_first,
                self._r_term,
            ]
        ).astype(np.int32)

    def _matrix(self) -> sp.csc_matrix:
        """``[balance; block; terminal]`` with the market columns in front of the block.

        Built from COO triplets (the block's entries shifted by ``κ`` rows and ``4κ``
        columns) like the block itself; the same matrix as stacking the three parts.
        """
        K, b = self.kappa, self.block
        bm = b.matrix
        k = np.arange(K, dtype=np.int64)
        n_term = len(self._r_term)
        # balance: E⁺_k − E⁻_k − H_k + S_k − u*_k (decision input 0 is the market input)
        bal_cols = np.concatenate([k, K + k, 2 * K + k, 3 * K + k, 4 * K + b.c_u[:, 0]])
        bal_vals = np.repeat([1.0, -1.0, -1.0, 1.0, -1.0], K)
        blk_rows = bm.indices.astype(np.int64) + K
        blk_cols = np.repeat(np.arange(b.n_cols, dtype=np.int64), np.diff(bm.indptr)) + 4 * K
        rows = np.concatenate([np.tile(k, 5), blk_rows, self._r_term.astype(np.int64)])
        cols = np.concatenate([bal_cols, blk_cols, self._c_v[K - 1, b.tracked[:n_term]]])
        vals = np.concatenate([bal_vals, bm.data, np.ones(n_term)])
        return csc_from_triplets(rows, cols.astype(np.int64), vals, (self.n_rows, self.n_cols))

    def _static_data(self) -> None:
        """Costs and bounds that do not change between solves (data columns/rows at 0)."""
        K, b = self.kappa, self.block
        Q, O_w, R = self.weights.profile(K)
        self._Q = Q
        zeros = np.zeros(4 * K)
        self._cost0 = np.concatenate([zeros, b.cost(R, O_w)])
        self._lower0 = np.concatenate([zeros, b.col_lower])
        self._upper0 = np.concatenate([np.full(4 * K, _INF), b.col_upper])
        n_term = len(self._r_term)
        self._row_lower0 = np.concatenate([np.zeros(K), b.row_lower, np.zeros(n_term)])
        self._row_upper0 = np.concatenate([np.zeros(K), b.row_upper, np.zeros(n_term)])
        # The LP's bounds (the warm re-solves and the one-sided walks read them; HiGHS
        # is handed them before it runs: _held_lower, ...).
        self._lower, self._upper = self._lower0.copy(), self._upper0.copy()
        self._row_lower, self._row_upper = self._row_lower0.copy(), self._row_upper0.copy()
        self._cost = self._cost0.copy()  # the LP's costs (HiGHS's: _held_cost)

    def _buffers(self) -> None:
        """Views of the data columns in the LP's arrays; buffers of the data rows' bounds.

        The columns ``E⁺, E⁻, H, S`` are ``0 … 4κ−1``, so their costs and the market
        columns' caps are written in place (``w_0``'s bounds and the balance rows too).
        The other data rows' bounds are laid out like ``_r_data`` (their static parts
        filled once) and copied into the LP's arrays when they change.
        """
        K, b = self.kappa, self.block
        nr = len(self._r_data)
        self._r_lo = self._row_lower0[self._r_data].copy()
        self._r_hi = self._row_upper0[self._r_data].copy()
        sizes = {
            "bal": K,
            "dyn": self._r_dyn.size if b.exo else 0,
            "out": self._r_out.size if b.exo else 0,
            "trk": self._r_trk.size,
            "ramp": len(self._r_ramp_first),
            "term": len(self._r_term),
        }
        rows: dict[str, slice] = {}
        at = 0
        for name, size in sizes.items():
            rows[name] = slice(at, at + size)
            at += size
        assert at == nr
        v = _Views()
        cost = self._cost
        v.cost_h, v.cost_s = cost[2 * K : 3 * K], cost[3 * K : 4 * K]
        for name, sl in rows.items():
            if name == "bal":
                continue  # written in place (_update)
            setattr(v, f"rlo_{name}", self._r_lo[sl])
            setattr(v, f"rhi_{name}", self._r_hi[sl])
        self._views = v
        self._row_parts = rows
        # What HiGHS holds: the costs and bounds it was last handed (compared by _sync).
        self._held_cost = self._cost0.copy()
        self._held_lower, self._held_upper = self._lower0.copy(), self._upper0.copy()
        self._held_row_lower = self._row_lower0.copy()
        self._held_row_upper = self._row_upper0.copy()
        # Both book sides empty (the one-sided re-solves' data; read-only, shared).
        self._no_price = np.full(K, np.nan)
        self._no_depth = np.zeros(K)
        self._no_price.flags.writeable = False
        self._no_depth.flags.writeable = False
        self._seen = _Seen()
        self._market_cost = cost[: 2 * K]  # the market columns' costs (a view)

    def _terminal_value(self) -> None:
        """Cost per unit of ``σ`` of the energy stored after the last unit.

        ``σ·s·w_κ`` with ``w_κ = A w_{κ−1} + B u_{κ−1}``: a cost of ``−sᵀA`` on the
        columns ``w_{κ−1}`` and ``−sᵀB_dec`` on ``u_{κ−1}``; the exogenous part
        ``sᵀB_exo x_{κ−1}`` is a constant, added to the objective.
        """
        K, b, plant = self.kappa, self.block, self.plant
        A, B = plant.model.A, plant.model.B
        s_vec = np.asarray(plant.stored_energy, dtype=float)
        self._A, self._B = A, B
        self._has_store = bool(np.any(s_vec != 0.0))
        self._c_term = np.concatenate([self._c_w[K - 1], self._c_u[K - 1]]).astype(np.int32)
        self._term_unit = -np.concatenate([s_vec @ A, s_vec @ B[:, b.dec]])
        # κ = 1: w_0 is both a data column (cost 0) and a terminal one.
        self._term_in_data = np.isin(self._c_term, self._c_data)
        self._term_exo = s_vec @ b.B_exo

    # ---- solving -------------------------------------------------------------------

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
        """Solve for already validated data (see :func:`rex_cli.control.problem.prepare_data`).

        The data's arrays are read, never written, and must not be changed afterwards:
        the row bounds computed from ``exogenous``, ``request`` and ``u_prev`` are reused
        while the next data holds the same array objects (as the one-sided re-solves'
        data does) or arrays with the same values.
        """
        if data.kappa != self.kappa:
            raise ValueError(
                f"data.kappa is {data.kappa} but the solver was built for {self.kappa}"
            )
        sigma = self._update(data)
        self.n_solves += 1
        if self.warm and self._prev is not None:
            res = self._warm_solve(data, sigma, self._prev)
            if res is not None:
                return res
        self._prev = None
        self._sync()
        ran = self._h.run()
        if ran == _HIGHS_ERROR:  # HiGHS keeps the last status and solution: not this LP's
            self._last = None
            return RhpoResult.failed(self.plant, self.kappa, LpStatus.ERROR, "highs")
        return self._extract(data, sigma)

    def _kept_inverse(self) -> par.BasisInverse:
        """The plant's kept basis inverse and matrix (built on first use)."""
        if self._inverse is None:
            self._inverse = par.BasisInverse(self._mat)
        return self._inverse

    def _warm_solve(
        self,
        data: RhpoData,
        sigma: float,
        prev: tuple[FloatArray, NDArray[np.bool_], FloatArray, FloatArray],
    ) -> RhpoResult | None:
        """The LP re-solved from the last optimal basis (:func:`.parametric.resolve`).

        None when the re-solve gives up (the caller runs HiGHS, which holds the same LP).
        """
        z_prev, basis, lo_prev, hi_prev = prev
        inv = self._kept_inverse()
        outcome, pivots, primal, z, y, d, lo, hi, is_basic, basic_variables = par.warm_resolve(
            inv.keep,
            inv.keep_basic,
            inv.state,
            basis,
            *inv.matrix,
            z_prev,
            lo_prev,
            hi_prev,
            self._lower,
            self._upper,
            self._row_lower,
            self._row_upper,
            self._cost,
            par.RESIDUAL_TOL,
            WARM_DUAL_TOL,
            WARM_FEASIBILITY_TOL,
        )
        self.warm_outcomes[outcome] += 1
        self.warm_pivots += pivots
        self.warm_primal_pivots += primal
        if outcome != par.RESOLVED:
            return None
        n = self.n_cols
        x = z[:n]
        self._prev = (z, is_basic, lo, hi)
        cost = float(self._cost @ x)
        return self._result(data, sigma, x, z[n:], y, d[:n], cost, basic_variables)

    def _solve_shifted(self, data: RhpoData, shift: float) -> FloatArray | None:
        """Balance duals of ``data``'s LP without trades at positions ``Y + shift``.

        The one-sided re-solve (:meth:`one_sided`): both book sides empty, every position
        moved by ``shift``, the rest of ``data`` kept (so its row bounds are reused). Only
        the duals are read; None if the solve is not optimal. Forgets the last solve.
        """
        K = self.kappa
        shifted = RhpoData(
            kappa=K,
            bid=self._no_price,
            ask=self._no_price,
            bid_depth=self._no_depth,
            ask_depth=self._no_depth,
            position=data.position + shift,
            request=data.request,
            exogenous=data.exogenous,
            w0=data.w0,
            u_prev=data.u_prev,
            short_price=data.short_price,
            long_price=data.long_price,
            stored_value=data.stored_value,
        )
        self._update(shifted)
        self._sync()
        h = self._h
        ran = h.run()
        self.n_solves += 1
        self._last = None
        if ran == _HIGHS_ERROR or status_of_highs(h.getModelStatus()) is not LpStatus.OPTIMAL:
            return None
        return np.array(h.getSolution().row_dual[:K], dtype=np.float64)

    def _update(self, data: RhpoData) -> float:
        """Put ``data``'s costs and bounds into the LP's arrays; returns the ``σ`` in force.

        The arrays (``_cost``, ``_lower``, ``_upper``, ``_row_lower``, ``_row_upper``)
        are the LP of this solve; HiGHS is handed what differs from what it holds only
        before it runs (:meth:`_sync`). The market columns and the balance rows are
        written on every call (:func:`_market_columns`); any other part of the buffers
        is recomputed only when the data holds other arrays than the last solve's with
        other values (bit for bit).
        """
        b = self.block
        v = self._views
        K = self.kappa

        # Columns: E⁺/E⁻ costs l·A, −l·B and caps (an empty side is fixed at 0 at cost 0),
        # H/S costs, w_0 fixed by its bounds. The rest of the buffers is static.
        seen = self._seen
        # The market columns and the balance rows change with every arrival: one
        # compiled call writes them (the balance rows are rows 0 … κ−1).
        _market_columns(
            float(self.weights.l),
            data.ask,
            data.ask_depth,
            data.bid,
            data.bid_depth,
            data.position,
            self._cost,
            self._upper,
            self._row_lower,
            self._row_upper,
        )
        if data.long_price is not seen.long_price:
            seen.long_price = data.long_price
            key = data.long_price.tobytes()
            if key != seen.long_price_key:
                seen.long_price_key = key
                np.subtract(self._Q, data.long_price, out=v.cost_h)
        if data.short_price is not seen.short_price:
            seen.short_price = data.short_price
            key = data.short_price.tobytes()
            if key != seen.short_price_key:
                seen.short_price_key = key
                v.cost_s[:] = data.short_price
        if data.w0 is not seen.w0:
            seen.w0 = data.w0
            key = data.w0.tobytes()
            if key != seen.w0_key:
                seen.w0_key = key
                cols = self._c_data[4 * K :]
                self._lower[cols] = data.w0
                self._upper[cols] = data.w0

        # Rows: exogenous contributions, requests, first ramp, terminal (the balance rhs
        # −Y is written above).
        parts = []
        if b.exo and data.exogenous is not seen.exogenous:
            seen.exogenous = data.exogenous
            key = data.exogenous.tobytes()
            if key != seen.exogenous_key:
                seen.exogenous_key = key
                dyn, out = b.exogenous_rhs(data.exogenous)
                v.rlo_dyn[:] = dyn
                v.rhi_dyn[:] = dyn
                v.rlo_out[:] = out
                v.rhi_out[:] = out
                parts += ["dyn", "out"]
        if data.request is not seen.request:
            seen.request = data.request
            key = data.request.tobytes()
            if key != seen.request_key:
                seen.request_key = key
                lo, hi = b.request_bounds(data.request)
                v.rlo_trk[:] = lo
                v.rhi_trk[:] = hi
                parts.append("trk")
                if self._terminal:
                    xk = data.request[K - 1]
                    tol = self.weights.terminal_tolerance
                    v.rlo_term[:] = np.where(np.isnan(xk), -_INF, xk - tol)
                    v.rhi_term[:] = np.where(np.isnan(xk), _INF, xk + tol)
                    parts.append("term")
        if b.nr and data.u_prev is not seen.u_prev:
            seen.u_prev = data.u_prev
            key = data.u_prev.tobytes()
            if key != seen.u_prev_key:
                seen.u_prev_key = key
                lo, hi = b.first_ramp_bounds(data.u_prev)
                v.rlo_ramp[:] = lo
                v.rhi_ramp[:] = hi
                parts.append("ramp")
        for name in parts:
            sl = self._row_parts[name]
            rows = self._r_data[sl]
            self._row_lower[rows] = self._r_lo[sl]
            self._row_upper[rows] = self._r_hi[sl]

        # The value of the stored energy: set after the data columns (for κ = 1 the
        # column w_0 is one of them, at the data cost 0, as every state's base cost).
        sigma = data.stored_value if self._has_store else 0.0
        if self._has_store:
            ct = self._c_term
            if sigma != 0.0 or self._sigma_set != 0.0:
                self._cost[ct] = self._cost0[ct] + sigma * self._term_unit
                self._sigma_set = sigma
            elif self._term_in_data.any():  # κ = 1: w_0's data cost
                self._cost[ct] = np.where(self._term_in_data, self._cost0[ct], self._cost[ct])
        return sigma

    def _bounds(self) -> tuple[FloatArray, FloatArray]:
        """Lower and upper bounds of the N variables (columns, then rows), new arrays."""
        return (
            np.concatenate((self._lower, self._row_lower)),
            np.concatenate((self._upper, self._row_upper)),
        )

    def _sync(self) -> None:
        """Hand HiGHS the entries of the LP's arrays that differ from what it holds.

        Bit for bit (``-0.0`` is not ``0.0``). At least one entry is handed over, so
        HiGHS drops its last solution and re-solves from its basis exactly as after a
        full hand-over (re-setting a nonbasic variable's unchanged bounds leaves its
        status as it is).
        """
        h = self._h
        i8 = np.int64
        calls = 0
        cost, held = self._cost, self._held_cost
        changed = (cost.view(i8) != held.view(i8)).nonzero()[0]
        if len(changed):
            h.changeColsCost(len(changed), changed, cost[changed])
            held[changed] = cost[changed]
            calls += 1
        changed = _changed_bounds(self._lower, self._upper, self._held_lower, self._held_upper)
        if len(changed):
            h.changeColsBounds(len(changed), changed, self._lower[changed], self._upper[changed])
            calls += 1
        lo, hi = self._row_lower, self._row_upper
        changed = _changed_bounds(lo, hi, self._held_row_lower, self._held_row_upper)
        if len(changed):
            h.changeRowsBounds(len(changed), changed, lo[changed], hi[changed])
            calls += 1
        if not calls:
            # Nothing differs: hand over one unchanged balance row so HiGHS re-solves.
            h.changeRowsBounds(1, self._r_bal[:1], lo[:1], hi[:1])

    def _extract(self, data: RhpoData, sigma: float) -> RhpoResult:
        h = self._h
        model_status = h.getModelStatus()
        if model_status != _HIGHS_OPTIMAL:
            status = status_of_highs(model_status)
            self._last = None
            return RhpoResult.failed(self.plant, self.kappa, status, "highs")
        # Each HiGHS vector is read once per solve (highspy hands out a list per read):
        # the row duals serve λ here and the one-sided values (_parametric_sides), the
        # column duals only there.
        sol: Any = h.getSolution()
        x = np.array(sol.col_value, dtype=np.float64)
        row = np.array(sol.row_value, dtype=np.float64)
        row_dual = np.array(sol.row_dual, dtype=np.float64)
        col_dual = np.array(sol.col_dual, dtype=np.float64)
        basic_variables = np.asarray(h.getBasicVariables()[1], dtype=np.int64)
        n = self.n_cols
        basis = np.zeros(n + self.n_rows, dtype=bool)
        basis[np.where(basic_variables >= 0, basic_variables, n - basic_variables - 1)] = True
        self._prev = (np.concatenate((x, row)), basis, *self._bounds())
        cost = float(h.getObjectiveValue())
        return self._result(data, sigma, x, row, row_dual, col_dual, cost, basic_variables)

    def _result(
        self,
        data: RhpoData,
        sigma: float,
        x: FloatArray,
        row: FloatArray,
        row_dual: FloatArray,
        col_dual: FloatArray,
        cost: float,
        basic_variables: NDArray[np.int64],
    ) -> RhpoResult:
        """The result of an optimal solve (and the state one_sided starts from)."""
        K = self.kappa
        b = self.block
        u, w, v, buy, sell, surplus, shortfall, dual_balance = _result_arrays(
            x,
            row_dual,
            self._c_u,
            self._dec,
            self._exo,
            data.exogenous,
            self._n_inputs,
            self._c_w,
            self._c_v,
        )
        w[K] = self._A @ w[K - 1] + self._B @ u[K - 1]
        objective = -cost
        if sigma != 0.0 and b.exo:
            # The exogenous part of the stored energy's value is a constant.
            objective = objective + sigma * float(self._term_exo @ data.exogenous[K - 1])
        res = RhpoResult(
            status=LpStatus.OPTIMAL,
            objective=objective,
            buy=buy,
            sell=sell,
            surplus=surplus,
            shortfall=shortfall,
            u=u,
            v=v,
            w=w,
            dual_balance=dual_balance,
            backend="highs",
        )
        self._last = (data, res, x, row, row_dual, col_dual, basic_variables)
        return res

    # ---- one-sided values ------------------------------------------------------------

    def one_sided(
        self, delta: float, *, resolve: bool = False, max_pivots: int | None = None
    ) -> OneSided:
        """``λ(Y ± δ)`` of the last solve's LP without trades (module docstring).

        The LP without trades has the last solve's data with both book sides empty
        (market columns fixed at 0) and every position moved by ``±δ``. Where the last
        basis stays optimal over the shift (the interval covers ``±δ``) that side's
        value is the last solve's ``λ``; elsewhere it comes from parametric dual simplex
        pivots from the last basis (:mod:`rex_cli.control.lp.parametric`): one walk
        removing the trades, shared by both sides, then one walk per side moving the
        positions. A side is re-solved with HiGHS (warm-started, ``+δ`` first) only when
        its walk fails (pivot cap, numerical trouble, infeasible side LP), or for both
        sides when ``resolve`` is set (the three-solve method, kept as the reference).
        A failed re-solve gives the last solve's ``λ`` for that side.

        Args:
            delta: The shift ``δ`` of every position, kWh (>= 0).
            resolve: Re-solve both sides whatever the basis says.
            max_pivots: Cap on the pivots of the walks (default: the LP's row count).

        Raises:
            RuntimeError: If the last solve was not optimal.
        """
        if self._last is None:
            raise RuntimeError("one_sided needs an optimal last solve")
        data, res, x, row, row_dual, col_dual, basic_variables = self._last
        lam = res.dual_balance
        interval = (math.nan, math.nan)
        sides: list[FloatArray | None] = [None, None]
        pivots = 0
        if not resolve:
            sides, interval, pivots = self._parametric_sides(
                x,
                row,
                row_dual,
                col_dual,
                basic_variables,
                lam,
                delta,
                self.n_rows if max_pivots is None else max_pivots,
            )
        solves = 0
        for i, sign in enumerate((1.0, -1.0)):
            if sides[i] is not None:
                continue
            dual = self._solve_shifted(data, sign * delta)
            solves += 1
            sides[i] = lam.copy() if dual is None else dual
        self._last = None  # the basis now belongs to a shifted LP (or was used)
        up, down = sides
        assert up is not None and down is not None
        return OneSided(up=up, down=down, solves=solves, interval=interval, pivots=pivots)

    def _parametric_sides(
        self,
        x: FloatArray,
        row: FloatArray,
        row_dual: FloatArray,
        col_dual: FloatArray,
        basic_variables: NDArray[np.int64],
        lam: FloatArray,
        delta: float,
        max_pivots: int,
    ) -> tuple[list[FloatArray | None], tuple[float, float], int]:
        """The sides from the last basis: covered ones, then parametric walks.

        Bound paths (τ from 0 to 1, :mod:`rex_cli.control.lp.parametric`): the trade
        removal moves the upper bound of every market column from its value to 0 (first
        tightened to the value, which keeps the basis optimal and allows an unlimited
        depth); the shift moves both bounds of every balance logical (the row activity,
        bounds ``−Y``) by ``∓δ``. ``None`` marks a side whose walk failed (the caller
        re-solves it). One compiled call (:func:`~rex_cli.control.lp.parametric.one_sided`)
        does the set-up, the ranging and the walks; the plant's
        :class:`~rex_cli.control.lp.parametric.BasisInverse`
        keeps the matrix (built on the first call) and the last basis's inverse.
        """
        K = self.kappa
        inv = self._kept_inverse()
        work0, work1 = par.spares(inv.m)
        y_up, y_down = np.empty(K), np.empty(K)
        ok, t_lo, t_hi, pivots, up, down = par.one_sided(
            inv.keep,
            inv.keep_basic,
            inv.state,
            work0,
            work1,
            *inv.matrix,
            basic_variables,
            x,
            row,
            col_dual,
            row_dual,
            self._lower,
            self._upper,
            self._row_lower,
            self._row_upper,
            self._market_cost,
            K,
            float(delta),
            int(max_pivots),
            par.RESIDUAL_TOL,
            FEASIBILITY_TOL,
            y_up,
            y_down,
        )
        if not ok:
            return [None, None], (math.nan, math.nan), 0
        sides: list[FloatArray | None] = [
            lam.copy() if s == 0 else y if s == 1 else None for s, y in ((up, y_up), (down, y_down))
        ]
        return sides, (t_lo, t_hi), pivots

    def _shift_interval(self, x: FloatArray, row: FloatArray) -> tuple[float, float]:
        """Shifts ``t`` (kWh, every position) keeping the last basis optimal without trades.

        ``(nan, nan)`` when a priced market column is basic or no shift is feasible.

        HiGHS's basis matrix ``B`` has the structural columns and, for a basic row, the
        unit column of its logical ``s_i = −(row activity)``. With the market columns
        nonbasic, fixing them at 0 and moving the balance bounds ``−Y`` to ``−(Y + t)``
        change the basic variables by ``B⁻¹(r_trade + t·r_shift)`` where, on the balance
        rows, ``r_trade = E⁺ − E⁻`` and ``r_shift = −1`` (nonbasic logicals only); the
        costs of the basic columns do not change, so neither do the duals.
        """
        h = self._h
        K = self.kappa
        basic = np.asarray(h.getBasicVariables()[1], dtype=np.int64)
        is_col = basic >= 0
        cols = basic[is_col]
        basic_market = cols[cols < 2 * K]
        if np.any(self._market_cost[basic_market] != 0.0):
            return (math.nan, math.nan)  # a priced market column is basic: it sets λ
        nonbasic_market = np.ones(2 * K, dtype=bool)
        nonbasic_market[basic_market] = False
        rows = -basic[~is_col] - 1
        bal_basic = np.zeros(K, dtype=bool)
        bal_basic[rows[rows < K]] = True
        n_rows = self.n_rows
        r_trade = np.zeros(n_rows)
        e_p = np.where(nonbasic_market[:K], x[self._c_ep], 0.0)
        e_m = np.where(nonbasic_market[K:], x[self._c_em], 0.0)
        r_trade[:K] = e_p - e_m  # nonbasic market columns move to 0
        r_shift = np.zeros(n_rows)
        r_shift[:K] = np.where(bal_basic, 0.0, -1.0)
        # Basic values, bounds, and the rates of change in t.
        z = np.empty(len(basic))
        lo = np.empty(len(basic))
        hi = np.empty(len(basic))
        z[is_col] = x[cols]
        market = cols < 2 * K  # fixed at 0 without trades
        lo[is_col] = np.where(market, 0.0, self._lower[cols])
        hi[is_col] = np.where(market, 0.0, self._upper[cols])
        rlo, rhi = self._row_lower, self._row_upper
        z[~is_col] = -row[rows]
        lo[~is_col] = -rhi[rows]
        hi[~is_col] = -rlo[rows]
        a = z.copy()
        if np.any(r_trade):
            a += np.asarray(h.getBasisSolve(r_trade)[1], dtype=np.float64)
        slope = np.asarray(h.getBasisSolve(r_shift)[1], dtype=np.float64)
        # A basic balance logical s = Y + t must stay at its moving bound: s − t ∈ [Y, Y].
        moving = np.zeros(len(basic), dtype=bool)
        moving[~is_col] = rows < K
        slope[moving] -= 1.0
        return _ratio_interval(a, slope, lo, hi)

    def reset(self) -> None:
        """Forget the warm-start basis (the next solve starts cold)."""
        self._h.clearSolver()
        self._last = None
        self._prev = None

    @property
    def iterations(self) -> int:
        """Simplex iterations of HiGHS's last run (warm re-solves are not runs of HiGHS)."""
        return int(self._h.getInfo().simplex_iteration_count)


def _changed_bounds(
    lo: FloatArray, hi: FloatArray, held_lo: FloatArray, held_hi: FloatArray
) -> NDArray[np.intp]:
    """Indices where ``(lo, hi)`` differ bit for bit from ``(held_lo, held_hi)``.

    The held arrays are brought up to date there.
    """
    i8 = np.int64
    changed = ((lo.view(i8) != held_lo.view(i8)) | (hi.view(i8) != held_hi.view(i8))).nonzero()
    idx = changed[0]
    held_lo[idx] = lo[idx]
    held_hi[idx] = hi[idx]
    return idx


def _ratio_interval(
    a: FloatArray, slope: FloatArray, lo: FloatArray, hi: FloatArray
) -> tuple[float, float]:
    """The interval of ``t`` with ``lo − tol ≤ a + t·slope ≤ hi + tol`` for every entry.

    Entries with ``|slope| ≤ 1e-12`` must hold at every ``t``; an empty interval is
    returned as ``(nan, nan)``.
    """
    tol = FEASIBILITY_TOL
    flat = np.abs(slope) <= 1e-12
    if np.any((a[flat] < lo[flat] - tol) | (a[flat] > hi[flat] + tol)):
        return (math.nan, math.nan)
    s = slope[~flat]
    with np.errstate(invalid="ignore"):
        t1 = (lo[~flat] - tol - a[~flat]) / s
        t2 = (hi[~flat] + tol - a[~flat]) / s
    t_lo = np.where(s > 0, t1, t2)
    t_hi = np.where(s > 0, t2, t1)
    low = float(np.max(t_lo, initial=-_INF))
    high = float(np.min(t_hi, initial=_INF))
    if not low <= high:
        return (math.nan, math.nan)
    return (low, high)
