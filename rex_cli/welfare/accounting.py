"""The welfare account: one function scores every outcome (docs/model.md: welfare).

**Welfare** is minus the real resource costs over the scored delivered units
``j = first_unit..N−1`` (``first_unit`` is the warm-up cut, 0 by default); trades
and imbalance payments are transfers between participants and the operator and
cancel out. The terms, all in currency:

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
* **fuel**: Σ ``input_cost × u#`` over the costly inputs whose cost kind is
  ``CostKind.FUEL`` (the gas turbine's generation × marginal cost);
* **degradation** (wear): the same sum over inputs of kind ``CostKind.WEAR``
  (a battery's charge + discharge × degradation cost);
* **comfort**: ``comfort_cost × |v_jt − X_jt|`` summed over plants, tracked
  outputs ``t`` and units with a request (``X`` not NaN), currency per output
  unit (°C for buildings) per unit; plus the service the occupants miss, Σ
  ``input_cost × u#`` over inputs of kind ``CostKind.SERVICE`` (an EV's energy
  missing at departure × its unmet cost);
* **storage**: ``stored_energy_price × (E_first − E_N)``, the energy the plants
  hold at the start of the scored units minus what they hold at the end
  (``E = Σ_p stored_energy_p · w_p``, kWh; a battery's state of charge), so a
  run that empties its batteries pays for the energy it took from them and one
  that fills them is credited; negative when storage was filled. Every scenario
  is valued at the same price, so no scenario gains a windfall from ending with
  less stored energy than it started with.

``total = −(backup + fuel + degradation + comfort + unserved + storage)``.

:func:`account` computes these terms per unit (system) and per plant and unit;
:meth:`Account.breakdown` sums them from ``first_unit`` on into a
:class:`WelfareBreakdown`; :meth:`Account.plant_costs` gives each plant's part
(fuel, wear, comfort, storage), which adds up to the totals. :func:`welfare_of`
is the shortcut. :func:`feasibility_violation` tells whether an outcome respects
the plants' dynamics, bounds and ramps (the perfect-foresight planner is an upper
bound on the full-period welfare of every outcome for which it is 0).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rex_cli.plants.statespace import CostKind, Plant

__all__ = [
    "COST_TERMS",
    "Account",
    "Outcome",
    "PlantDataLike",
    "PlantSpec",
    "WelfareBreakdown",
    "WelfareCosts",
    "account",
    "feasibility_violation",
    "simulate_outcome",
    "system_balance",
    "welfare_of",
]

FloatArray = NDArray[np.float64]

# The cost terms of a WelfareBreakdown, in the order they are reported.
COST_TERMS = (
    "backup_cost",
    "fuel_cost",
    "degradation_cost",
    "comfort_cost",
    "unserved_cost",
    "storage_cost",
)


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
        stored_energy_price: Value of one kWh of energy stored in plants at the
            end, currency/kWh (>= 0; 0 = stored energy is worth nothing).

    Raises:
        ValueError: On a negative, NaN or inconsistent value; the message starts
            with the field name.
    """

    backup_cost: float
    comfort_cost: float
    value_of_lost_load: float = 10.0
    backup_capacity_kw: float = math.inf
    stored_energy_price: float = 0.0

    def __post_init__(self) -> None:
        for name in ("backup_cost", "comfort_cost", "value_of_lost_load", "stored_energy_price"):
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
    """Welfare of one outcome over the scored units, with its terms.

    Costs are amounts of currency, non-negative except ``storage_cost`` (negative
    when the plants end with more stored energy than they started with);
    ``total = −(sum of the costs)`` (higher is better). Energies are kWh summed
    over the scored units.

    Attributes:
        backup_cost: Backup energy × backup cost.
        fuel_cost: Costly inputs of kind fuel × their input cost.
        degradation_cost: Costly inputs of kind wear × their input cost.
        comfort_cost: Σ comfort cost × |tracked output − request|.
        unserved_cost: Unserved energy × value of lost load.
        storage_cost: Stored energy drawn down × the stored-energy price.
        total: Welfare, minus the sum of the six costs.
        backup_kwh: Energy supplied by backup.
        spilled_kwh: Surplus energy spilled (system surplus + curtailed at
            plants).
        unserved_kwh: Net need beyond the backup capacity.
        stored_change_kwh: Stored energy at the end minus at the start of the
            scored units.
    """

    backup_cost: float
    fuel_cost: float
    degradation_cost: float
    comfort_cost: float
    unserved_cost: float
    storage_cost: float
    total: float
    backup_kwh: float
    spilled_kwh: float
    unserved_kwh: float
    stored_change_kwh: float

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


