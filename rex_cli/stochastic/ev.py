"""Electric-vehicle trips: when the car is away and what energy it needs at departure.

One trip a day (docs/model.md: homes). For day ``d`` the EV's own generator draws,
in this order:

* departure hour ``t_d ~ Normal(departure_mean_h, departure_sd_h)``, clipped to
  ``[4, 12]``;
* arrival hour ``t_a ~ Normal(arrival_mean_h, arrival_sd_h)``, clipped to
  ``[t_d + 1, 23.75]``;
* distance ``D ~ LogNormal(ln distance_median_km, distance_sigma)`` km; the energy
  required at departure is ``r = min(D × consumption_kwh_per_km, max_trip_kwh)``.

Before the first day it draws the state of charge at the start,
``Uniform(soc_init_min, soc_init_max) × capacity``.

On the unit grid (unit ``j`` covers ``[j dt, (j+1) dt)`` hours from the start) the car
leaves at the start of the unit holding ``24 d + t_d`` and is back from the first
unit starting at or after ``24 d + t_a``; it is away in between. The trip energy
is drawn from the battery in the departure unit; the charger can draw
``charger_kw × dt`` in every unit the car is parked, nothing while it is away.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["EvSchedule", "EvTripParams", "simulate_ev_schedule"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, kw_only=True)
class EvTripParams:
    """Distributions of an EV's daily trip (see the module docstring).

    Attributes:
        departure_mean_h: Mean departure hour of day.
        departure_sd_h: Its standard deviation, hours.
        arrival_mean_h: Mean arrival hour of day.
        arrival_sd_h: Its standard deviation, hours.
        distance_median_km: Median daily distance, km.
        distance_sigma: Standard deviation of the log distance.
        consumption_kwh_per_km: Energy per km, kWh.
        soc_init_min: Lowest initial state of charge, share of the capacity.
        soc_init_max: Highest initial state of charge, share of the capacity.
    """

    departure_mean_h: float = 7.5
    departure_sd_h: float = 1.0
    arrival_mean_h: float = 17.5
    arrival_sd_h: float = 1.5
    distance_median_km: float = 30.0
    distance_sigma: float = 0.6
    consumption_kwh_per_km: float = 0.18
    soc_init_min: float = 0.3
    soc_init_max: float = 0.7


@dataclass(frozen=True, kw_only=True, eq=False)
class EvSchedule:
    """One EV's trips on the unit grid.

    Attributes:
        soc_init_kwh: State of charge at the start of unit 0, kWh.
        trip_kwh: Energy required at departure, in the departure unit (else 0), (n,).
        chargeable_kwh: Energy the charger can draw per unit (0 while away), (n,).
        parked: Whether the car is at home during the unit, (n,).
    """

    soc_init_kwh: float
    trip_kwh: FloatArray
    chargeable_kwh: FloatArray
    parked: NDArray[np.bool_]


def simulate_ev_schedule(
    params: EvTripParams,
    rng: np.random.Generator,
    *,
    n_steps: int,
    step_hours: float,
    charger_kw: float,
    capacity_kwh: float,
    max_trip_kwh: float,
) -> EvSchedule:
    """Draw an EV's trips over ``n_steps`` units (see the module docstring).

    Args:
        params: Trip distributions.
        rng: The EV's own generator.
        n_steps: Number of units.
        step_hours: Unit length, hours.
        charger_kw: Charger power, kW.
        capacity_kwh: Battery capacity, kWh (scales the initial state of charge).
        max_trip_kwh: Largest energy a trip may require, kWh.

    Returns:
        The schedule.
    """
    soc0 = float(rng.uniform(params.soc_init_min, params.soc_init_max)) * capacity_kwh
    n_days = math.ceil(n_steps * step_hours / 24.0)
    parked = np.ones(n_steps, dtype=bool)
    trip = np.zeros(n_steps)
    for d in range(n_days):
        dep = float(np.clip(rng.normal(params.departure_mean_h, params.departure_sd_h), 4.0, 12.0))
        arr = float(rng.normal(params.arrival_mean_h, params.arrival_sd_h))
        arr = float(np.clip(arr, dep + 1.0, 23.75))
        # exp(μ + σ z): numpy's lognormal draw (one standard normal), in portable math
        km = math.exp(
            math.log(params.distance_median_km)
            + params.distance_sigma * float(rng.standard_normal())
        )
        first = math.floor((24.0 * d + dep) / step_hours + 1e-9)
        back = math.ceil((24.0 * d + arr) / step_hours - 1e-9)
        if first >= n_steps:
            continue
        parked[first : min(back, n_steps)] = False
        trip[first] = min(km * params.consumption_kwh_per_km, max_trip_kwh)
    chargeable = np.where(parked, charger_kw * step_hours, 0.0)
    return EvSchedule(soc_init_kwh=soc0, trip_kwh=trip, chargeable_kwh=chargeable, parked=parked)
