"""The perfect-foresight planner: welfare's upper bound (docs/model.md: welfare and baselines).

One linear program over the whole delivery horizon ``j = 0..N−1`` with every
realisation known. It decides every plant's inputs and the system's backup,
unserved and spilled energy per unit to maximise welfare (module
:mod:`rex_cli.control.baseline`)::

    maximise  − Σ_j (c_b b_j + c_L L_j) − Σ_p Σ_j Σ_i r_pi u#_pji
              − c_c Σ_p Σ_j Σ_t (G⁺_pjt + G⁻_pjt)

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
costly-input prices (fuel, degradation) and ``c_c`` the comfort cost per unit of
deviation.

Conventions: there is no ramp row before unit 0 (like the market run's first
plan, which has no previous input); nothing is asked of the state after unit
``N−1`` (no terminal value: the planner may empty a battery at the end, as may
any other outcome). The planner's welfare is therefore ≥ the welfare of every
outcome that respects the same plant constraints under the same costs
(:func:`rex_cli.control.baseline.feasibility_violation` = 0): the no-market
baseline, a market run's realised trajectories, an RHPO plan.

Two backends solve the same LP: the readable pyomo model
(:func:`build_planner_model`, solved with HiGHS through pyomo like
:mod:`rex_cli.control.rhpo`) and a sparse highspy build (the default, for large
communities: hundreds of plants × 96 units).
"""

from __future__ import annotations

import enum
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import highspy
import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from rex_cli.control.baseline import (
    Outcome,
    PlantSpec,
    WelfareBreakdown,
    WelfareCosts,
    _rows,
    _unit_hours,
    system_balance,
    welfare_of,
)
from rex_cli.control.rhpo import Backend
from rex_cli.plants.statespace import Plant

if TYPE_CHECKING:
    import pyomo.environ as pyo

__all__ = [
    "PlannerResult",
    "PlannerStatus",
    "build_planner_model",
    "solve_planner",
]

FloatArray = NDArray[np.float64]


class PlannerStatus(enum.Enum):
    """Outcome of the planner's solve; only ``OPTIMAL`` results carry numbers."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    INFEASIBLE_OR_UNBOUNDED = "infeasible_or_unbounded"
    ERROR = "error"


@dataclass(frozen=True, kw_only=True, eq=False)
class PlannerResult:
    """Solution of the perfect-foresight planner over ``N`` units.

    Attributes:
        status: Solve outcome; numbers are NaN unless ``OPTIMAL``.
        welfare: The welfare breakdown of the planned outcome (scored by
            :func:`~rex_cli.control.baseline.welfare_of`), currency.
        objective: The LP's optimal welfare, currency (equals ``welfare.total``
            up to the solver's tolerance).
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

    status: PlannerStatus
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
        return self.status is PlannerStatus.OPTIMAL


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
    dt = _unit_hours(plants, dt_h)
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
        x = _rows(data.exogenous, N, len(plant.exogenous_inputs), "exogenous")
        if not np.all(np.isfinite(x)):
            raise ValueError(f"exogenous data of plant {plant.name!r} must be finite")
        r = _rows(data.request, N, len(plant.tracked_outputs), "request")
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
    )


# --- the pyomo reference model -------------------------------------------------------------


def _opt(x: Any) -> float | None:
    """A pyomo bound: None for an infinite value."""
    return None if math.isinf(x) else float(x)


