"""Receding Horizon Plan & Order (RHPO): the decision LP, written once in pyomo.

At an arrival, over the κ open units ``k = 1..κ`` (docs/model.md: RHPO), the coordinator
decides market trades ``E⁺_k`` (buy at the best ask ``A_k``) and ``E⁻_k`` (sell at
the best bid ``B_k``) and the plant plan ``U``, maximising::

    − Σ_k Q_k H_k − Σ_k O_k (G⁺_k + G⁻_k) − Σ_k Σ_i R_k,i u#_k,i
    + l Σ_k (B_k E⁻_k − A_k E⁺_k) − Σ_k π_k S_k + Σ_k ρ_k H_k

subject to the plant (``w_{k+1} = A w_k + B u_k``, ``v_k = C w_k + D u_k``, bounds,
ramps, exogenous inputs fixed to data) and the **reservation balance**::

    Y_k + E⁺_k − E⁻_k − u*_k = H_k − S_k        (dual λ_k)

with surplus ``H_k ≥ 0`` (penalised by ``Q_k``, and paid the expected long price
``ρ_k``, default 0) and shortfall ``S_k ≥ 0`` ("no reservation, no service",
paid at the expected short price ``π_k``). The energy the plant still holds after
the last open unit (``s·w_{κ+1}``, ``s`` = the plant's ``stored_energy``: a
battery's state of charge) is worth ``σ`` per kWh (``stored_value``, default 0).
Tracked outputs follow the request:
``G⁺_k ≥ v_k − X_k``, ``G⁻_k ≥ X_k − v_k``.

Units and signs: energies in kWh per unit (``Y``, ``E``, ``u*``, ``H``, ``S``;
``u*`` and ``Y`` positive = bought/consumed); prices in currency/kWh; the
objective in currency (when ``l = 1``).

**Cost of flexibility**: ``λ_k = ∂(optimal objective)/∂Y_k``, currency/kWh, the
marginal value of one more kWh already reserved for unit ``k``: positive when more
reservation helps (the plan needs energy: ``λ_k`` lies between the bid and the
shortfall price), negative when a surplus is penalised (``λ_k = ρ_k − Q_k``).
Both backends return exactly this sign, whatever their solver's convention.

Conventions this module decides (documented in docs/model.md):

* ``w0`` is the state at the start of the first open unit. The row ``k`` of the
  plan is unit ``k``; outputs follow the model's ``v_k = C w_k + D u_k`` (the
  shipped plants read them at the end of the unit, see ``plants.builders``).
* An empty book side (price ``NaN``/``None``) forbids that trade (``E = 0``);
  optional depth caps bound ``E⁺_k`` / ``E⁻_k`` (``inf`` = unbounded).
* A ``NaN`` request leaves that output untracked in that unit.
* The first ramp row links ``u_1`` to ``u_prev`` (skipped when ``u_prev`` is None
  or the entry is ``NaN``).
* Terminal condition ``REQUEST``: ``|v_κ − X_κ| ≤ terminal_tolerance`` for every
  tracked output with a request.
* Infeasible, unbounded or failed solves return a result with a non-optimal
  :class:`~rex_cli.control.lp.LpStatus` and ``NaN`` arrays; nothing is raised. Unboundedness
  happens when ``l·B_k > π_k`` with an uncapped bid (selling short pays), or
  ``ρ_k − Q_k > l·A_k`` with an uncapped ask.

This module is the readable reference (a fresh pyomo model per solve); the hot
path is :class:`rex_cli.control.highs.RhpoSolver`, the same LP in highspy with
only data changing between solves.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rex_cli.control.highs import RhpoSolver
from rex_cli.control.lp.reference import pyomo_bound, pyomo_plant_block
from rex_cli.control.lp.status import LpStatus, status_of_pyomo
from rex_cli.control.problem import (
    Backend,
    PriceLike,
    RhpoData,
    RhpoResult,
    prepare_data,
)
from rex_cli.control.weights import TerminalCondition, Weights
from rex_cli.plants.statespace import Plant

if TYPE_CHECKING:
    import pyomo.environ as pyo

__all__ = [
    "Backend",
    "RhpoData",
    "RhpoResult",
    "build_pyomo_model",
    "prepare_data",
    "solve_pyomo",
    "solve_rhpo",
    "solve_rhpo_uc",
]

FloatArray = NDArray[np.float64]


# --- the pyomo reference model -----------------------------------------------------


def build_pyomo_model(plant: Plant, weights: Weights, data: RhpoData) -> pyo.ConcreteModel:
    """Build the RHPO LP as a pyomo ``ConcreteModel`` (maximisation).

    ``K = 0..κ−1`` indexes the open units (row ``k`` of the plan); ``model.plant`` is
    the plant's block (:func:`rex_cli.control.lp.reference.pyomo_plant_block`: decision
    inputs ``u[k, i]``, states ``w[k, s]`` for ``k = 0..κ``, outputs ``v[k, q]``,
    deviations ``Gp``/``Gm``), written from the plant's matrices. ``model.dual`` is an
    import suffix; ``model.balance[k]``'s dual is ``λ_k`` (the constraint is written
    ``H − S − E⁺ + E⁻ + u* = Y`` so that its right-hand side is ``Y_k``: a pyomo dual
    is ∂objective/∂right-hand side).
    """
    import pyomo.environ as pyo

    K = data.kappa
    Q, O_w, R = weights.profile(K)
    cost = plant.input_cost
    l_ = weights.l

    def ask_ok(k: int) -> bool:
        return not math.isnan(data.ask[k])

    def bid_ok(k: int) -> bool:
        return not math.isnan(data.bid[k])

    m = pyo.ConcreteModel(name="RHPO")
    m.K = pyo.RangeSet(0, K - 1, doc="open units k = 0..κ−1")
    m.plant = pyo.Block(doc="the plant over the κ open units")
    pyomo_plant_block(
        m.plant,
        plant,
        K,
        exogenous=data.exogenous,
        request=data.request,
        w0=data.w0,
        u_prev=data.u_prev,
    )
    m.Ep = pyo.Var(
        m.K,
        domain=pyo.NonNegativeReals,
        bounds=lambda _m, k: (0.0, pyomo_bound(data.ask_depth[k]) if ask_ok(k) else 0.0),
        doc="E⁺: energy bought at the best ask, kWh (0 when no ask)",
    )
    m.Em = pyo.Var(
        m.K,
        domain=pyo.NonNegativeReals,
        bounds=lambda _m, k: (0.0, pyomo_bound(data.bid_depth[k]) if bid_ok(k) else 0.0),
        doc="E⁻: energy sold at the best bid, kWh (0 when no bid)",
    )
    m.H = pyo.Var(m.K, domain=pyo.NonNegativeReals, doc="surplus reservation, kWh")
    m.S = pyo.Var(m.K, domain=pyo.NonNegativeReals, doc="shortfall, kWh")
    pl = m.plant

    def balance(m_: Any, k: int) -> Any:
        """Reservation balance ``Y_k + E⁺_k − E⁻_k − u*_k = H_k − S_k`` (dual λ_k).

        Written with ``Y_k`` alone on the right-hand side, so the dual is
        ∂objective/∂Y_k.
        """
        return m_.H[k] - m_.S[k] - m_.Ep[k] + m_.Em[k] + pl.u[k, 0] == float(data.position[k])

    m.balance = pyo.Constraint(m.K, rule=balance, doc=balance.__doc__)

    tpos = {j: t for t, j in enumerate(plant.tracked_outputs)}

    def terminal(m_: Any, j: int) -> Any:
        """Terminal condition REQUEST: ``|v_κ − X_κ| ≤ tolerance`` for tracked outputs."""
        x = float(data.request[K - 1, tpos[j]])
        if weights.terminal is not TerminalCondition.REQUEST or math.isnan(x):
            return pyo.Constraint.Skip
        tol = weights.terminal_tolerance
        return pyo.inequality(x - tol, pl.v[K - 1, j], x + tol)

    m.terminal = pyo.Constraint(pl.T, rule=terminal, doc=terminal.__doc__)

    def objective(m_: Any) -> Any:
        """Maximise minus risk, tracking and input costs plus market cash and imbalance."""
        surplus = sum((Q[k] - float(data.long_price[k])) * m_.H[k] for k in m_.K)
        tracking = sum(O_w[k] * (pl.Gp[k, j] + pl.Gm[k, j]) for k in m_.K for j in pl.T)
        inputs = sum(
            R[k] * cost[i] * pl.u[k, i] for k in m_.K for i in plant.costly_inputs if cost[i]
        )
        cash = l_ * sum(
            (float(data.bid[k]) * m_.Em[k] if bid_ok(k) else 0.0)
            - (float(data.ask[k]) * m_.Ep[k] if ask_ok(k) else 0.0)
            for k in m_.K
        )
        short = sum(float(data.short_price[k]) * m_.S[k] for k in m_.K)
        stored = data.stored_value * sum(
            float(plant.stored_energy[s]) * pl.w[K, s]
            for s in pl.S
            if plant.stored_energy[s] != 0.0
        )
        return -surplus - tracking - inputs + cash - short + stored

    m.objective = pyo.Objective(rule=objective, sense=pyo.maximize, doc=objective.__doc__)
    m.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    return m


def solve_pyomo(plant: Plant, weights: Weights, data: RhpoData) -> RhpoResult:
    """Build the pyomo model and solve it with HiGHS through pyomo.

    Uses pyomo's ``highs`` solver (``pyomo.contrib.solver``, legacy interface), a
    fresh model and solver object per call (the reference; pyomo's persistent
    HiGHS interfaces slow down over thousands of re-solves).
    """
    import pyomo.environ as pyo

    m = build_pyomo_model(plant, weights, data)
    opt = pyo.SolverFactory("highs")
    try:
        res = opt.solve(m, load_solutions=False, raise_exception_on_nonoptimal_result=False)
    except Exception:  # the reference never raises on solver trouble
        return RhpoResult.failed(plant, data.kappa, LpStatus.ERROR, "pyomo")
    status = status_of_pyomo(res.solver.termination_condition)
    if status is not LpStatus.OPTIMAL:
        return RhpoResult.failed(plant, data.kappa, status, "pyomo")
    m.solutions.load_from(res)
    K = data.kappa
    ks = range(K)
    pl = m.plant

    def vec(var: Any) -> FloatArray:
        return np.array([pyo.value(var[k]) for k in ks], dtype=np.float64)

    u = np.empty((K, plant.n_inputs))
    dec, exo = list(plant.decision_inputs), list(plant.exogenous_inputs)
    u[:, dec] = np.array([[pyo.value(pl.u[k, i]) for i in dec] for k in ks], dtype=np.float64)
    if exo:
        u[:, exo] = data.exogenous
    v = np.array([[pyo.value(pl.v[k, j]) for j in pl.P] for k in ks], dtype=np.float64)
    w = np.array([[pyo.value(pl.w[k, s]) for s in pl.S] for k in pl.JW], dtype=np.float64)
    lam = np.array([m.dual[m.balance[k]] for k in ks], dtype=np.float64)
    return RhpoResult(
        status=LpStatus.OPTIMAL,
        objective=float(pyo.value(m.objective)),
        buy=vec(m.Ep),
        sell=vec(m.Em),
        surplus=vec(m.H),
        shortfall=vec(m.S),
        u=u,
        v=v,
        w=w,
        dual_balance=lam,
        backend="pyomo",
    )


# --- public entry points -------------------------------------------------------------


def solve_rhpo(
    plant: Plant,
    weights: Weights,
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
    backend: Backend | str = Backend.HIGHS,
) -> RhpoResult:
    """Solve one RHPO LP; κ is ``len(position)``.

    For repeated solves of the same plant and κ use
    :class:`rex_cli.control.highs.RhpoSolver` (built once, warm-started).

    Args:
        plant: The controllable plant (input 0 = market input ``u*``, kWh).
        weights: Objective weights and terminal condition.
        bid: Best bid per unit ``B_k``, currency/kWh; ``NaN``/``None`` = no bid
            (selling forbidden). A scalar (or None) broadcasts to every unit.
        ask: Best ask per unit ``A_k``, currency/kWh; ``NaN``/``None`` = no ask
            (buying forbidden).
        position: Current reservation ``Y_k``, kWh (+ bought, − sold), shape (κ,).
        request: Request ``X_k`` per tracked output, shape (κ, n_tracked) or (κ,)
            for one tracked output; ``NaN`` = no request; None if untracked.
        w0: State at the start of the first open unit, shape (n,).
        u_prev: Inputs of the previous unit for the first ramp row, shape (m,);
            None or ``NaN`` = no first ramp row.
        exogenous: Exogenous inputs per unit in input order, shape
            (κ, n_exogenous).
        short_price: Expected shortfall price ``π_k``, currency/kWh (scalar or
            (κ,)).
        long_price: Expected price paid for surplus ``ρ_k``, currency/kWh
            (default 0).
        bid_depth: Cap on ``E⁻_k``, kWh (quantity at the best bid); None = none.
        ask_depth: Cap on ``E⁺_k``, kWh (quantity at the best ask); None = none.
        stored_value: Value ``σ`` of the energy the plant holds after the last open
            unit, currency/kWh (default 0: stored energy is worth nothing after κ).
        backend: ``"highs"`` (default) or ``"pyomo"``.

    Returns:
        The result; ``dual_balance`` is ``λ_k = ∂objective/∂Y_k``. Non-optimal
        solves return a non-``OPTIMAL`` status and ``NaN`` arrays.

    Raises:
        ValueError: On malformed data (shapes, infinities), never on
            infeasibility.
    """
    kappa = int(np.asarray(position).reshape(-1).shape[0])
    if kappa < 1:
        raise ValueError("position must have at least one unit")
    data = prepare_data(
        plant,
        kappa,
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
    be = Backend(backend)
    if be is Backend.PYOMO:
        return solve_pyomo(plant, weights, data)
    return RhpoSolver(plant, weights, kappa).solve_data(data)


def solve_rhpo_uc(
    weights: Weights,
    *,
    bid: PriceLike,
    ask: PriceLike,
    position: ArrayLike,
    forecast: ArrayLike,
    short_price: ArrayLike | float,
    long_price: ArrayLike | float | None = None,
    bid_depth: PriceLike = None,
    ask_depth: PriceLike = None,
    unit_minutes: float = 15.0,
    backend: Backend | str = Backend.HIGHS,
) -> RhpoResult:
    """RHPO-UC: the LP for an uncontrollable client (no plant; plan = forecast).

    The market input is pinned to the forecast net demand ``x_k`` (kWh,
    consumption positive) through the degenerate plant
    :func:`rex_cli.plants.builders.uncontrollable`. ``λ_k`` then comes from the
    imbalance prices: ``π_k`` when the unit is short, ``ρ_k − Q_k`` when long,
    the ask/bid when trading at the margin.
    """
    from rex_cli.plants.builders import uncontrollable

    plant = uncontrollable(unit_minutes=unit_minutes)
    fc = np.asarray(forecast, dtype=np.float64).reshape(-1, 1)
    return solve_rhpo(
        plant,
        weights,
        bid=bid,
        ask=ask,
        position=position,
        request=None,
        w0=[0.0],
        exogenous=fc,
        short_price=short_price,
        long_price=long_price,
        bid_depth=bid_depth,
        ask_depth=ask_depth,
        backend=backend,
    )