def unit_hours_of(plants: Sequence[PlantSpec], dt_h: float | None) -> float:
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


# --- the account ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, eq=False)
class Account:
    """Resource costs of an outcome per unit (system) and per plant and unit.

    Arrays are over all ``N`` delivered units; the warm-up cut is applied when
    summing (:meth:`breakdown`, :meth:`plant_costs`).

    Attributes:
        costs: The prices.
        backup_kwh: Backup energy per unit, (N,).
        unserved_kwh: Unserved energy per unit, (N,).
        spilled_kwh: Spilled energy per unit (system surplus + curtailed), (N,).
        fuel: Fuel cost per plant and unit, currency, (P, N).
        wear: Wear (degradation) cost per plant and unit, currency, (P, N).
        comfort: Comfort cost per plant and unit, currency, (P, N).
        stored_kwh: Energy stored per plant at each unit boundary, kWh,
            (P, N + 1); column ``j`` is the start of unit ``j``.
    """

    costs: WelfareCosts
    backup_kwh: FloatArray
    unserved_kwh: FloatArray
    spilled_kwh: FloatArray
    fuel: FloatArray
    wear: FloatArray
    comfort: FloatArray
    stored_kwh: FloatArray

    @property
    def n_units(self) -> int:
        """Number of delivered units ``N``."""
        return int(self.backup_kwh.shape[0])

    def _first(self, first_unit: int) -> int:
        f = int(first_unit)
        if not 0 <= f < max(self.n_units, 1):
            raise ValueError(f"first_unit must be in 0..{self.n_units - 1}, got {first_unit!r}")
        return f

    def plant_costs(self, first_unit: int = 0) -> dict[str, FloatArray]:
        """Each plant's fuel, wear, comfort and storage cost from ``first_unit`` on.

        Returns:
            ``{"fuel_cost", "degradation_cost", "comfort_cost", "storage_cost"}`` ->
            (P,) currency; each sums over plants to the breakdown's term.
        """
        f = self._first(first_unit)
        price = self.costs.stored_energy_price
        return {
            "fuel_cost": self.fuel[:, f:].sum(axis=1),
            "degradation_cost": self.wear[:, f:].sum(axis=1),
            "comfort_cost": self.comfort[:, f:].sum(axis=1),
            "storage_cost": price * (self.stored_kwh[:, f] - self.stored_kwh[:, -1]),
        }

    def breakdown(self, first_unit: int = 0) -> WelfareBreakdown:
        """The welfare breakdown of the units ``first_unit..N−1``."""
        f = self._first(first_unit)
        c = self.costs
        per_plant = self.plant_costs(f)
        b_kwh = float(self.backup_kwh[f:].sum())
        u_kwh = float(self.unserved_kwh[f:].sum())
        terms = {
            "backup_cost": c.backup_cost * b_kwh,
            "fuel_cost": float(per_plant["fuel_cost"].sum()),
            "degradation_cost": float(per_plant["degradation_cost"].sum()),
            "comfort_cost": float(per_plant["comfort_cost"].sum()),
            "unserved_cost": c.value_of_lost_load * u_kwh,
            "storage_cost": float(per_plant["storage_cost"].sum()),
        }
        return WelfareBreakdown(
            **terms,
            total=-sum(terms.values()),
            backup_kwh=b_kwh,
            spilled_kwh=float(self.spilled_kwh[f:].sum()),
            unserved_kwh=u_kwh,
            stored_change_kwh=float(self.stored_kwh[:, -1].sum() - self.stored_kwh[:, f].sum()),
        )


