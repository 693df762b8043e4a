"""Welfare scoring and the no-market baseline (docs/model.md: welfare and baselines).

**Welfare** is minus the real resource costs over the delivered units
``j = 0..N−1``; trades and imbalance payments are transfers between participants
and the operator and cancel out. The terms, all in currency and reported as
non-negative costs:

* **backup**: the system's net energy need per unit::

      net_j = Σ_uncontrollable x_aj + Σ_plants u*_pj + curtailed_j     (kWh)

  (consumption positive, production negative: ``x`` is the households'
  consumption minus the wind production; ``u*`` is each plant's market input,
  the energy it takes from the grid, negative when it delivers). When positive it
  is covered by backup up to ``backup_capacity_kw · dt`` at ``backup_cost``
  currency/kWh; the rest is **unserved** at ``value_of_lost_load``. When
  negative the surplus is **spilled** at no cost. ``curtailed_j`` is energy
  produced by plants but not taken by the system (spilled at the plant, e.g. a
  turbine at its minimum without a buyer in the no-market baseline); it is
  counted in the spilled energy.
* **fuel**: Σ ``input_cost × u#`` over the costly inputs of every plant that is
  not a battery (the gas turbine's generation × marginal cost);
* **degradation**: the same sum over batteries (charge + discharge × degradation
  cost). A plant counts as a battery when ``"battery"`` is in its ``name`` (the
  shipped builder's name);
* **comfort**: ``comfort_cost × |v_jt − X_jt|`` summed over plants, tracked
  outputs ``t`` and units with a request (``X`` not NaN), currency per output
  unit (°C for buildings) per unit.

:func:`welfare_of` scores any physical :class:`Outcome` (a baseline's, the
planner's or a market run's realised plant inputs and outputs);
:func:`no_market_baseline` builds the passive outcome and scores it;
:func:`feasibility_violation` tells whether an outcome respects the plants'
dynamics, bounds and ramps (the perfect-foresight planner is an upper bound on
the welfare of every outcome for which it is 0).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rex_cli.plants.statespace import OutputRole, Plant

if TYPE_CHECKING:
    from rex_cli.config.schema import RexConfig

__all__ = [
    "NoMarketResult",
    "Outcome",
    "PlantDataLike",
    "WelfareBreakdown",
    "WelfareCosts",
    "feasibility_violation",
    "is_battery",
    "no_market_baseline",
    "plant_welfare_inputs",
    "simulate_outcome",
    "system_balance",
    "uncontrollable_net_kwh",
    "welfare_of",
]

FloatArray = NDArray[np.float64]


class PlantDataLike(Protocol):
    """Per-unit data of a plant (structurally ``rex_cli.agents.rhpo.PlantData``).

    Only rows ``0..N−1`` are used (delivery units).
    """

    @property
    def exogenous(self) -> np.ndarray:
        """Exogenous inputs in input order, shape (≥ N, n_exogenous)."""
        ...

    @property
    def request(self) -> np.ndarray:
        """Request per tracked output (NaN = none), shape (≥ N, n_tracked)."""
        ...

    @property
    def w_init(self) -> np.ndarray:
        """State at the start of unit 0, shape (n,)."""
        ...


PlantSpec = tuple[Plant, PlantDataLike]


# --- costs ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class WelfareCosts:
    """Prices of the real resources welfare is scored on.

    Attributes:
        backup_cost: Cost of backup energy covering the net need, currency/kWh
            (>= 0; ``imbalance.backup_cost`` of the config).
        comfort_cost: Cost of a tracked output's deviation from its request,
            currency per output unit per unit (currency per °C per 15-minute unit
            for buildings), >= 0.
        value_of_lost_load: Cost of unserved energy, currency/kWh; must be >=
            ``backup_cost`` (otherwise shedding load would be cheaper than
            backup and the split backup/unserved would be ambiguous).
        backup_capacity_kw: Power limit of the backup source, kW (> 0; ``inf``,
            the default, means backup is unlimited and nothing is unserved).

    Raises:
        ValueError: On a negative, NaN or inconsistent value; the message starts
            with the field name.
    """

    backup_cost: float
    comfort_cost: float
    value_of_lost_load: float = 10.0
    backup_capacity_kw: float = math.inf

    def __post_init__(self) -> None:
        for name in ("backup_cost", "comfort_cost", "value_of_lost_load"):
            value = float(getattr(self, name))
            if not (math.isfinite(value) and value >= 0.0):
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
        if self.value_of_lost_load < self.backup_cost:
            raise ValueError(
                f"value_of_lost_load must be >= backup_cost ({self.backup_cost}), "
                f"got {self.value_of_lost_load!r}"
            )
        cap = float(self.backup_capacity_kw)
        if math.isnan(cap) or cap <= 0.0:
            raise ValueError(f"backup_capacity_kw must be > 0 (inf = unlimited), got {cap!r}")


@dataclass(frozen=True, kw_only=True)
class WelfareBreakdown:
    """Welfare of one outcome over the delivered units, with its terms.

    Costs are non-negative amounts of currency; ``total = −(sum of the costs)``
    (higher is better). Energies are kWh summed over units.

    Attributes:
        backup_cost: Backup energy × backup cost.
        fuel_cost: Costly inputs of non-battery plants × their input cost.
        degradation_cost: Battery charge and discharge × degradation cost.
        comfort_cost: Σ comfort cost × |tracked output − request|.
        unserved_cost: Unserved energy × value of lost load.
        total: Welfare, ``−(backup + fuel + degradation + comfort + unserved)``.
        backup_kwh: Energy supplied by backup.
        spilled_kwh: Surplus energy spilled (system surplus + curtailed at
            plants).
        unserved_kwh: Net need beyond the backup capacity.
    """

    backup_cost: float
    fuel_cost: float
    degradation_cost: float
    comfort_cost: float
    unserved_cost: float
    total: float
    backup_kwh: float
    spilled_kwh: float
    unserved_kwh: float

    @classmethod
    def nan(cls) -> WelfareBreakdown:
        """A breakdown with every field NaN (for a failed solve)."""
        return cls(**{k: math.nan for k in cls.__dataclass_fields__})

    def as_dict(self) -> dict[str, float]:
        """The fields as a plain ``{name: value}`` dictionary (for JSON)."""
        return {k: float(v) for k, v in asdict(self).items()}


# --- outcomes ------------------------------------------------------------------------


def _zeros0() -> FloatArray:
    return np.zeros(0)


@dataclass(frozen=True, kw_only=True, eq=False)
class Outcome:
    """A physical outcome over ``N`` delivered units.

    Attributes:
        net_uncontrollable_kwh: Σ of the uncontrollable clients' net energy per
            unit (households' consumption minus wind production), kWh, (N,).
        inputs: Per plant, the full input matrix (exogenous columns = data),
            shape (N, m); column 0 is the market input ``u*``, kWh (negative =
            delivered to the grid).
        outputs: Per plant, the outputs ``v_j = C w_j + D u_j``, shape (N, p).
        curtailed_kwh: Energy delivered by plants but not taken by the system,
            kWh >= 0, (N,); empty = zeros.
    """

    net_uncontrollable_kwh: FloatArray
    inputs: tuple[FloatArray, ...]
    outputs: tuple[FloatArray, ...]
    curtailed_kwh: FloatArray = field(default_factory=_zeros0)

    def __post_init__(self) -> None:
        net = np.asarray(self.net_uncontrollable_kwh, dtype=np.float64).reshape(-1)
        if not np.all(np.isfinite(net)):
            raise ValueError("net_uncontrollable_kwh must be finite")
        N = net.shape[0]
        object.__setattr__(self, "net_uncontrollable_kwh", net)
        if len(self.inputs) != len(self.outputs):
            raise ValueError(
                f"inputs has {len(self.inputs)} plants but outputs has {len(self.outputs)}"
            )
        ins = tuple(np.asarray(u, dtype=np.float64) for u in self.inputs)
        outs = tuple(np.asarray(v, dtype=np.float64) for v in self.outputs)
        for name, arrs in (("inputs", ins), ("outputs", outs)):
            for i, a in enumerate(arrs):
                if a.ndim != 2 or a.shape[0] != N:
                    raise ValueError(f"{name}[{i}] must have shape ({N}, ·), got {a.shape}")
        object.__setattr__(self, "inputs", ins)
        object.__setattr__(self, "outputs", outs)
        cur = np.asarray(self.curtailed_kwh, dtype=np.float64).reshape(-1)
        if cur.shape[0] == 0:
            cur = np.zeros(N)
        if cur.shape[0] != N or not np.all(np.isfinite(cur)) or np.any(cur < 0.0):
            raise ValueError(f"curtailed_kwh must be {N} finite values >= 0")
        object.__setattr__(self, "curtailed_kwh", cur)

    @property
    def n_units(self) -> int:
        """Number of delivered units ``N``."""
        return int(self.net_uncontrollable_kwh.shape[0])

    @property
    def net_kwh(self) -> FloatArray:
        """The system's net energy need per unit, kWh (positive = needs backup)."""
        net = self.net_uncontrollable_kwh + self.curtailed_kwh
        for u in self.inputs:
            net = net + u[:, 0]
        return np.asarray(net, dtype=np.float64)


def is_battery(plant: Plant) -> bool:
    """Whether the plant's costly inputs are battery degradation (not fuel)."""
    return "battery" in plant.name


def _unit_hours(plants: Sequence[PlantSpec], dt_h: float | None) -> float:
    """The unit length, hours: ``dt_h`` or the plants' common ``dt``."""
    dts = {float(p.dt) for p, _ in plants}
    if len(dts) > 1:
        raise ValueError(f"plants must share one unit length, got dt = {sorted(dts)} h")
    if dt_h is not None:
        if not (math.isfinite(dt_h) and dt_h > 0):
            raise ValueError(f"dt_h must be a positive number of hours, got {dt_h!r}")
        if dts and not math.isclose(dts.pop(), dt_h, rel_tol=1e-12):
            raise ValueError(f"dt_h = {dt_h} differs from the plants' unit length")
        return float(dt_h)
    if not dts:
        return 0.25  # no plant: only the backup capacity needs it
    return dts.pop()


def system_balance(
    net_kwh: ArrayLike, costs: WelfareCosts, dt_h: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Split the net need per unit into backup, unserved and spilled energy.

    Args:
        net_kwh: Net need per unit, kWh (positive = consumption exceeds supply).
        costs: Welfare costs (the backup capacity).
        dt_h: Unit length, hours.

    Returns:
        ``(backup, unserved, spilled)``, kWh >= 0 per unit, with
        ``backup + unserved − spilled = net``.
    """
    net = np.asarray(net_kwh, dtype=np.float64)
    need = np.maximum(net, 0.0)
    cap = costs.backup_capacity_kw * dt_h
    backup = np.minimum(need, cap)
    return backup, need - backup, np.maximum(-net, 0.0)


def plant_welfare_inputs(
    outcome: Outcome, plants: Sequence[PlantSpec]
) -> tuple[float, float, float]:
    """Fuel, degradation and comfort costs of the plants in an outcome, currency."""
    N = outcome.n_units
    fuel = degradation = comfort = 0.0
    for (plant, data), u, v in zip(plants, outcome.inputs, outcome.outputs, strict=True):
        if u.shape[1] != plant.n_inputs or v.shape[1] != plant.n_outputs:
            raise ValueError(
                f"plant {plant.name!r} has {plant.n_inputs} inputs and {plant.n_outputs} "
                f"outputs, got shapes {u.shape} and {v.shape}"
            )
        costly = list(plant.costly_inputs)
        cost = float(np.sum(u[:, costly] @ plant.input_cost[costly])) if costly else 0.0
        if is_battery(plant):
            degradation += cost
        else:
            fuel += cost
        tracked = list(plant.tracked_outputs)
        if tracked:
            req = _rows(data.request, N, len(tracked), "request")
            dev = np.abs(v[:, tracked] - req)
            comfort += float(np.sum(dev[~np.isnan(req)]))
    return fuel, degradation, comfort


def welfare_of(
    outcome: Outcome,
    plants: Sequence[PlantSpec],
    costs: WelfareCosts,
    *,
    dt_h: float | None = None,
) -> WelfareBreakdown:
    """Score a physical outcome (see the module docstring for the terms).

    Args:
        outcome: Plant inputs and outputs and the uncontrollable net energy over
            ``N`` units.
        plants: ``(Plant, PlantData)`` per plant, in the outcome's order; rows
            ``0..N−1`` of ``request`` are the setpoints.
        costs: Resource prices.
        dt_h: Unit length, hours; default the plants' ``dt`` (0.25 without
            plants). Only the backup capacity uses it.

    Returns:
        The welfare breakdown.

    Raises:
        ValueError: If the outcome does not fit the plants.
    """
    if len(plants) != len(outcome.inputs):
        raise ValueError(
            f"plants has {len(plants)} entries but the outcome has {len(outcome.inputs)}"
        )
    dt = _unit_hours(plants, dt_h)
    fuel, degradation, dev = plant_welfare_inputs(outcome, plants)
    backup, unserved, spilled = system_balance(outcome.net_kwh, costs, dt)
    b_kwh, u_kwh = float(backup.sum()), float(unserved.sum())
    s_kwh = float(spilled.sum() + outcome.curtailed_kwh.sum())
    terms = dict(
        backup_cost=costs.backup_cost * b_kwh,
        fuel_cost=fuel,
        degradation_cost=degradation,
        comfort_cost=costs.comfort_cost * dev,
        unserved_cost=costs.value_of_lost_load * u_kwh,
    )
    return WelfareBreakdown(
        **terms,
        total=-sum(terms.values()),
        backup_kwh=b_kwh,
        spilled_kwh=s_kwh,
        unserved_kwh=u_kwh,
    )


# --- helpers on plant data -------------------------------------------------------------


def _rows(x: ArrayLike, N: int, cols: int, name: str) -> FloatArray:
    """Rows ``0..N−1`` of per-unit data as a float (N, cols) array."""
    a = np.asarray(x, dtype=np.float64)
    if cols == 0:
        return np.zeros((N, 0))
    if a.ndim == 1 and cols == 1:
        a = a.reshape(-1, 1)
    if a.ndim != 2 or a.shape[1] != cols or a.shape[0] < N:
        raise ValueError(f"{name} must have shape (>= {N}, {cols}), got {a.shape}")
    return np.asarray(a[:N], dtype=np.float64)


def simulate_outcome(
    net_uncontrollable_kwh: ArrayLike,
    plants: Sequence[PlantSpec],
    decisions: Sequence[ArrayLike],
    *,
    curtailed_kwh: ArrayLike | None = None,
) -> tuple[Outcome, tuple[FloatArray, ...]]:
    """Simulate every plant from its decision inputs and collect the outcome.

    Args:
        net_uncontrollable_kwh: Uncontrollable net energy per unit, kWh, (N,).
        plants: ``(Plant, PlantData)`` per plant; each starts at ``w_init`` with
            exogenous inputs from rows ``0..N−1`` of its data.
        decisions: Per plant, decision inputs (market first, then costly, in
            input order), shape (N, n_decision).
        curtailed_kwh: Energy delivered by plants but not taken, kWh, (N,).

    Returns:
        ``(outcome, states)``: the outcome and, per plant, the states (N + 1, n).
    """
    net = np.asarray(net_uncontrollable_kwh, dtype=np.float64).reshape(-1)
    N = net.shape[0]
    if len(decisions) != len(plants):
        raise ValueError(f"decisions has {len(decisions)} entries but plants has {len(plants)}")
    ins, outs, states = [], [], []
    for (plant, data), dec in zip(plants, decisions, strict=True):
        exo = _rows(data.exogenous, N, len(plant.exogenous_inputs), "exogenous")
        U = plant.full_inputs(np.asarray(dec, dtype=np.float64).reshape(N, -1), exo)
        W, V = plant.model.simulate(np.asarray(data.w_init, dtype=np.float64), U)
        ins.append(U)
        outs.append(V)
        states.append(W)
    cur = np.zeros(N) if curtailed_kwh is None else curtailed_kwh
    out = Outcome(
        net_uncontrollable_kwh=net,
        inputs=tuple(ins),
        outputs=tuple(outs),
        curtailed_kwh=np.asarray(cur, dtype=np.float64),
    )
    return out, tuple(states)


def feasibility_violation(outcome: Outcome, plants: Sequence[PlantSpec]) -> float:
    """Largest violation of the plants' model in an outcome (0 = feasible).

    Checks, per plant: the outputs equal a re-simulation of the inputs from
    ``w_init`` (dynamics), exogenous inputs equal the data, decision inputs within
    ``[u_min, u_max]``, outputs within ``[v_min, v_max]`` (balance outputs at 0)
    and ramps ``|u_{j+1} − u_j| ≤ u_Δ`` between delivered units (no ramp row
    before unit 0, as in the market run's first plan).

    Returns:
        The largest absolute violation, in the units of the violated quantity.
    """
    N = outcome.n_units
    worst = 0.0
    for (plant, data), u, v in zip(plants, outcome.inputs, outcome.outputs, strict=True):
        _, V = plant.model.simulate(np.asarray(data.w_init, dtype=np.float64), u)
        worst = max(worst, float(np.max(np.abs(V - v), initial=0.0)))
        exo = list(plant.exogenous_inputs)
        if exo:
            x = _rows(data.exogenous, N, len(exo), "exogenous")
            worst = max(worst, float(np.max(np.abs(u[:, exo] - x))))
        dec = list(plant.decision_inputs)
        ud = u[:, dec]
        worst = max(
            worst,
            float(np.max(plant.u_min[dec] - ud, initial=0.0)),
            float(np.max(ud - plant.u_max[dec], initial=0.0)),
            float(np.max(plant.v_min - v, initial=0.0)),
            float(np.max(v - plant.v_max, initial=0.0)),
        )
        if N > 1:
            ramp = np.abs(np.diff(ud, axis=0)) - plant.u_delta[dec]
            worst = max(worst, float(np.max(ramp, initial=0.0)))
    return worst


# --- the no-market baseline -------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, eq=False)
class NoMarketResult:
    """The no-market baseline: passive clients, rule-controlled plants.

    Attributes:
        welfare: The welfare breakdown.
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


def no_market_baseline(
    net_uncontrollable_kwh: ArrayLike,
    plants: Sequence[PlantSpec],
    costs: WelfareCosts,
    n_units: int | None = None,
    *,
    tariff: float | None = None,
    producers_spill: bool = True,
    dt_h: float | None = None,
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
    dt = _unit_hours(plants, dt_h)
    tar = costs.backup_cost if tariff is None else float(tariff)
    if not math.isfinite(tar):
        raise ValueError(f"tariff must be finite, got {tariff!r}")
    ins, outs, states = [], [], []
    curtailed = np.zeros(N)
    for plant, data in plants:
        ss = plant.model
        exo = _rows(data.exogenous, N, len(plant.exogenous_inputs), "exogenous")
        req = _rows(data.request, N, len(plant.tracked_outputs), "request")
        W = np.empty((N + 1, plant.n_states))
        W[0] = np.asarray(data.w_init, dtype=np.float64).reshape(plant.n_states)
        U = np.empty((N, plant.n_inputs))
        for j in range(N):
            U[j] = _rule_step(plant, W[j], exo[j], req[j])
            W[j + 1] = ss.A @ W[j] + ss.B @ U[j]
        V = W[:N] @ ss.C.T + U @ ss.D.T
        if producers_spill:
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
    welfare = welfare_of(outcome, plants, costs, dt_h=dt)
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


# --- scenario glue ---------------------------------------------------------------------


def uncontrollable_net_kwh(cfg: RexConfig) -> FloatArray:
    """The realised uncontrollable net energy per unit of a config's scenario, kWh.

    Households' consumption minus wind production, summed over clients, each
    rounded to the lot grid exactly as ``scenario.build.build_world`` realises
    it (so the baselines see the market run's realisations).

    Returns:
        Shape (N,).
    """
    from rex_cli.scenario.build import (
        household_energy_kwh,
        seed_tree,
        wind_energy_kwh,
        wind_speed_ms,
    )

    tree = seed_tree(cfg)
    lot = cfg.market.lot_kwh
    load = np.rint(household_energy_kwh(cfg, tree) / lot).sum(axis=0)
    wind = np.rint(wind_energy_kwh(cfg, wind_speed_ms(cfg, tree)) / lot).sum(axis=0)
    return np.asarray((load - wind) * lot, dtype=np.float64).reshape(cfg.n_units)
