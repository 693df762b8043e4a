"""Shipped plants (docs/model.md: participants) and the data helpers their coordinators need.

Every builder takes the market unit length ``unit_minutes`` and physical
parameters with defaults, and returns a :class:`~rex_cli.plants.statespace.Plant`
whose input 0 is the market input ``u*`` (kWh bought during the unit, negative =
sold).

Output timing: outputs of the shipped plants are read at the **end** of the unit
(``v[k] = w[k+1]`` for state outputs). Since ``w[k+1] = A w[k] + B u[k]`` this is
still an LTI output equation with ``C = A`` and ``D = B`` (restricted to the
measured state rows), exact under zero-order hold. It makes every output depend
on the decision of its own unit: the first open unit's output is not frozen by
the initial state, and the last unit's input is not dead.

Time of day: unit ``j`` covers ``[j ε, (j+1) ε)`` minutes from the simulation's
time zero, which the profile helpers take as midnight; they evaluate at the unit's
midpoint.
"""

from __future__ import annotations

import math

import numpy as np

from rex_cli.plants.statespace import (
    CostKind,
    FloatArray,
    InputRole,
    OutputRole,
    Plant,
    StateSpace,
)
from rex_cli.sim import portable

__all__ = [
    "ambient_temperature_profile",
    "battery",
    "default_setpoint_schedule",
    "electric_vehicle",
    "gas_turbine",
    "heat_pump_building",
    "solar_profile",
    "uncontrollable",
    "unit_hours",
]

_INF = math.inf


def unit_hours(unit_minutes: float) -> float:
    """Unit length in hours, checking ``unit_minutes`` > 0."""
    if not (math.isfinite(unit_minutes) and unit_minutes > 0):
        raise ValueError(f"unit_minutes must be a positive number, got {unit_minutes!r}")
    return float(unit_minutes) / 60.0


