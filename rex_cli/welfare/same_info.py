"""The same-information planner: what a central planner with the agents' forecasts reaches.

For each delivered unit ``j = 0..N−1`` in turn, at the decision time
``t_j = jε − L`` (``L`` the lead, ``baselines.same_info_lead_minutes``), the
planner LP of :mod:`rex_cli.welfare.planner` is solved over the window of the
units open at ``t_j`` from ``j`` on (``j .. j+K−1`` with ``K = min(κ,
⌊κ − L/ε⌋ + 1)``, cut at ``N − 1``), with

* the uncontrollable net energy of each window unit taken from the forecasts in
  force at ``t_j`` (the last forecast adjustment at or before ``t_j``, summed over
  households and wind farms), the information the agents traded on;
* every plant starting from its true state at the start of unit ``j`` (the
  result of the inputs committed so far) and the inputs of unit ``j − 1`` carried
  into the first ramp rows;
* the plants' exogenous inputs and requests (deterministic profiles, known).

Only unit ``j``'s decision inputs are committed; the plants then advance. The
committed decisions are scored on the **realisations** by the one welfare account
(:func:`rex_cli.welfare.accounting.welfare_of`). Each window maximises that welfare
function over its units: the change of stored energy over the window is valued at
the stored-energy price, as the account values it over the run (the price is the
value of energy kept for later, so a window does not empty the batteries at its
end).

The outcome respects every plant constraint (dynamics from the true initial
state, bounds, ramps between consecutive committed units), so its welfare is at
most the perfect-foresight planner's. With perfect forecasts every window sees the
realisations, and the rolling plan reaches the perfect planner's welfare when the
window sees far enough ahead (in the default scenario it does; a 2-hour window may
miss a surplus that refills the batteries later). The gap ``planner − same-info``
is the information loss; ``same-info − Rex`` is what strategy and market rules
cost.

One :class:`~rex_cli.welfare.planner.PlannerLP` is built for the full window and
re-solved with new data from its previous basis for every unit (the last ``K − 1``
windows, cut at the end of the delivery period, on the same model with the units
beyond the end freed and costless).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from rex_cli.control.lp.status import LpStatus
from rex_cli.plants.statespace import Plant
from rex_cli.stochastic.forecast import ForecastPaths
from rex_cli.welfare.accounting import (
    FloatArray,
    Outcome,
    PlantDataLike,
    PlantSpec,
    WelfareBreakdown,
    WelfareCosts,
    rows_of,
    simulate_outcome,
    unit_hours_of,
    welfare_of,
)
from rex_cli.welfare.planner import PlannerLP

__all__ = ["SameInfoResult", "forecasts_in_force", "same_info_planner", "window_units"]


def window_units(horizon_units: int, unit_minutes: float, lead_minutes: float) -> int:
    """Units in the same-information planner's window: those open at ``jε − L`` from ``j`` on.

    Unit ``k`` is open at time ``t`` when ``(k − κ)ε ≤ t < kε``; at ``t = jε − L``
    the units ``j .. ⌊j + κ − L/ε⌋`` are open, at most κ of them.

    Raises:
        ValueError: If ``L`` is negative or longer than κε (unit ``j`` not open yet).
    """
    if not (math.isfinite(lead_minutes) and 0.0 <= lead_minutes <= horizon_units * unit_minutes):
        raise ValueError(
            f"lead_minutes must be in [0, {horizon_units * unit_minutes:g}] (κε), "
            f"got {lead_minutes!r}"
        )
    return min(horizon_units, math.floor(horizon_units - lead_minutes / unit_minutes + 1e-9) + 1)


def forecasts_in_force(
    paths: ForecastPaths,
    *,
    lot_kwh: float,
    lead_minutes: float,
    n_units: int,
    window: int,
) -> FloatArray:
    """Σ of the clients' forecasts per window unit, in force at each decision time.

    Row ``j`` holds, for the units ``j .. j+window−1``, the sum over clients of the
    last forecast at or before ``jε − L`` (lots × ``lot_kwh``; NaN beyond the
    last unit). One pass over the time-sorted forecast rows.

    Returns:
        Shape ``(n_units, window)``, kWh.
    """
    eps = paths.unit_minutes
    N = n_units
    current = np.full(paths.n_clients * paths.n_units, np.nan)
    out = np.full((N, window), np.nan)
    times = paths.time_min
    path = paths.path_index
    values = paths.forecast_lots
    k = 0
    for j in range(N):
        t = j * eps - lead_minutes
        hi = int(np.searchsorted(times, t, side="right"))
        if hi > k:
            # Rows are time-sorted: the last row of a path in the slice wins.
            rev = path[k:hi][::-1]
            uniq, first = np.unique(rev, return_index=True)
            current[uniq] = values[k:hi][::-1][first]
            k = hi
        units = np.arange(j, min(j + window, N)) - paths.first_unit
        lots = current.reshape(paths.n_clients, paths.n_units)[:, units]
        if np.any(np.isnan(lots)):
            raise ValueError(f"no forecast in force at {t:g} min for a unit of window {j}")
        out[j, : len(units)] = lots.sum(axis=0) * lot_kwh
    return out


@dataclass(frozen=True, kw_only=True, eq=False)
class SameInfoResult:
    """The same-information planner's committed outcome and its welfare.

    Attributes:
        status: ``OPTIMAL`` when every window solved; else the first failure's status
            (numbers NaN, ``outcome`` None).
        welfare: Welfare of the committed decisions on the realisations.
        outcome: The physical outcome (None unless optimal).
        decisions: Per plant, committed decision inputs (N, n_decision).
        failed_unit: The unit whose window failed, or None.
        window: Units per window ``K``.
        n_solves: LP solves.
        iterations: Simplex iterations over all solves.
        seconds: Wall time, s.
    """

    status: LpStatus
    welfare: WelfareBreakdown
    outcome: Outcome | None
    decisions: tuple[FloatArray, ...]
    failed_unit: int | None
    window: int
    n_solves: int
    iterations: int
    seconds: float

    @property
    def ok(self) -> bool:
        """Whether every window solved."""
        return self.status is LpStatus.OPTIMAL


def same_info_planner(
    forecast_net_kwh: ArrayLike,
    realised_net_kwh: ArrayLike,
    plants: Sequence[PlantSpec],
    costs: WelfareCosts,
    *,
    dt_h: float | None = None,
    first_unit: int = 0,
) -> SameInfoResult:
    """Roll the planner LP over the delivered units on the forecasts in force.

    Args:
        forecast_net_kwh: Row ``j``: the uncontrollable net energy of the units
            ``j .. j+K−1`` as forecast at unit ``j``'s decision time, kWh, shape
            ``(N, K)`` (entries beyond unit ``N − 1`` are ignored); e.g. from
            :func:`forecasts_in_force`.
        realised_net_kwh: The realised uncontrollable net energy per unit, kWh,
            (N,): what the committed decisions are scored on.
        plants: ``(Plant, PlantData)`` per plant; identical objects repeated (as
            ``scenario.build.build_plants`` makes them) are planned as one plant of
            that multiplicity (exact, see ``solve_planner``). Data rows ``j .. j+K−1``
            of ``exogenous`` and ``request`` are used (≥ N rows).
        costs: Resource prices.
        dt_h: Unit length, hours (default the plants' ``dt``).
        first_unit: First unit scored (the warm-up cut).

    Returns:
        The result.
    """
    t0 = time.perf_counter()
    fc = np.asarray(forecast_net_kwh, dtype=np.float64)
    real = np.asarray(realised_net_kwh, dtype=np.float64).reshape(-1)
    N = real.shape[0]
    if fc.ndim != 2 or fc.shape[0] != N or fc.shape[1] < 1:
        raise ValueError(f"forecast_net_kwh must have shape ({N}, K), got {fc.shape}")
    K = fc.shape[1]
    dt = unit_hours_of(plants, dt_h)
    # Aggregate identical plants (same Plant and data objects).
    lp_plants: list[Plant] = []
    lp_data: list[PlantDataLike] = []
    mult: list[int] = []
    index: list[int] = []
    seen: dict[tuple[int, int], int] = {}
    for plant, data in plants:
        key = (id(plant), id(data))
        if key not in seen:
            seen[key] = len(lp_plants)
            lp_plants.append(plant)
            lp_data.append(data)
            mult.append(0)
        mult[seen[key]] += 1
        index.append(seen[key])
    for pl, d in zip(lp_plants, lp_data, strict=True):  # validate: >= N rows each
        rows_of(d.exogenous, N, len(pl.exogenous_inputs), "exogenous")
        rows_of(d.request, N, len(pl.tracked_outputs), "request")
    exo = [np.asarray(d.exogenous, dtype=np.float64) for d in lp_data]
    req = [np.asarray(d.request, dtype=np.float64) for d in lp_data]
    w = [np.asarray(d.w_init, dtype=np.float64).copy() for d in lp_data]
    u_prev: list[FloatArray | None] = [None] * len(lp_plants)
    decisions = [np.zeros((N, len(p.decision_inputs))) for p in lp_plants]
    lp = PlannerLP(lp_plants, mult, min(K, N), costs, dt)
    n_solves = iterations = 0
    for j in range(N):
        Kj = min(K, N - j)
        sol = lp.solve(
            net=fc[j, :Kj],
            w0=w,
            exogenous=[x[j : j + Kj] for x in exo],
            request=[r[j : j + Kj] for r in req],
            u_prev=u_prev,
            n_units=Kj,
        )
        n_solves += 1
        iterations += sol.iterations
        if not sol.ok:
            return SameInfoResult(
                status=sol.status,
                welfare=WelfareBreakdown.nan(),
                outcome=None,
                decisions=(),
                failed_unit=j,
                window=K,
                n_solves=n_solves,
                iterations=iterations,
                seconds=time.perf_counter() - t0,
            )
        for p, plant in enumerate(lp_plants):
            dec = sol.decisions[p][0]
            u = plant.full_inputs(dec.reshape(1, -1), exo[p][j : j + 1] if exo[p].size else None)[0]
            w[p] = plant.model.A @ w[p] + plant.model.B @ u
            u_prev[p] = u
            decisions[p][j] = dec
    committed = tuple(decisions[q].copy() for q in index)
    outcome, _ = simulate_outcome(real, plants, committed)
    welfare = welfare_of(outcome, plants, costs, dt_h=dt, first_unit=first_unit)
    return SameInfoResult(
        status=LpStatus.OPTIMAL,
        welfare=welfare,
        outcome=outcome,
        decisions=committed,
        failed_unit=None,
        window=K,
        n_solves=n_solves,
        iterations=iterations,
        seconds=time.perf_counter() - t0,
    )
