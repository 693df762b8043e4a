"""The no-market baseline: passive clients, plants under simple rule control.

Scored by the one welfare account (:mod:`rex_cli.welfare.accounting`) on the same
realisations as the market run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from rex_cli.plants.home import HomePlant
from rex_cli.plants.statespace import OutputRole, Plant
from rex_cli.welfare.accounting import (
    FloatArray,
    Outcome,
    PlantSpec,
    WelfareBreakdown,
    WelfareCosts,
    rows_of,
    system_balance,
    unit_hours_of,
    welfare_of,
)

__all__ = ["NoMarketResult", "no_market_baseline"]


@dataclass(frozen=True, kw_only=True, eq=False)
class NoMarketResult:
    """The no-market baseline: passive clients, rule-controlled plants.

    Attributes:
        welfare: The welfare breakdown (units from ``first_unit`` on).
        outcome: The physical outcome (plant inputs/outputs, curtailment).
        states: Per plant, states (N + 1, n); ``states[p][0] = w_init``.
        backup_kwh: Backup energy per unit, kWh, (N,).
        spilled_kwh: Spilled energy per unit (system surplus + curtailed), kWh.
        unserved_kwh: Unserved energy per unit, kWh.
        operator_energy_kwh: Energy the operator delivers (= total backup), kWh.
        tariff: The flat tariff, currency/kWh.
        tariff_cash: ``tariff × operator_energy_kwh``, currency: a cash transfer
            from consumers to the operator, not part of welfare.
    """

    welfare: WelfareBreakdown
    outcome: Outcome
    states: tuple[FloatArray, ...]
    backup_kwh: FloatArray
    spilled_kwh: FloatArray
    unserved_kwh: FloatArray
    operator_energy_kwh: float
    tariff: float
    tariff_cash: float

    @property
    def inputs(self) -> tuple[FloatArray, ...]:
        """Per plant, full inputs (N, m)."""
        return self.outcome.inputs

    @property
    def outputs(self) -> tuple[FloatArray, ...]:
        """Per plant, outputs (N, p)."""
        return self.outcome.outputs


def _rule_step(plant: Plant, w: FloatArray, exo: FloatArray, request: FloatArray) -> FloatArray:
    """Full inputs of one unit under the rule control (see :func:`no_market_baseline`)."""
    ss = plant.model
    u = np.zeros(plant.n_inputs)
    ex = list(plant.exogenous_inputs)
    u[ex] = exo
    for i in plant.costly_inputs:  # idle: the lowest admissible level (0 unless forced)
        u[i] = max(float(plant.u_min[i]), 0.0)
    lo, hi = float(plant.u_min[0]), float(plant.u_max[0])
    tracked = [t for t in plant.tracked_outputs if ss.D[t, 0] != 0.0]
    if tracked:
        # Thermostat: the market input that puts the first tracked output on its
        # request (the lower bound when there is none): v = C w + D u is affine in u*.
        t = tracked[0]
        target = request[plant.tracked_outputs.index(t)]
        if math.isnan(target):
            target = float(plant.v_min[t]) if math.isfinite(plant.v_min[t]) else 0.0
        u[0] = 0.0
        free = float(ss.C[t] @ w + ss.D[t] @ u)
        u[0] = (target - free) / ss.D[t, 0]
    else:
        # Passive: u* closes the first balance output that depends on it
        # (battery u* = c − d = 0, turbine u* = −g); else no market energy.
        bal = [
            j
            for j, r in enumerate(plant.output_roles)
            if r is OutputRole.BALANCE and ss.D[j, 0] != 0.0
        ]
        u[0] = 0.0
        if bal:
            j = bal[0]
            u[0] = -float(ss.C[j] @ w + ss.D[j] @ u) / ss.D[j, 0]
    u[0] = min(max(u[0], lo), hi)
    return u


def _ev_rule(plant: Plant, w: FloatArray, exo: FloatArray) -> FloatArray:
    """An EV under the rule: charge at full power whenever parked, until full.

    Energy the battery lacks at a departure is unmet (bought elsewhere).
    """
    eta = float(plant.model.B[0, 0])
    trip, chargeable = float(exo[0]), float(exo[1])
    room = max((float(plant.v_max[0]) - float(w[0])) / eta, 0.0)
    g = min(chargeable, room, float(plant.u_max[0]))
    unmet = max(float(plant.v_min[0]) - (float(w[0]) + eta * g - trip), 0.0)
    return np.array([g, trip, chargeable, min(unmet, trip)])


def _home_rule_step(
    plant: HomePlant, w: FloatArray, exo: FloatArray, request: FloatArray
) -> FloatArray:
    """Full inputs of a home for one unit: every client under its own rule."""
    u = np.zeros(plant.n_inputs)
    u[list(plant.exogenous_inputs)] = exo
    total = 0.0
    for b in plant.clients:
        p = b.plant
        w_c = w[list(b.states)]
        exo_c = exo[list(b.exogenous)]
        if p.name == "electric_vehicle":
            u_c = _ev_rule(p, w_c, exo_c)
        else:
            u_c = _rule_step(p, w_c, exo_c, request[list(b.tracked)])
        g = float(u_c[0])
        u[b.grid_plus] = max(g, 0.0)
        if b.grid_minus >= 0:
            u[b.grid_minus] = max(-g, 0.0)
        u[list(b.inputs)] = u_c[1:]
        total += g
    u[0] = float(exo[0]) + total
    return u


def no_market_baseline(
    net_uncontrollable_kwh: ArrayLike,
    plants: Sequence[PlantSpec],
    costs: WelfareCosts,
    n_units: int | None = None,
    *,
    tariff: float | None = None,
    producers_spill: bool = True,
    dt_h: float | None = None,
    first_unit: int = 0,
) -> NoMarketResult:
    """Everyone passive; plants under simple rule control; score the outcome.

    Rules, per unit ``j`` from the plant's state ``w_j`` (simulated with its
    state-space model from ``w_init``, exogenous inputs from the data):

    * **buildings** (plants with a tracked output depending on ``u*``): a
      thermostat. The market input puts the tracked output (the indoor
      temperature at the end of the unit) on the setpoint: with
      ``v = C w + D u`` affine in ``u*``, ``u* = (X_j − C w_j − D u_0) / D[t, 0]``
      where ``u_0`` is the input with ``u* = 0`` (exogenous data, costly inputs
      idle); then clipped to ``[u_min, u_max]`` (``[0, p_max·dt]``). Without a
      request the thermostat holds the lower comfort bound.
    * **other plants**: costly inputs idle at ``max(u_min, 0)`` (battery
      ``c = d = 0``; turbine at its minimum generation, off when the minimum is
      0); the market input closes the plant's balance output (battery
      ``u* = c − d = 0``; turbine ``u* = −g``).
    * **homes** (:class:`~rex_cli.plants.home.HomePlant`): every client under its
      own rule (the heat pump's thermostat, the battery idle); the EV charges at full
      power whenever parked until full, and what it lacks at a departure is unmet;
      the home draws its net load plus its clients' grid energy, and what it exports
      (its PV) is not curtailed: like wind, it offsets backup.
    * **uncontrollable clients**: their realised net energy; backup covers the
      net need at a flat ``tariff`` (a transfer, reported as cash only).

    With ``producers_spill`` (default) nobody buys plants' production: whatever a
    plant delivers (``u* < 0``, e.g. the turbine at a non-zero minimum) is
    curtailed and does not offset backup; the turbine still pays its fuel.

    Args:
        net_uncontrollable_kwh: Uncontrollable net energy per unit, kWh (≥ N
            entries; the first N are used).
        plants: ``(Plant, PlantData)`` per plant.
        costs: Resource prices.
        n_units: Number of delivered units N (default ``len(net)``).
        tariff: Flat tariff, currency/kWh (default ``costs.backup_cost``).
        producers_spill: Whether energy delivered by plants is curtailed.
        dt_h: Unit length, hours (default the plants' ``dt``).
        first_unit: First unit scored by the welfare (the warm-up cut).

    Returns:
        The baseline's outcome, trajectories and welfare.
    """
    net_all = np.asarray(net_uncontrollable_kwh, dtype=np.float64).reshape(-1)
    N = net_all.shape[0] if n_units is None else int(n_units)
    if N < 1 or net_all.shape[0] < N:
        raise ValueError(
            f"n_units must be in 1..{net_all.shape[0]} (entries of the net energy), got {N}"
        )
    net = net_all[:N]
    dt = unit_hours_of(plants, dt_h)
    tar = costs.backup_cost if tariff is None else float(tariff)
    if not math.isfinite(tar):
        raise ValueError(f"tariff must be finite, got {tariff!r}")
    ins, outs, states = [], [], []
    curtailed = np.zeros(N)
    for plant, data in plants:
        ss = plant.model
        exo = rows_of(data.exogenous, N, len(plant.exogenous_inputs), "exogenous")
        req = rows_of(data.request, N, len(plant.tracked_outputs), "request")
        W = np.empty((N + 1, plant.n_states))
        W[0] = np.asarray(data.w_init, dtype=np.float64).reshape(plant.n_states)
        U = np.empty((N, plant.n_inputs))
        home = isinstance(plant, HomePlant)
        for j in range(N):
            if isinstance(plant, HomePlant):
                U[j] = _home_rule_step(plant, W[j], exo[j], req[j])
            else:
                U[j] = _rule_step(plant, W[j], exo[j], req[j])
            W[j + 1] = ss.A @ W[j] + ss.B @ U[j]
        V = W[:N] @ ss.C.T + U @ ss.D.T
        if producers_spill and not home:
            curtailed += np.maximum(-U[:, 0], 0.0)
        ins.append(U)
        outs.append(V)
        states.append(W)
    outcome = Outcome(
        net_uncontrollable_kwh=net,
        inputs=tuple(ins),
        outputs=tuple(outs),
        curtailed_kwh=curtailed,
    )
    welfare = welfare_of(outcome, plants, costs, dt_h=dt, first_unit=first_unit)
    backup, unserved, spilled = system_balance(outcome.net_kwh, costs, dt)
    energy = float(backup.sum())
    return NoMarketResult(
        welfare=welfare,
        outcome=outcome,
        states=tuple(states),
        backup_kwh=backup,
        spilled_kwh=spilled + curtailed,
        unserved_kwh=unserved,
        operator_energy_kwh=energy,
        tariff=tar,
        tariff_cash=tar * energy,
    )