def account(
    outcome: Outcome,
    plants: Sequence[PlantSpec],
    costs: WelfareCosts,
    *,
    dt_h: float | None = None,
) -> Account:
    """Resource costs of an outcome per unit and plant (see the module docstring).

    Args:
        outcome: Plant inputs and outputs and the uncontrollable net energy over
            ``N`` units.
        plants: ``(Plant, PlantData)`` per plant, in the outcome's order; rows
            ``0..N−1`` of ``request`` are the setpoints, ``w_init`` the start.
        costs: Resource prices.
        dt_h: Unit length, hours; default the plants' ``dt`` (0.25 without
            plants). Only the backup capacity uses it.

    Raises:
        ValueError: If the outcome does not fit the plants.
    """
    if len(plants) != len(outcome.inputs):
        raise ValueError(
            f"plants has {len(plants)} entries but the outcome has {len(outcome.inputs)}"
        )
    dt = unit_hours_of(plants, dt_h)
    N, P = outcome.n_units, len(plants)
    fuel, wear, comfort = np.zeros((P, N)), np.zeros((P, N)), np.zeros((P, N))
    stored = np.zeros((P, N + 1))
    for p, ((plant, data), u, v) in enumerate(
        zip(plants, outcome.inputs, outcome.outputs, strict=True)
    ):
        if u.shape[1] != plant.n_inputs or v.shape[1] != plant.n_outputs:
            raise ValueError(
                f"plant {plant.name!r} has {plant.n_inputs} inputs and {plant.n_outputs} "
                f"outputs, got shapes {u.shape} and {v.shape}"
            )
        fuel_in = list(plant.inputs_of_kind(CostKind.FUEL))
        wear_in = list(plant.inputs_of_kind(CostKind.WEAR))
        fuel[p] = u[:, fuel_in] @ plant.input_cost[fuel_in]
        wear[p] = u[:, wear_in] @ plant.input_cost[wear_in]
        tracked = list(plant.tracked_outputs)
        if tracked:
            req = rows_of(data.request, N, len(tracked), "request")
            dev = np.abs(v[:, tracked] - req)
            comfort[p] = costs.comfort_cost * np.where(np.isnan(req), 0.0, dev).sum(axis=1)
        service_in = list(plant.inputs_of_kind(CostKind.SERVICE))
        if service_in:
            comfort[p] = comfort[p] + u[:, service_in] @ plant.input_cost[service_in]
        if np.any(plant.stored_energy):
            W, _ = plant.model.simulate(np.asarray(data.w_init, dtype=np.float64), u)
            stored[p] = W @ plant.stored_energy
    backup, unserved, spilled = system_balance(outcome.net_kwh, costs, dt)
    return Account(
        costs=costs,
        backup_kwh=backup,
        unserved_kwh=unserved,
        spilled_kwh=spilled + outcome.curtailed_kwh,
        fuel=fuel,
        wear=wear,
        comfort=comfort,
        stored_kwh=stored,
    )


def welfare_of(
    outcome: Outcome,
    plants: Sequence[PlantSpec],
    costs: WelfareCosts,
    *,
    dt_h: float | None = None,
    first_unit: int = 0,
) -> WelfareBreakdown:
    """Score a physical outcome over units ``first_unit..N−1`` (the module's terms).

    Args:
        outcome: Plant inputs and outputs and the uncontrollable net energy.
        plants: ``(Plant, PlantData)`` per plant, in the outcome's order.
        costs: Resource prices.
        dt_h: Unit length, hours (default the plants' ``dt``).
        first_unit: First scored unit (the warm-up cut).

    Returns:
        The welfare breakdown.
    """
    return account(outcome, plants, costs, dt_h=dt_h).breakdown(first_unit)


# --- helpers on plant data -------------------------------------------------------------


def rows_of(x: ArrayLike, N: int, cols: int, name: str) -> FloatArray:
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
        exo = rows_of(data.exogenous, N, len(plant.exogenous_inputs), "exogenous")
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
            x = rows_of(data.exogenous, N, len(exo), "exogenous")
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
