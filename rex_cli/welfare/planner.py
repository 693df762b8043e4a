"""The perfect-foresight planner: welfare's upper bound (docs/model.md: welfare and baselines).

One linear program over the whole delivery horizon ``j = 0..N−1`` with every
realisation known. It decides every plant's inputs and the system's backup,
unserved and spilled energy per unit to maximise welfare (module
:mod:`rex_cli.welfare.accounting`)::

    maximise  − Σ_j (c_b b_j + c_L L_j) − Σ_p Σ_j Σ_i r_pi u#_pji
              − c_c Σ_p Σ_j Σ_t (G⁺_pjt + G⁻_pjt) + c_E Σ_p s_p·(w_pN − w_p0)

subject to, for every plant ``p`` (its DT-LTI-SS model, exactly as simulated)::

    w_p0 = w_init_p                              initial state
    w_p,j+1 = A w_pj + B u_pj                    dynamics, j = 0..N−1
    v_pj = C w_pj + D u_pj                       outputs
    u_min ≤ u_pj ≤ u_max (decisions), exogenous u_pj = data
    v_min ≤ v_pj ≤ v_max                         hard output bounds (comfort
                                                 band, SoC, balance = 0)
    |u_p,j+1 − u_pj| ≤ u_Δ                       ramps, j = 0..N−2
    G⁺_pjt ≥ v_pjt − X_pjt, G⁻_pjt ≥ X_pjt − v_pjt  (requests not NaN)

and the system balance per unit::

    b_j + L_j − s_j = x_j + Σ_p u*_pj,   0 ≤ b_j ≤ cap·dt,  L_j, s_j ≥ 0

with ``x_j`` the uncontrollable net energy (kWh, consumption positive), ``b``
backup (cost ``c_b``), ``L`` unserved energy (value of lost load ``c_L``; fixed at
0 when the backup is unlimited), ``s`` spilled surplus (free), ``r`` the plants'
costly-input prices (fuel, degradation), ``c_c`` the comfort cost per unit of
deviation and ``c_E`` the price of stored energy (``s_p`` the plant's stored energy
per state, e.g. a battery's state of charge).

Conventions: there is no ramp row before unit 0 (like the market run's first
plan, which has no previous input); the state after unit ``N−1`` is free, its
stored energy valued at ``c_E`` like every other outcome's. The planner's welfare
is therefore ≥ the welfare of every outcome that respects the same plant
constraints under the same costs
(:func:`rex_cli.welfare.accounting.feasibility_violation` = 0): the no-market
baseline, a market run's realised trajectories, an RHPO plan, the
same-information planner. (With a warm-up cut the planner still optimises the
whole period; the bound then holds for the whole period.)

Two backends solve the same LP: the readable pyomo model
(:func:`build_planner_model`, solved with HiGHS through pyomo like
:mod:`rex_cli.control.rhpo`) and a sparse highspy build (the default, for large
communities: hundreds of plants × 96 units). The highspy build is
:class:`PlannerLP`, the planner over any window of ``K`` units from any state
with the previous unit's inputs for the first ramps, built once and re-solved
with new data from the previous basis: the same-information planner
(:mod:`rex_cli.welfare.same_info`) solves it once per delivered unit.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import highspy
import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from rex_cli.control.lp.block import PlantBlock
from rex_cli.control.lp.highs import new_highs, pass_model
from rex_cli.control.lp.reference import pyomo_bound, pyomo_plant_block
from rex_cli.control.lp.status import LpStatus, status_of_highs, status_of_pyomo
from rex_cli.control.problem import Backend
from rex_cli.plants.statespace import Plant
from rex_cli.welfare.accounting import (
    Outcome,
    PlantSpec,
    WelfareBreakdown,
    WelfareCosts,
    rows_of,
    simulate_outcome,
    system_balance,
    unit_hours_of,
    welfare_of,
)

if TYPE_CHECKING:
    import pyomo.environ as pyo

__all__ = [
    "PlannerLP",
    "PlannerResult",
    "build_planner_model",
    "solve_planner",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, kw_only=True, eq=False)
class PlannerResult:
    """Solution of the perfect-foresight planner over ``N`` units.

    Attributes:
        status: Solve outcome; numbers are NaN unless ``OPTIMAL``.
        welfare: The welfare breakdown of the planned outcome (scored by
            :func:`~rex_cli.welfare.accounting.welfare_of` on the re-simulated
            decisions, from ``first_unit`` on), currency.
        objective: The LP's optimal welfare over all N units, currency (equals
            ``welfare.total`` up to the solver's tolerance without a warm-up).
        outcome: The planned physical outcome (None unless optimal).
        inputs: Per plant, full inputs (N, m); column 0 is ``u*``, kWh.
        outputs: Per plant, outputs (N, p).
        states: Per plant, states (N + 1, n); row 0 is ``w_init``.
        backup_kwh: Backup energy per unit, kWh, (N,).
        spilled_kwh: Spilled surplus per unit, kWh, (N,).
        unserved_kwh: Unserved energy per unit, kWh, (N,).
        backend: ``"highs"`` or ``"pyomo"``.
        build_seconds: Time to build the LP, s.
        solve_seconds: Time to solve it, s.
    """

    status: LpStatus
    welfare: WelfareBreakdown
    objective: float
    outcome: Outcome | None
    inputs: tuple[FloatArray, ...]
    outputs: tuple[FloatArray, ...]
    states: tuple[FloatArray, ...]
    backup_kwh: FloatArray
    spilled_kwh: FloatArray
    unserved_kwh: FloatArray
    backend: str
    build_seconds: float
    solve_seconds: float

    @property
    def ok(self) -> bool:
        """Whether the solve is optimal."""
        return self.status is LpStatus.OPTIMAL


@dataclass(frozen=True)
class _Problem:
    """Validated planner data: rows 0..N−1 of everything.

    ``plants``, ``exogenous``, ``request``, ``w_init`` and ``mult`` are per LP
    plant; an LP plant of multiplicity ``mult`` stands for that many identical
    copies; ``index[q]`` is the LP plant of the caller's plant ``q``.
    """

    net: FloatArray
    plants: tuple[Plant, ...]
    exogenous: tuple[FloatArray, ...]
    request: tuple[FloatArray, ...]
    w_init: tuple[FloatArray, ...]
    mult: tuple[int, ...]
    index: tuple[int, ...]
    specs: tuple[PlantSpec, ...]
    costs: WelfareCosts
    N: int
    dt: float
    first_unit: int = 0

    @property
    def backup_cap_kwh(self) -> float:
        """Backup energy available per unit, kWh (inf = unlimited)."""
        return self.costs.backup_capacity_kw * self.dt


def _problem(
    net_uncontrollable_kwh: ArrayLike,
    plants: Sequence[PlantSpec],
    costs: WelfareCosts,
    n_units: int | None,
    dt_h: float | None,
    aggregate: bool = False,
    first_unit: int = 0,
) -> _Problem:
    net_all = np.asarray(net_uncontrollable_kwh, dtype=np.float64).reshape(-1)
    N = net_all.shape[0] if n_units is None else int(n_units)
    if N < 1 or net_all.shape[0] < N:
        raise ValueError(
            f"n_units must be in 1..{net_all.shape[0]} (entries of the net energy), got {N}"
        )
    net = net_all[:N]
    if not np.all(np.isfinite(net)):
        raise ValueError("net_uncontrollable_kwh must be finite")
    dt = unit_hours_of(plants, dt_h)
    exo: list[FloatArray] = []
    req: list[FloatArray] = []
    w0: list[FloatArray] = []
    mult: list[int] = []
    index: list[int] = []
    pl: list[Plant] = []
    seen: dict[tuple[int, int], int] = {}
    for plant, data in plants:
        key = (id(plant), id(data))
        if aggregate and key in seen:
            mult[seen[key]] += 1
            index.append(seen[key])
            continue
        seen[key] = len(pl)
        index.append(len(pl))
        pl.append(plant)
        mult.append(1)
        x = rows_of(data.exogenous, N, len(plant.exogenous_inputs), "exogenous")
        if not np.all(np.isfinite(x)):
            raise ValueError(f"exogenous data of plant {plant.name!r} must be finite")
        r = rows_of(data.request, N, len(plant.tracked_outputs), "request")
        if np.any(np.isinf(r)):
            raise ValueError(f"request of plant {plant.name!r} must be finite or NaN")
        w = np.asarray(data.w_init, dtype=np.float64).reshape(-1)
        if w.shape[0] != plant.n_states or not np.all(np.isfinite(w)):
            raise ValueError(f"w_init of plant {plant.name!r} must be {plant.n_states} values")
        exo.append(x)
        req.append(r)
        w0.append(w)
    return _Problem(
        net=net,
        plants=tuple(pl),
        exogenous=tuple(exo),
        request=tuple(req),
        w_init=tuple(w0),
        mult=tuple(mult),
        index=tuple(index),
        specs=tuple(plants),
        costs=costs,
        N=N,
        dt=dt,
        first_unit=int(first_unit),
    )


# --- the pyomo reference model -------------------------------------------------------------


def _build_pyomo(pb: _Problem) -> pyo.ConcreteModel:
    import pyomo.environ as pyo

    N, costs = pb.N, pb.costs
    m = pyo.ConcreteModel(name="planner")
    m.J = pyo.RangeSet(0, N - 1, doc="delivery units j = 0..N−1")
    m.PL = pyo.Set(initialize=range(len(pb.plants)), doc="plants")

    def plant_rule(b: Any, p: int) -> None:
        pyomo_plant_block(
            b,
            pb.plants[p],
            N,
            exogenous=pb.exogenous[p],
            request=pb.request[p],
            w0=pb.w_init[p],
        )

    m.plant = pyo.Block(m.PL, rule=plant_rule, doc="one block per plant")
    cap = pb.backup_cap_kwh
    m.backup = pyo.Var(
        m.J, bounds=(0.0, pyomo_bound(cap)), doc="backup energy covering the net need, kWh"
    )
    m.unserved = pyo.Var(
        m.J,
        bounds=(0.0, None if math.isfinite(cap) else 0.0),
        doc="net need beyond the backup capacity, kWh (0 when backup is unlimited)",
    )
    m.spill = pyo.Var(m.J, domain=pyo.NonNegativeReals, doc="spilled surplus, kWh")

    def balance(m_: Any, j: int) -> Any:
        """System balance ``b_j + L_j − s_j = x_j + Σ_p k_p u*_pj`` (kWh).

        ``k_p`` is the plant's multiplicity (identical copies, see ``solve_planner``).
        """
        return m_.backup[j] + m_.unserved[j] - m_.spill[j] == float(pb.net[j]) + sum(
            pb.mult[p] * m_.plant[p].u[j, 0] for p in m_.PL
        )

    m.balance = pyo.Constraint(m.J, rule=balance, doc=balance.__doc__)

    def welfare(m_: Any) -> Any:
        """Maximise welfare: minus backup, unserved, fuel/wear and comfort, plus stored energy.

        Plant terms are counted ``k_p`` times (the plant's multiplicity).
        """
        system = sum(
            costs.backup_cost * m_.backup[j] + costs.value_of_lost_load * m_.unserved[j]
            for j in m_.J
        )
        inputs = sum(
            pb.mult[p] * float(pb.plants[p].input_cost[i]) * m_.plant[p].u[j, i]
            for p in m_.PL
            for i in pb.plants[p].costly_inputs
            if pb.plants[p].input_cost[i]
            for j in m_.J
        )
        comfort = costs.comfort_cost * sum(
            pb.mult[p] * (m_.plant[p].Gp[j, t] + m_.plant[p].Gm[j, t])
            for p in m_.PL
            for j in m_.J
            for t in m_.plant[p].T
        )
        stored = costs.stored_energy_price * sum(
            pb.mult[p]
            * float(pb.plants[p].stored_energy[r])
            * (m_.plant[p].w[N, r] - m_.plant[p].w[0, r])
            for p in m_.PL
            for r in range(pb.plants[p].n_states)
            if pb.plants[p].stored_energy[r]
        )
        return -system - inputs - comfort + stored

    m.welfare = pyo.Objective(rule=welfare, sense=pyo.maximize, doc=welfare.__doc__)
    return m


def build_planner_model(
    net_uncontrollable_kwh: ArrayLike,
    plants: Sequence[PlantSpec],
    costs: WelfareCosts,
    n_units: int | None = None,
    *,
    dt_h: float | None = None,
) -> pyo.ConcreteModel:
    """Build the planner LP as a pyomo ``ConcreteModel`` (maximisation).

    ``model.plant[p]`` is plant ``p``'s block (variables ``u[j, i]`` for decision
    inputs, ``w[j, s]`` for ``j = 0..N``, ``v[j, q]``, ``Gp``/``Gm``);
    ``model.backup``, ``model.unserved``, ``model.spill`` are per unit;
    ``model.balance[j]`` couples them; ``model.welfare`` is the objective.
    Arguments as in :func:`solve_planner`.
    """
    return _build_pyomo(_problem(net_uncontrollable_kwh, plants, costs, n_units, dt_h))


def _solve_pyomo(pb: _Problem) -> PlannerResult:
    import pyomo.environ as pyo

    t0 = time.perf_counter()
    m = _build_pyomo(pb)
    t1 = time.perf_counter()
    opt = pyo.SolverFactory("highs")
    try:
        res = opt.solve(m, load_solutions=False, raise_exception_on_nonoptimal_result=False)
    except Exception:  # never raise on solver trouble
        return _failed(pb, LpStatus.ERROR, "pyomo", t1 - t0, time.perf_counter() - t1)
    t2 = time.perf_counter()
    status = status_of_pyomo(res.solver.termination_condition)
    if status is not LpStatus.OPTIMAL:
        return _failed(pb, status, "pyomo", t1 - t0, t2 - t1)
    m.solutions.load_from(res)
    N = pb.N
    decisions = []
    for p, plant in enumerate(pb.plants):
        uv = m.plant[p].u.extract_values()
        dec = np.array(
            [[uv[j, i] for i in plant.decision_inputs] for j in range(N)], dtype=np.float64
        )
        decisions.append(dec)
    return _result(pb, decisions, float(pyo.value(m.welfare)), "pyomo", t1 - t0, t2 - t1)


# --- the highspy build ------------------------------------------------------------------


def _zeros(r: int, c: int) -> sp.csr_matrix:
    return sp.csr_matrix((r, c))


@dataclass(frozen=True, kw_only=True, eq=False)
class WindowSolution:
    """One solve of :class:`PlannerLP`.

    Attributes:
        status: Solve outcome; the arrays are empty unless ``OPTIMAL``.
        decisions: Per LP plant, decision inputs (K, n_decision); column 0 is ``u*``.
        objective: Optimal welfare of the window, currency (the change of stored
            energy valued at the stored-energy price).
        iterations: Simplex iterations of the solve.
    """

    status: LpStatus
    decisions: tuple[FloatArray, ...]
    objective: float
    iterations: int

    @property
    def ok(self) -> bool:
        """Whether the solve is optimal."""
        return self.status is LpStatus.OPTIMAL


class PlannerLP:
    """The planner LP over a window of ``K`` units, built once, re-solved with new data.

    Columns and rows are those of the planner (module docstring) over ``K`` units,
    plus a first ramp row per ramped input that links unit 0 to the previous
    unit's input. Each :meth:`solve` changes only data (the uncontrollable net
    energy, the plants' initial states, previous inputs, exogenous inputs,
    requests, and the number of units that count: a shorter window is the same
    model with the units beyond it freed and costless) and
    re-runs the simplex from the previous basis (warm start), as
    :class:`rex_cli.control.highs.RhpoSolver` does for the RHPO LP.

    Args:
        plants: The LP plants.
        mult: Multiplicity of each LP plant (identical copies it stands for).
        K: Number of units of the window (>= 1).
        costs: Resource prices.
        dt_h: Unit length, hours.
        presolve: Let HiGHS presolve (worth it for one large solve; off for
            warm-started re-solves).
    """

    def __init__(
        self,
        plants: Sequence[Plant],
        mult: Sequence[int],
        K: int,
        costs: WelfareCosts,
        dt_h: float,
        *,
        presolve: bool = False,
    ) -> None:
        if K < 1:
            raise ValueError(f"K must be >= 1, got {K!r}")
        self.plants = tuple(plants)
        self.mult = tuple(float(k) for k in mult)
        self.K = K
        self.costs = costs
        inf = math.inf
        blocks: dict[int, PlantBlock] = {}
        self._blocks: list[PlantBlock] = []
        mats, bal_blocks = [], []
        cost, lo, hi = [], [], []
        self._col_off: list[int] = []
        col = row = 0
        for p, plant in enumerate(self.plants):
            blk = blocks.get(id(plant))
            if blk is None:
                blk = blocks[id(plant)] = PlantBlock(plant, K, n_times=K + 1, ramp_order="unit")
            self._blocks.append(blk)
            self._col_off.append(col)
            col += blk.n_cols
            row += blk.n_rows
            mats.append(blk.matrix)
            k = self.mult[p]
            bal_blocks.append(
                sp.csr_matrix(
                    (np.full(K, -k), (np.arange(K), blk.c_u[:, 0])), shape=(K, blk.n_cols)
                )
            )  # −k·u*_k: decision input 0 is the market input
            cost.append(blk.cost(np.full(K, k), np.full(K, k * costs.comfort_cost)))
            lo.append(blk.col_lower)
            hi.append(blk.col_upper)
        cap = costs.backup_capacity_kw * dt_h
        # system columns: backup b, unserved L, spill s (K each)
        cost += [np.full(K, costs.backup_cost), np.full(K, costs.value_of_lost_load), np.zeros(K)]
        lo += [np.zeros(3 * K)]
        hi += [np.full(K, cap), np.full(K, inf if math.isfinite(cap) else 0.0), np.full(K, inf)]
        IK = sp.identity(K, format="csr")
        system = sp.hstack([IK, IK, -IK])
        plant_mat = sp.block_diag(mats, format="csc") if mats else _zeros(0, 0)
        bal_mat = sp.hstack(bal_blocks) if bal_blocks else _zeros(K, 0)
        mat = sp.bmat([[plant_mat, _zeros(row, 3 * K)], [bal_mat, system]], format="csc")
        mat.sort_indices()
        self.n_cols, self.n_rows = int(mat.shape[1]), int(mat.shape[0])
        # Unit of every column and row, for windows shorter than K (padding): the
        # columns of units >= the active ones are freed and cost nothing, their rows
        # freed, so the padded window is exactly the shorter one. A state column w_k
        # belongs to unit k − 1 (w_0 to none: it is the data w0).
        col_unit, row_unit, w_time, stored = [], [], [], []
        for pl, k, blk in zip(self.plants, self.mult, self._blocks, strict=True):
            units = np.arange(K)
            k_w = np.repeat(np.arange(K + 1), blk.n)
            col_unit += [
                np.repeat(units, blk.md),
                k_w - 1,
                np.repeat(units, blk.p),
                np.repeat(units, blk.nt),
                np.repeat(units, blk.nt),
            ]
            n_after = blk.c_v.size + blk.c_gp.size + blk.c_gm.size
            w_time += [np.full(blk.c_u.size, -1), k_w, np.full(n_after, -1)]
            row_unit += [
                np.full(blk.r_dyn.size + blk.r_out.size, -1),  # dynamics, outputs: kept
                np.repeat(units, blk.nt),
                np.repeat(units, blk.nr),  # ramp rows: unit 0 (first), then k
            ]
            stored += [
                np.zeros(blk.c_u.size),
                np.tile(-k * costs.stored_energy_price * pl.stored_energy, K + 1),
                np.zeros(n_after),
            ]
        col_unit += [np.tile(np.arange(K), 3)]
        w_time += [np.full(3 * K, -1)]
        row_unit += [np.full(K, -1)]
        stored += [np.zeros(3 * K)]
        self._col_unit = np.concatenate(col_unit)
        self._w_time = np.concatenate(w_time)
        self._row_unit = np.concatenate(row_unit)
        self._stored_cost = np.concatenate(stored)  # −price × stored energy on every state
        self._w0_mask = self._w_time == 0
        self._cost0 = np.concatenate(cost)
        self._lo0 = np.concatenate(lo)
        self._hi0 = np.concatenate(hi)
        self._all_rows = np.arange(self.n_rows, dtype=np.int32)
        self._all_cols = np.arange(self.n_cols, dtype=np.int32)
        self._h: Any = new_highs(presolve=presolve)
        zeros = np.zeros(self.n_rows)
        pass_model(
            self._h, mat, self._cost0, self._lo0, self._hi0, zeros, zeros, what="planner model"
        )
        self.n_solves = 0

    def solve(
        self,
        *,
        net: ArrayLike,
        w0: Sequence[ArrayLike],
        exogenous: Sequence[ArrayLike],
        request: Sequence[ArrayLike],
        u_prev: Sequence[ArrayLike | None] | None = None,
        n_units: int | None = None,
    ) -> WindowSolution:
        """Solve the window for new data.

        Args:
            net: Uncontrollable net energy per unit of the window, kWh, (≥ n_units,).
            w0: Per LP plant, the state at the start of the window, (n,).
            exogenous: Per LP plant, exogenous inputs of the window, (≥ n_units,
                n_exogenous).
            request: Per LP plant, requests of the window (NaN = none), (≥ n_units,
                n_tracked).
            u_prev: Per LP plant, full inputs of the unit before the window (None or
                NaN entries: no first ramp row); None = none for every plant.
            n_units: Units of this window, ``1..K`` (default K): a shorter window is
                solved on the same model, the units beyond it freed and costless.

        Returns:
            The solution (decisions per LP plant, ``n_units`` rows) and its status;
            the objective is the window's welfare, stored energy at its end valued at
            the stored-energy price.
        """
        K = self.K
        n = K if n_units is None else int(n_units)
        if not 1 <= n <= K:
            raise ValueError(f"n_units must be in 1..{K}, got {n_units!r}")
        r_lo, r_hi = [], []
        x0 = []
        for p, blk in enumerate(self._blocks):
            nex = len(blk.exo)
            x = np.zeros((K, nex))
            x[:n] = rows_of(exogenous[p], n, nex, "exogenous")
            dyn, out = blk.exogenous_rhs(x)
            req_k = np.full((K, blk.nt), np.nan)
            req_k[:n] = rows_of(request[p], n, blk.nt, "request")
            req_lo, req_hi = blk.request_bounds(req_k)
            up = None if u_prev is None else u_prev[p]
            first_lo, first_hi = blk.first_ramp_bounds(None if up is None else np.asarray(up))
            rest = blk.r_ramp[1:].reshape(-1)  # the ramps after the first: ±Δ, no data
            r_lo += [dyn, out, req_lo, first_lo, blk.row_lower[rest]]
            r_hi += [dyn, out, req_hi, first_hi, blk.row_upper[rest]]
            x0.append(np.asarray(w0[p], dtype=np.float64).reshape(blk.n))
        net_a = np.zeros(K)
        net_a[:n] = np.asarray(net, dtype=np.float64).reshape(-1)[:n]
        r_lo.append(net_a)
        r_hi.append(net_a)
        lo_rows, hi_rows = np.concatenate(r_lo), np.concatenate(r_hi)
        pad_rows = self._row_unit >= n
        lo_rows[pad_rows], hi_rows[pad_rows] = -math.inf, math.inf
        # Columns: padding free and costless; stored energy valued at w_n; w_0 = data.
        pad = self._col_unit >= n
        cost = np.where(pad, 0.0, self._cost0) + np.where(self._w_time == n, self._stored_cost, 0.0)
        lo = np.where(pad, -math.inf, self._lo0)
        hi = np.where(pad, math.inf, self._hi0)
        w0_all = np.concatenate(x0) if x0 else np.zeros(0)
        lo[self._w0_mask] = w0_all
        hi[self._w0_mask] = w0_all
        h: Any = self._h
        h.changeRowsBounds(self.n_rows, self._all_rows, lo_rows, hi_rows)
        h.changeColsCost(self.n_cols, self._all_cols, cost)
        h.changeColsBounds(self.n_cols, self._all_cols, lo, hi)
        ran = h.run()
        self.n_solves += 1
        status = status_of_highs(h.getModelStatus())
        if ran == highspy.HighsStatus.kError:  # the model status is the last run's
            status = LpStatus.ERROR
        iters = int(h.getInfo().simplex_iteration_count)
        if status is not LpStatus.OPTIMAL:
            return WindowSolution(status=status, decisions=(), objective=math.nan, iterations=iters)
        xs = np.asarray(h.getSolution().col_value, dtype=np.float64)
        decisions = []
        for off, blk in zip(self._col_off, self._blocks, strict=True):
            decisions.append(xs[off + blk.c_u].reshape(K, blk.md)[:n].copy())
        # The constant: stored energy at the start is the reference of the change.
        objective = -float(h.getInfo().objective_function_value) + float(
            self._stored_cost[self._w0_mask] @ w0_all
        )
        return WindowSolution(
            status=status, decisions=tuple(decisions), objective=objective, iterations=iters
        )


def _solve_highs(pb: _Problem) -> PlannerResult:
    t0 = time.perf_counter()
    try:
        lp = PlannerLP(pb.plants, pb.mult, pb.N, pb.costs, pb.dt, presolve=True)
    except RuntimeError:
        return _failed(pb, LpStatus.ERROR, "highs", time.perf_counter() - t0, 0.0)
    t1 = time.perf_counter()
    sol = lp.solve(net=pb.net, w0=pb.w_init, exogenous=pb.exogenous, request=pb.request)
    t2 = time.perf_counter()
    if not sol.ok:
        return _failed(pb, sol.status, "highs", t1 - t0, t2 - t1)
    return _result(pb, list(sol.decisions), sol.objective, "highs", t1 - t0, t2 - t1)


# --- results -------------------------------------------------------------------------------


def _failed(
    pb: _Problem, status: LpStatus, backend: str, build_s: float, solve_s: float
) -> PlannerResult:
    N = pb.N
    nan = np.full(N, np.nan)
    plants = [p for p, _ in pb.specs]
    return PlannerResult(
        status=status,
        welfare=WelfareBreakdown.nan(),
        objective=math.nan,
        outcome=None,
        inputs=tuple(np.full((N, p.n_inputs), np.nan) for p in plants),
        outputs=tuple(np.full((N, p.n_outputs), np.nan) for p in plants),
        states=tuple(np.full((N + 1, p.n_states), np.nan) for p in plants),
        backup_kwh=nan.copy(),
        spilled_kwh=nan.copy(),
        unserved_kwh=nan.copy(),
        backend=backend,
        build_seconds=build_s,
        solve_seconds=solve_s,
    )


def _result(
    pb: _Problem,
    decisions: Sequence[FloatArray],
    objective: float,
    backend: str,
    build_s: float,
    solve_s: float,
) -> PlannerResult:
    """Assemble the result: the decisions re-simulated and scored by the one account.

    ``decisions`` are per LP plant; each copy of an aggregated plant gets its own copy.
    """
    outcome, states = simulate_outcome(
        pb.net, pb.specs, [np.asarray(decisions[q]).copy() for q in pb.index]
    )
    welfare = welfare_of(outcome, pb.specs, pb.costs, dt_h=pb.dt, first_unit=pb.first_unit)
    backup, unserved, spilled = system_balance(outcome.net_kwh, pb.costs, pb.dt)
    return PlannerResult(
        status=LpStatus.OPTIMAL,
        welfare=welfare,
        objective=objective,
        outcome=outcome,
        inputs=outcome.inputs,
        outputs=outcome.outputs,
        states=states,
        backup_kwh=backup,
        spilled_kwh=spilled,
        unserved_kwh=unserved,
        backend=backend,
        build_seconds=build_s,
        solve_seconds=solve_s,
    )


# --- entry point -------------------------------------------------------------------------


def solve_planner(
    net_uncontrollable_kwh: ArrayLike,
    plants: Sequence[PlantSpec],
    costs: WelfareCosts,
    n_units: int | None = None,
    *,
    backend: Backend | str = Backend.HIGHS,
    dt_h: float | None = None,
    aggregate_identical: bool = True,
    first_unit: int = 0,
) -> PlannerResult:
    """Solve the perfect-foresight planner over ``N`` delivered units.

    Args:
        net_uncontrollable_kwh: Realised net energy of the uncontrollable clients
            per unit (households' consumption minus wind production), kWh, ≥ N
            entries (the first N are used).
        plants: ``(Plant, PlantData)`` per controllable plant (e.g. from
            ``scenario.build.build_plants``, dropping the kind); rows ``0..N−1``
            of ``exogenous`` and ``request`` are used, and ``w_init``.
        costs: Resource prices (backup, comfort, value of lost load, backup
            capacity).
        n_units: Number of delivered units N (default ``len(net)``).
        backend: ``"highs"`` (default: sparse highspy build, fast) or
            ``"pyomo"`` (the readable model, HiGHS through pyomo).
        dt_h: Unit length, hours (default the plants' ``dt``).
        aggregate_identical: Solve identical plants (the same ``Plant`` and
            ``PlantData`` objects, as ``build_plants`` repeats them) as one LP
            plant of multiplicity ``k`` (its market input and costs × ``k``).
            Exact: the feasible set of one copy is convex and the coupling sees
            only the sum, so averaging the copies of any optimum is optimal too;
            every copy gets the same trajectory.
        first_unit: First unit scored by ``welfare`` (the warm-up cut); the LP
            optimises all N units.

    Returns:
        The result; a non-``OPTIMAL`` status (e.g. an unreachable comfort band)
        comes with NaN numbers, nothing is raised.

    Raises:
        ValueError: On malformed data (shapes, non-finite values).
    """
    pb = _problem(
        net_uncontrollable_kwh, plants, costs, n_units, dt_h, aggregate_identical, first_unit
    )
    be = Backend(backend)
    if be is Backend.PYOMO:
        return _solve_pyomo(pb)
    return _solve_highs(pb)