def _plant_block(
    b: Any, plant: Plant, exo: FloatArray, req: FloatArray, w0: FloatArray, N: int
) -> None:
    """Fill the pyomo block of one plant (variables and constraints)."""
    import pyomo.environ as pyo

    ss = plant.model
    A, B, C, D = ss.A, ss.B, ss.C, ss.D
    ex = list(plant.exogenous_inputs)
    # Exogenous inputs are data: their contributions are constants.
    bx = exo @ B[:, ex].T if ex else np.zeros((N, plant.n_states))
    dx = exo @ D[:, ex].T if ex else np.zeros((N, plant.n_outputs))
    tracked = plant.tracked_outputs
    tpos = {t: c for c, t in enumerate(tracked)}

    b.J = pyo.RangeSet(0, N - 1, doc="delivery units j = 0..N−1")
    b.JW = pyo.RangeSet(0, N, doc="state times: w[j] at the start of unit j")
    b.I = pyo.Set(initialize=plant.decision_inputs, doc="decision inputs; 0 is u*")
    b.S = pyo.Set(initialize=range(plant.n_states), doc="states")
    b.P = pyo.Set(initialize=range(plant.n_outputs), doc="outputs")
    b.T = pyo.Set(initialize=tracked, doc="tracked outputs (indices into P)")
    b.u = pyo.Var(
        b.J,
        b.I,
        bounds=lambda _b, j, i: (_opt(plant.u_min[i]), _opt(plant.u_max[i])),
        doc="decision inputs: u* (kWh bought, negative = delivered) and costly inputs",
    )
    b.w = pyo.Var(b.JW, b.S, doc="states")
    b.v = pyo.Var(
        b.J,
        b.P,
        bounds=lambda _b, j, q: (_opt(plant.v_min[q]), _opt(plant.v_max[q])),
        doc="outputs, within their hard bounds",
    )
    b.Gp = pyo.Var(b.J, b.T, domain=pyo.NonNegativeReals, doc="G⁺: output above request")
    b.Gm = pyo.Var(b.J, b.T, domain=pyo.NonNegativeReals, doc="G⁻: output below request")

    def initial_state(b_: Any, s: int) -> Any:
        """The plant starts unit 0 in its initial state ``w_init``."""
        return b_.w[0, s] == float(w0[s])

    b.initial_state = pyo.Constraint(b.S, rule=initial_state, doc=initial_state.__doc__)

    def dynamics(b_: Any, j: int, s: int) -> Any:
        """Dynamics ``w_{j+1} = A w_j + B u_j`` (exogenous part of ``B u`` is data)."""
        return b_.w[j + 1, s] == sum(A[s, r] * b_.w[j, r] for r in b_.S if A[s, r] != 0) + sum(
            B[s, i] * b_.u[j, i] for i in b_.I if B[s, i] != 0
        ) + float(bx[j, s])

    b.dynamics = pyo.Constraint(b.J, b.S, rule=dynamics, doc=dynamics.__doc__)

    def output(b_: Any, j: int, q: int) -> Any:
        """Output equation ``v_j = C w_j + D u_j`` (bounds are on ``v``)."""
        return b_.v[j, q] == sum(C[q, r] * b_.w[j, r] for r in b_.S if C[q, r] != 0) + sum(
            D[q, i] * b_.u[j, i] for i in b_.I if D[q, i] != 0
        ) + float(dx[j, q])

    b.output = pyo.Constraint(b.J, b.P, rule=output, doc=output.__doc__)

    b.R = pyo.Set(
        initialize=[i for i in plant.decision_inputs if math.isfinite(plant.u_delta[i])],
        doc="decision inputs with a ramp limit",
    )

    def ramp(b_: Any, j: int, i: int) -> Any:
        """Ramp ``|u_{j+1} − u_j| ≤ u_Δ`` for j = 0..N−2 (none before unit 0)."""
        if j == N - 1:
            return pyo.Constraint.Skip
        d = float(plant.u_delta[i])
        return pyo.inequality(-d, b_.u[j + 1, i] - b_.u[j, i], d)

    b.ramp = pyo.Constraint(b.J, b.R, rule=ramp, doc=ramp.__doc__)

    def track_up(b_: Any, j: int, t: int) -> Any:
        """Deviation above the request: ``G⁺_j ≥ v_j − X_j`` (skipped without request)."""
        x = float(req[j, tpos[t]])
        return pyo.Constraint.Skip if math.isnan(x) else b_.Gp[j, t] >= b_.v[j, t] - x

    def track_down(b_: Any, j: int, t: int) -> Any:
        """Deviation below the request: ``G⁻_j ≥ X_j − v_j`` (skipped without request)."""
        x = float(req[j, tpos[t]])
        return pyo.Constraint.Skip if math.isnan(x) else b_.Gm[j, t] >= x - b_.v[j, t]

    b.track_up = pyo.Constraint(b.J, b.T, rule=track_up, doc=track_up.__doc__)
    b.track_down = pyo.Constraint(b.J, b.T, rule=track_down, doc=track_down.__doc__)