def _positive(name: str, value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive number, got {value!r}")


def _non_negative(name: str, value: float, allow_inf: bool = False) -> None:
    ok = value >= 0 and (allow_inf or math.isfinite(value))
    if not ok or math.isnan(value):
        raise ValueError(f"{name} must be >= 0, got {value!r}")


def _arr(*xs: float) -> FloatArray:
    return np.array(xs, dtype=np.float64)


# --- heat pump building ---------------------------------------------------------


def heat_pump_building(
    *,
    unit_minutes: float = 15.0,
    r_ia: float = 5.29,
    c_i: float = 2.07,
    a_w: float = 7.89,
    cop: float = 3.0,
    p_max_kw: float = 2.5,
    t_min_c: float = 19.0,
    t_max_c: float = 24.0,
    ramp_kw: float = _INF,
) -> Plant:
    """The seed's one-room building heated by a heat pump.

    Continuous model (hours, °C, kW)::

        dT/dt = -T/(R C) + [1/C, 1/(R C), A_w/C] · [Φ_h, T_a, Φ_s]

    with defaults ``R = 5.29`` °C/kW, ``C = 2.07`` kWh/°C, ``A_w = 7.89`` m², i.e.
    ``dT/dt = -0.0913 T + [0.4831, 0.0913, 3.8116]·[Φ_h, T_a, Φ_s]``. The heat
    ``Φ_h = COP × P_el`` (kW) comes from the electric power ``P_el = u*/dt`` held
    over the unit, so the market column is the ``Φ_h`` column scaled by
    ``COP/dt``. Discretised by exact zero-order hold at ``dt = unit_minutes/60``.

    Inputs: ``[u* (kWh electric per unit, in [0, p_max_kw·dt]), T_a (°C,
    exogenous), Φ_s (kW/m² of solar irradiance on the window, exogenous)]``.
    State: indoor temperature ``T`` at the start of the unit (°C).
    Output: indoor temperature at the end of the unit (°C), TRACKED against the
    occupants' setpoint and bounded by the comfort band ``[t_min_c, t_max_c]``.

    Args:
        unit_minutes: Market unit length, minutes.
        r_ia: Thermal resistance indoor-ambient, °C/kW.
        c_i: Heat capacity of the indoor air and walls, kWh/°C.
        a_w: Effective window area, m².
        cop: Coefficient of performance of the heat pump (heat/electricity).
        p_max_kw: Electric rating of the heat pump, kW.
        t_min_c: Lower comfort bound, °C.
        t_max_c: Upper comfort bound, °C.
        ramp_kw: Largest change of electric power between consecutive units, kW
            (inf = none).

    Returns:
        The plant (stable: spectral radius ``exp(-dt/(R C))``).
    """
    dt = unit_hours(unit_minutes)
    for name, value in (("r_ia", r_ia), ("c_i", c_i), ("cop", cop), ("p_max_kw", p_max_kw)):
        _positive(name, value)
    _non_negative("a_w", a_w)
    _non_negative("ramp_kw", ramp_kw, allow_inf=True)
    if not t_min_c < t_max_c:
        raise ValueError(f"t_min_c must be below t_max_c, got {t_min_c} >= {t_max_c}")
    a = -1.0 / (r_ia * c_i)
    b = np.array([[cop / (c_i * dt), 1.0 / (r_ia * c_i), a_w / c_i]])
    disc = StateSpace.from_continuous([[a]], b, [[1.0]], np.zeros((1, 3)), dt)
    # Output read at the end of the unit: v[k] = T[k+1] = Ad T[k] + Bd u[k].
    model = StateSpace(disc.A, disc.B, disc.A, disc.B, dt)
    return Plant(
        name="heat_pump_building",
        model=model,
        input_roles=(InputRole.MARKET, InputRole.EXOGENOUS, InputRole.EXOGENOUS),
        output_roles=(OutputRole.TRACKED,),
        input_cost=_arr(0.0, 0.0, 0.0),
        u_min=_arr(0.0, -_INF, -_INF),
        u_max=_arr(p_max_kw * dt, _INF, _INF),
        u_delta=_arr(ramp_kw * dt, _INF, _INF),
        v_min=_arr(t_min_c),
        v_max=_arr(t_max_c),
        input_names=("market_energy", "ambient_temperature", "solar_irradiance"),
        input_units=("kWh", "degC", "kW/m2"),
        output_names=("indoor_temperature_end",),
        output_units=("degC",),
        state_names=("indoor_temperature",),
        state_units=("degC",),
    )


def _unit_midpoint_hours(start_unit: int, n_units: int, unit_minutes: float) -> FloatArray:
    """Hour of day (0..24) at the midpoint of units ``start_unit .. start_unit+n-1``."""
    dt = unit_hours(unit_minutes)
    j = np.arange(start_unit, start_unit + n_units, dtype=np.float64)
    return np.asarray(np.mod((j + 0.5) * dt, 24.0), dtype=np.float64)


def default_setpoint_schedule(
    start_unit: int,
    n_units: int,
    *,
    unit_minutes: float = 15.0,
    day_c: float = 21.0,
    night_c: float = 19.0,
    day_start_h: float = 7.0,
    day_end_h: float = 22.0,
) -> FloatArray:
    """Occupants' indoor-temperature setpoint per unit (the request ``X``), °C.

    ``day_c`` between ``day_start_h`` and ``day_end_h`` (hours of day), else
    ``night_c``.

    Returns:
        Shape (n_units,).
    """
    h = _unit_midpoint_hours(start_unit, n_units, unit_minutes)
    day = (h >= day_start_h) & (h < day_end_h)
    return np.where(day, day_c, night_c).astype(np.float64)


def ambient_temperature_profile(
    start_unit: int,
    n_units: int,
    *,
    unit_minutes: float = 15.0,
    mean_c: float = 5.0,
    amplitude_c: float = 4.0,
    peak_hour: float = 15.0,
) -> FloatArray:
    """Daily sinusoid of outdoor temperature, °C, peaking at ``peak_hour``.

    Returns:
        Shape (n_units,).
    """
    h = _unit_midpoint_hours(start_unit, n_units, unit_minutes)
    return mean_c + amplitude_c * portable.cos(2.0 * np.pi * (h - peak_hour) / 24.0)


def solar_profile(
    start_unit: int,
    n_units: int,
    *,
    unit_minutes: float = 15.0,
    peak_kw_m2: float = 0.3,
    sunrise_h: float = 7.0,
    sunset_h: float = 19.0,
) -> FloatArray:
    """Half-sine solar irradiance between sunrise and sunset, zero at night, kW/m².

    Returns:
        Shape (n_units,), non-negative.
    """
    if not sunrise_h < sunset_h:
        raise ValueError(f"sunrise_h must be before sunset_h, got {sunrise_h} >= {sunset_h}")
    h = _unit_midpoint_hours(start_unit, n_units, unit_minutes)
    phase = (h - sunrise_h) / (sunset_h - sunrise_h)
    out = np.where((phase > 0) & (phase < 1), peak_kw_m2 * portable.sin(np.pi * phase), 0.0)
    return np.asarray(out, dtype=np.float64)


# --- battery ---------------------------------------------------------------------


def battery(
    *,
    unit_minutes: float = 15.0,
    capacity_kwh: float = 10.0,
    soc_min_kwh: float = 1.0,
    soc_max_kwh: float = 9.0,
    p_charge_max_kw: float = 5.0,
    p_discharge_max_kw: float = 5.0,
    eta_charge: float = 0.95,
    eta_discharge: float = 0.95,
    degradation_cost: float = 0.01,
    self_discharge_per_h: float = 0.0,
) -> Plant:
    """Battery storage with charge/discharge efficiencies.

    State: stored energy ``SoC`` at the start of the unit, kWh.
    Inputs: ``[u* (net market energy, kWh, in [-p_discharge_max·dt,
    p_charge_max·dt]), c (energy drawn from the grid to charge, kWh, COSTLY),
    d (energy delivered to the grid by discharging, kWh, COSTLY)]``; ``c, d`` cost
    ``degradation_cost`` currency per kWh of throughput (cost kind ``WEAR``); the
    state is stored energy (``stored_energy = [1]``).
    Dynamics: ``SoC+ = a SoC + η_c c − d/η_d`` with ``a = exp(−σ dt)``.
    Outputs: ``[SoC at the end of the unit (BOUNDED, [soc_min, soc_max]),
    u* − c + d (BALANCE, = 0)]``.

    The LP relaxation may charge and discharge in the same unit if burning energy
    pays (e.g. a surplus reservation is penalised); a positive degradation cost
    and efficiencies below one make that unattractive in normal conditions.

    Args:
        unit_minutes: Market unit length, minutes.
        capacity_kwh: Usable capacity, kWh (upper limit for ``soc_max_kwh``).
        soc_min_kwh: Lower state-of-charge bound, kWh.
        soc_max_kwh: Upper state-of-charge bound, kWh.
        p_charge_max_kw: Charging power limit (grid side), kW.
        p_discharge_max_kw: Discharging power limit (grid side), kW.
        eta_charge: Charging efficiency in (0, 1].
        eta_discharge: Discharging efficiency in (0, 1].
        degradation_cost: Cost per kWh charged or discharged, currency/kWh.
        self_discharge_per_h: Self-discharge rate σ, 1/h.

    Returns:
        The plant (marginally stable without self-discharge: spectral radius 1).
    """
    dt = unit_hours(unit_minutes)
    _positive("capacity_kwh", capacity_kwh)
    _positive("p_charge_max_kw", p_charge_max_kw)
    _positive("p_discharge_max_kw", p_discharge_max_kw)
    _non_negative("degradation_cost", degradation_cost)
    _non_negative("self_discharge_per_h", self_discharge_per_h)
    for name, eta in (("eta_charge", eta_charge), ("eta_discharge", eta_discharge)):
        if not (0.0 < eta <= 1.0):
            raise ValueError(f"{name} must be in (0, 1], got {eta!r}")
    if not (0.0 <= soc_min_kwh <= soc_max_kwh <= capacity_kwh):
        raise ValueError(
            f"soc_min_kwh must satisfy 0 <= soc_min_kwh <= soc_max_kwh <= capacity_kwh, "
            f"got {soc_min_kwh}, {soc_max_kwh}, {capacity_kwh}"
        )
    a = math.exp(-self_discharge_per_h * dt)
    A = np.array([[a]])
    B = np.array([[0.0, eta_charge, -1.0 / eta_discharge]])
    C = np.array([[a], [0.0]])
    D = np.array([[0.0, eta_charge, -1.0 / eta_discharge], [1.0, -1.0, 1.0]])
    ch, dis = p_charge_max_kw * dt, p_discharge_max_kw * dt
    return Plant(
        name="battery",
        model=StateSpace(A, B, C, D, dt),
        input_roles=(InputRole.MARKET, InputRole.COSTLY, InputRole.COSTLY),
        output_roles=(OutputRole.BOUNDED, OutputRole.BALANCE),
        input_cost=_arr(0.0, degradation_cost, degradation_cost),
        u_min=_arr(-dis, 0.0, 0.0),
        u_max=_arr(ch, ch, dis),
        u_delta=_arr(_INF, _INF, _INF),
        v_min=_arr(soc_min_kwh, 0.0),
        v_max=_arr(soc_max_kwh, 0.0),
        cost_kinds=(None, CostKind.WEAR, CostKind.WEAR),
        stored_energy=_arr(1.0),
        input_names=("market_energy", "charge_energy", "discharge_energy"),
        input_units=("kWh", "kWh", "kWh"),
        output_names=("soc_end", "energy_balance"),
        output_units=("kWh", "kWh"),
        state_names=("soc",),
        state_units=("kWh",),
    )


# --- gas turbine -----------------------------------------------------------------


def gas_turbine(
    *,
    unit_minutes: float = 15.0,
    p_min_kw: float = 0.0,
    p_max_kw: float = 100.0,
    ramp_kw: float = 50.0,
    marginal_cost: float = 0.08,
) -> Plant:
    """Controllable supply with a marginal cost and a ramp limit.

    Inputs: ``[u* (kWh per unit, ≤ 0: the turbine sells), g (energy generated,
    kWh per unit, COSTLY at marginal_cost (cost kind ``FUEL``), in
    [p_min·dt, p_max·dt])]``; ramp
    ``|g[k+1] − g[k]| ≤ ramp_kw·dt``.
    State: the generation of the previous unit, kWh (``w+ = g``; it carries the
    ramp reference; ``A = 0``, so the model is trivially stable).
    Output: ``u* + g`` (BALANCE, = 0): everything generated is sold.

    Args:
        unit_minutes: Market unit length, minutes.
        p_min_kw: Minimum stable generation, kW (0 allows switching off; no
            commitment decision is modelled).
        p_max_kw: Rated power, kW.
        ramp_kw: Largest change of power between consecutive units, kW
            (inf = none).
        marginal_cost: Fuel and variable O&M cost, currency/kWh generated.

    Returns:
        The plant.
    """
    dt = unit_hours(unit_minutes)
    _positive("p_max_kw", p_max_kw)
    _non_negative("ramp_kw", ramp_kw, allow_inf=True)
    _non_negative("marginal_cost", marginal_cost)
    if not (0.0 <= p_min_kw <= p_max_kw):
        raise ValueError(f"p_min_kw must be in [0, p_max_kw], got {p_min_kw!r}")
    return Plant(
        name="gas_turbine",
        model=StateSpace([[0.0]], [[0.0, 1.0]], [[0.0]], [[1.0, 1.0]], dt),
        input_roles=(InputRole.MARKET, InputRole.COSTLY),
        output_roles=(OutputRole.BALANCE,),
        input_cost=_arr(0.0, marginal_cost),
        u_min=_arr(-p_max_kw * dt, p_min_kw * dt),
        u_max=_arr(0.0, p_max_kw * dt),
        u_delta=_arr(_INF, ramp_kw * dt),
        v_min=_arr(0.0),
        v_max=_arr(0.0),
        cost_kinds=(None, CostKind.FUEL),
        input_names=("market_energy", "generation_energy"),
        input_units=("kWh", "kWh"),
        output_names=("energy_balance",),
        output_units=("kWh",),
        state_names=("previous_generation",),
        state_units=("kWh",),
    )


# --- electric vehicle -------------------------------------------------------------


def electric_vehicle(
    *,
    unit_minutes: float = 15.0,
    capacity_kwh: float = 50.0,
    soc_min_kwh: float = 0.0,
    p_charge_max_kw: float = 11.0,
    eta_charge: float = 0.92,
    unmet_cost: float = 0.6,
) -> Plant:
    """An electric vehicle that charges at home only while parked (no discharge to the grid).

    State: stored energy ``SoC`` at the start of the unit, kWh (``stored_energy = [1]``).
    Inputs: ``[u* (energy drawn from the grid to charge, kWh, in [0, p_charge_max·dt]),
    r (trip energy drawn from the battery in the unit, kWh, EXOGENOUS: the energy
    required at departure, in the departure unit, else 0), z (energy the charger can
    draw in the unit, kWh, EXOGENOUS: p_charge_max·dt while parked, 0 while away),
    m (energy missing at departure, kWh, COSTLY at ``unmet_cost``, cost kind
    ``SERVICE``)]``.
    Dynamics: ``SoC+ = SoC + η u* − r + m``: the trip takes ``r`` at departure; what the
    battery lacks (``m``) the driver gets elsewhere at ``unmet_cost`` per kWh (a public
    fast charger), so ``SoC`` never falls below ``soc_min``.
    Outputs: ``[SoC at the end of the unit (BOUNDED, [soc_min, capacity]),
    u* − z (BOUNDED, ≤ 0: no charging while away), m − r (BOUNDED, ≤ 0: energy can be
    missing only at a departure, at most the trip)]``.

    Args:
        unit_minutes: Market unit length, minutes.
        capacity_kwh: Usable capacity, kWh.
        soc_min_kwh: Lowest state of charge, kWh.
        p_charge_max_kw: Charger power (grid side), kW.
        eta_charge: Charging efficiency in (0, 1].
        unmet_cost: Cost of a kWh missing at departure, currency/kWh.

    Returns:
        The plant (marginally stable: spectral radius 1).
    """
    dt = unit_hours(unit_minutes)
    _positive("capacity_kwh", capacity_kwh)
    _positive("p_charge_max_kw", p_charge_max_kw)
    _non_negative("unmet_cost", unmet_cost)
    if not 0.0 < eta_charge <= 1.0:
        raise ValueError(f"eta_charge must be in (0, 1], got {eta_charge!r}")
    if not 0.0 <= soc_min_kwh < capacity_kwh:
        raise ValueError(f"soc_min_kwh must be in [0, capacity_kwh), got {soc_min_kwh!r}")
    row = [eta_charge, -1.0, 0.0, 1.0]
    D = np.array([row, [1.0, 0.0, -1.0, 0.0], [0.0, -1.0, 0.0, 1.0]])
    return Plant(
        name="electric_vehicle",
        model=StateSpace([[1.0]], [row], [[1.0], [0.0], [0.0]], D, dt),
        input_roles=(InputRole.MARKET, InputRole.EXOGENOUS, InputRole.EXOGENOUS, InputRole.COSTLY),
        output_roles=(OutputRole.BOUNDED, OutputRole.BOUNDED, OutputRole.BOUNDED),
        input_cost=_arr(0.0, 0.0, 0.0, unmet_cost),
        u_min=_arr(0.0, -_INF, -_INF, 0.0),
        u_max=_arr(p_charge_max_kw * dt, _INF, _INF, _INF),
        v_min=_arr(soc_min_kwh, -_INF, -_INF),
        v_max=_arr(capacity_kwh, 0.0, 0.0),
        cost_kinds=(None, None, None, CostKind.SERVICE),
        stored_energy=_arr(1.0),
        input_names=("market_energy", "trip_energy", "chargeable_energy", "unmet_energy"),
        input_units=("kWh", "kWh", "kWh", "kWh"),
        output_names=("soc_end", "charge_headroom", "unmet_headroom"),
        output_units=("kWh", "kWh", "kWh"),
        state_names=("soc",),
        state_units=("kWh",),
    )


# --- uncontrollable client (RHPO-UC) -----------------------------------------------


def uncontrollable(*, unit_minutes: float = 15.0) -> Plant:
    """Degenerate plant for RHPO-UC: the plan is the forecast, nothing to control.

    Inputs: ``[u* (kWh, free), x (forecast net demand of the unit, kWh,
    EXOGENOUS; consumption positive, production negative)]``. Output: ``u* − x``
    (BALANCE, = 0), so the market input equals the forecast. One dummy state
    (``A = 0``, ``B = 0``, always 0) keeps the model non-empty; pass ``w0 = [0]``.

    Returns:
        The plant.
    """
    dt = unit_hours(unit_minutes)
    return Plant(
        name="uncontrollable",
        model=StateSpace([[0.0]], [[0.0, 0.0]], [[0.0]], [[1.0, -1.0]], dt),
        input_roles=(InputRole.MARKET, InputRole.EXOGENOUS),
        output_roles=(OutputRole.BALANCE,),
        input_cost=_arr(0.0, 0.0),
        u_min=_arr(-_INF, -_INF),
        u_max=_arr(_INF, _INF),
        u_delta=_arr(_INF, _INF),
        v_min=_arr(0.0),
        v_max=_arr(0.0),
        input_names=("market_energy", "forecast_net_demand"),
        input_units=("kWh", "kWh"),
        output_names=("energy_balance",),
        output_units=("kWh",),
        state_names=("dummy",),
        state_units=("",),
    )