def _build_pyomo(pb: _Problem) -> pyo.ConcreteModel:
    import pyomo.environ as pyo

    N, costs = pb.N, pb.costs
    m = pyo.ConcreteModel(name="planner")
    m.J = pyo.RangeSet(0, N - 1, doc="delivery units j = 0..N−1")
    m.PL = pyo.Set(initialize=range(len(pb.plants)), doc="plants")

    def plant_rule(b: Any, p: int) -> None:
        _plant_block(b, pb.plants[p], pb.exogenous[p], pb.request[p], pb.w_init[p], N)

    m.plant = pyo.Block(m.PL, rule=plant_rule, doc="one block per plant")
    cap = pb.backup_cap_kwh
    m.backup = pyo.Var(m.J, bounds=(0.0, _opt(cap)), doc="backup energy covering the net need, kWh")
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
        """Maximise welfare: minus backup, unserved, fuel/degradation and comfort costs.

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
        return -system - inputs - comfort

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


_PYOMO_STATUS = {
    "optimal": PlannerStatus.OPTIMAL,
    "infeasible": PlannerStatus.INFEASIBLE,
    "unbounded": PlannerStatus.UNBOUNDED,
    "infeasibleOrUnbounded": PlannerStatus.INFEASIBLE_OR_UNBOUNDED,
}


def _solve_pyomo(pb: _Problem) -> PlannerResult:
    import pyomo.environ as pyo

    t0 = time.perf_counter()
    m = _build_pyomo(pb)
    t1 = time.perf_counter()
    opt = pyo.SolverFactory("highs")
    try:
        res = opt.solve(m, load_solutions=False, raise_exception_on_nonoptimal_result=False)
    except Exception:  # never raise on solver trouble
        return _failed(pb, PlannerStatus.ERROR, "pyomo", t1 - t0, time.perf_counter() - t1)
    t2 = time.perf_counter()
    status = _PYOMO_STATUS.get(str(res.solver.termination_condition), PlannerStatus.ERROR)
    if status is not PlannerStatus.OPTIMAL:
        return _failed(pb, status, "pyomo", t1 - t0, t2 - t1)
    m.solutions.load_from(res)
    N = pb.N
    decisions, outputs = [], []
    for p, plant in enumerate(pb.plants):
        blk = m.plant[p]
        uv = blk.u.extract_values()
        vv = blk.v.extract_values()
        dec = np.array(
            [[uv[j, i] for i in plant.decision_inputs] for j in range(N)], dtype=np.float64
        )
        out = np.array(
            [[vv[j, q] for q in range(plant.n_outputs)] for j in range(N)], dtype=np.float64
        )
        decisions.append(dec)
        outputs.append(out)
    return _result(pb, decisions, outputs, float(pyo.value(m.welfare)), "pyomo", t1 - t0, t2 - t1)


# --- the highspy build ------------------------------------------------------------------


def _zeros(r: int, c: int) -> sp.csr_matrix:
    return sp.csr_matrix((r, c))


class _Layout:
    """Sparse constraint block of one plant over N units (columns and rows local)."""

    def __init__(self, plant: Plant, N: int) -> None:
        ss = plant.model
        n, p = ss.n_states, ss.n_outputs
        dec = list(plant.decision_inputs)
        md = len(dec)
        nt = len(plant.tracked_outputs)
        ramped = [c for c, i in enumerate(dec) if math.isfinite(plant.u_delta[i])]
        nr = len(ramped)
        self.md, self.n, self.p, self.nt, self.nr = md, n, p, nt, nr
        self.dec, self.ramped = dec, ramped
        # columns: u (N·md), w ((N+1)·n), v (N·p), G⁺ (N·nt), G⁻ (N·nt)
        self.col_sizes = (N * md, (N + 1) * n, N * p, N * nt, N * nt)
        self.n_cols = sum(self.col_sizes)
        # rows: dynamics (N·n), outputs (N·p), tracking (N·nt), ramps ((N−1)·nr)
        self.row_sizes = (N * n, N * p, N * nt, max(N - 1, 0) * nr)
        self.n_rows = sum(self.row_sizes)
        IN = sp.identity(N, format="csr")
        S0 = sp.eye(N, N + 1, k=0, format="csr")
        S1 = sp.eye(N, N + 1, k=1, format="csr")
        Bd, Dd = ss.B[:, dec], ss.D[:, dec]
        Et = sp.csr_matrix(np.eye(p)[list(plant.tracked_outputs)].reshape(nt, p))
        Er = sp.csr_matrix(np.eye(md)[ramped].reshape(nr, md))
        dif = (sp.eye(N - 1, N, k=1) - sp.eye(N - 1, N, k=0)) if N > 1 else _zeros(0, N)
        cu, cw, cv, cg, _ = self.col_sizes
        rd, ro, rt, rr = self.row_sizes
        blocks = [
            [
                -sp.kron(IN, Bd),
                sp.kron(S1, sp.identity(n)) - sp.kron(S0, ss.A),
                _zeros(rd, cv),
                _zeros(rd, cg),
                _zeros(rd, cg),
            ],
            [
                -sp.kron(IN, Dd),
                -sp.kron(S0, ss.C),
                sp.identity(N * p),
                _zeros(ro, cg),
                _zeros(ro, cg),
            ],
            [
                _zeros(rt, cu),
                _zeros(rt, cw),
                sp.kron(IN, Et),
                -sp.identity(N * nt),
                sp.identity(N * nt),
            ],
            [sp.kron(dif, Er), _zeros(rr, cw), _zeros(rr, cv), _zeros(rr, cg), _zeros(rr, cg)],
        ]
        self.matrix = sp.bmat(blocks, format="csc")
        # The market input u* is decision input 0: its columns are 0, md, 2·md, ...
        self.market_cols = np.arange(N, dtype=np.int64) * md


_HIGHS_STATUS = {
    highspy.HighsModelStatus.kOptimal: PlannerStatus.OPTIMAL,
    highspy.HighsModelStatus.kInfeasible: PlannerStatus.INFEASIBLE,
    highspy.HighsModelStatus.kUnbounded: PlannerStatus.UNBOUNDED,
    highspy.HighsModelStatus.kUnboundedOrInfeasible: PlannerStatus.INFEASIBLE_OR_UNBOUNDED,
}


def _solve_highs(pb: _Problem) -> PlannerResult:
    t0 = time.perf_counter()
    N, costs = pb.N, pb.costs
    inf = math.inf
    layouts: dict[int, _Layout] = {}
    mats, bal_blocks = [], []
    cost, lo, hi, r_lo, r_hi = [], [], [], [], []
    offsets = []
    col = 0
    for p, plant in enumerate(pb.plants):
        lay = layouts.get(id(plant))
        if lay is None:
            lay = layouts[id(plant)] = _Layout(plant, N)
        offsets.append(col)
        col += lay.n_cols
        mats.append(lay.matrix)
        k = float(pb.mult[p])
        bal = sp.csr_matrix(
            (np.full(N, -k), (np.arange(N), lay.market_cols)), shape=(N, lay.n_cols)
        )
        bal_blocks.append(bal)
        dec, ss = lay.dec, plant.model
        cu, cw, cv, cg, _ = lay.col_sizes
        # column costs and bounds
        cost += [
            k * np.tile(plant.input_cost[dec], N),
            np.zeros(cw + cv),
            np.full(2 * cg, k * costs.comfort_cost),
        ]
        w_lo = np.full(cw, -inf)
        w_hi = np.full(cw, inf)
        w_lo[: lay.n] = w_hi[: lay.n] = pb.w_init[p]
        lo += [np.tile(plant.u_min[dec], N), w_lo, np.tile(plant.v_min, N), np.zeros(2 * cg)]
        hi += [np.tile(plant.u_max[dec], N), w_hi, np.tile(plant.v_max, N), np.full(2 * cg, inf)]
        # row bounds: exogenous contributions, requests, ramps
        ex = list(plant.exogenous_inputs)
        x = pb.exogenous[p]
        dyn = (x @ ss.B[:, ex].T).reshape(-1) if ex else np.zeros(N * lay.n)
        out = (x @ ss.D[:, ex].T).reshape(-1) if ex else np.zeros(N * lay.p)
        req = pb.request[p].reshape(-1)
        free = np.isnan(req)
        d = np.tile(plant.u_delta[dec][lay.ramped], max(N - 1, 0))
        r_lo += [dyn, out, np.where(free, -inf, req), -d]
        r_hi += [dyn, out, np.where(free, inf, req), d]
    n_plant_cols = col
    cap = pb.backup_cap_kwh
    # system columns: backup b, unserved L, spill s (N each)
    cost += [np.full(N, costs.backup_cost), np.full(N, costs.value_of_lost_load), np.zeros(N)]
    lo += [np.zeros(3 * N)]
    hi += [np.full(N, cap), np.full(N, inf if math.isfinite(cap) else 0.0), np.full(N, inf)]
    r_lo += [pb.net]
    r_hi += [pb.net]
    IN = sp.identity(N, format="csr")
    system = sp.hstack([IN, IN, -IN])
    plant_mat = sp.block_diag(mats, format="csc") if mats else _zeros(0, 0)
    n_plant_rows = plant_mat.shape[0]
    bal_mat = sp.hstack(bal_blocks) if bal_blocks else _zeros(N, 0)
    mat = sp.bmat([[plant_mat, _zeros(n_plant_rows, 3 * N)], [bal_mat, system]], format="csc")
    mat.sort_indices()
    n_cols, n_rows = mat.shape[1], mat.shape[0]

    h: Any = highspy.Highs()
    h.disableCallbacks()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = n_rows
    lp.col_cost_ = np.concatenate(cost)
    lp.col_lower_ = np.concatenate(lo)
    lp.col_upper_ = np.concatenate(hi)
    lp.row_lower_ = np.concatenate(r_lo)
    lp.row_upper_ = np.concatenate(r_hi)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = n_cols
    lp.a_matrix_.num_row_ = n_rows
    lp.a_matrix_.start_ = mat.indptr.astype(np.int32)
    lp.a_matrix_.index_ = mat.indices.astype(np.int32)
    lp.a_matrix_.value_ = mat.data.astype(np.float64)
    if h.passModel(lp) != highspy.HighsStatus.kOk:
        return _failed(pb, PlannerStatus.ERROR, "highs", time.perf_counter() - t0, 0.0)
    t1 = time.perf_counter()
    h.run()
    t2 = time.perf_counter()
    status = _HIGHS_STATUS.get(h.getModelStatus(), PlannerStatus.ERROR)
    if status is not PlannerStatus.OPTIMAL:
        return _failed(pb, status, "highs", t1 - t0, t2 - t1)
    xs = np.asarray(h.getSolution().col_value, dtype=np.float64)
    assert xs.shape[0] == n_cols and n_plant_cols + 3 * N == n_cols
    decisions, outputs = [], []
    for p, plant in enumerate(pb.plants):
        lay = layouts[id(plant)]
        cu, cw, cv, _, _ = lay.col_sizes
        o = offsets[p]
        decisions.append(xs[o : o + cu].reshape(N, lay.md))
        outputs.append(xs[o + cu + cw : o + cu + cw + cv].reshape(N, lay.p))
    objective = -float(h.getInfo().objective_function_value)
    return _result(pb, decisions, outputs, objective, "highs", t1 - t0, t2 - t1)


# --- results -------------------------------------------------------------------------------


def _failed(
    pb: _Problem, status: PlannerStatus, backend: str, build_s: float, solve_s: float
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
    outputs: Sequence[FloatArray],
    objective: float,
    backend: str,
    build_s: float,
    solve_s: float,
) -> PlannerResult:
    """Assemble the result: full inputs, states from the model, welfare of the outcome.

    Arrays are per LP plant; each copy of an aggregated plant gets its own copy.
    """
    N = pb.N
    ins, states, outs = [], [], []
    for p, plant in enumerate(pb.plants):
        U = plant.full_inputs(decisions[p], pb.exogenous[p] if plant.exogenous_inputs else None)
        W, _ = plant.model.simulate(pb.w_init[p], U)
        ins.append(U)
        states.append(W)
        outs.append(np.asarray(outputs[p], dtype=np.float64).reshape(N, -1))
    outcome = Outcome(
        net_uncontrollable_kwh=pb.net,
        inputs=tuple(ins[q].copy() for q in pb.index),
        outputs=tuple(outs[q].copy() for q in pb.index),
    )
    welfare = welfare_of(outcome, pb.specs, pb.costs, dt_h=pb.dt)
    backup, unserved, spilled = system_balance(outcome.net_kwh, pb.costs, pb.dt)
    return PlannerResult(
        status=PlannerStatus.OPTIMAL,
        welfare=welfare,
        objective=objective,
        outcome=outcome,
        inputs=outcome.inputs,
        outputs=outcome.outputs,
        states=tuple(states[q].copy() for q in pb.index),
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

    Returns:
        The result; a non-``OPTIMAL`` status (e.g. an unreachable comfort band)
        comes with NaN numbers, nothing is raised.

    Raises:
        ValueError: On malformed data (shapes, non-finite values).
    """
    pb = _problem(net_uncontrollable_kwh, plants, costs, n_units, dt_h, aggregate_identical)
    be = Backend(backend)
    if be is Backend.PYOMO:
        return _solve_pyomo(pb)
    return _solve_highs(pb)
