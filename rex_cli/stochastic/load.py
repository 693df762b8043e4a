"""Inflexible household load: daily profile × household scale × multiplicative noise.

Profile (kW) at hour of day ``h``::

    p(h) = f_we · (base + m · b(h; h_m + δ_we, w_m) + e · b(h; h_e, w_e))

with ``b(h; μ, w) = exp(-d(h, μ)² / (2 w²))`` a Gaussian bump on the 24-hour circle
(``d`` is the signed circular distance in hours), ``m`` and ``e`` the heights of the
morning and evening peaks above the base, ``f_we`` the weekend factor (1 on weekdays)
and ``δ_we`` the weekend delay of the morning peak (0 on weekdays). Weekend days are
Saturday and Sunday (weekday 5 and 6, Monday = 0).

Energy per step ``t`` of length ``Δ`` hours (kWh, >= 0)::

    E[t] = scale · p(h_t) · Δ · exp(σ z[t] - σ²/2)

with ``h_t`` the hour at the middle of the step and ``z`` a stationary standard-normal
AR(1) with e-folding time ``noise_correlation_h``. The noise factor is lognormal with
mean exactly 1, so ``E[E[t]] = scale · p(h_t) · Δ``: the profile is the mean load.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from rex_cli.sim import portable
from rex_cli.stochastic.ar1 import ar1

__all__ = [
    "HouseholdLoadParams",
    "daily_profile_kw",
    "draw_household_scales",
    "simulate_household_load",
    "simulate_household_loads",
]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, kw_only=True, slots=True)
class HouseholdLoadParams:
    """Parameters of one household's load (see the module docstring).

    Attributes:
        base_kw: Base load, kW, >= 0.
        morning_peak_kw: Height of the morning peak above the base, kW, >= 0.
        evening_peak_kw: Height of the evening peak above the base, kW, >= 0.
        morning_hour: Hour of day of the morning peak on weekdays, in ``[0, 24]``.
        evening_hour: Hour of day of the evening peak, in ``[0, 24]``.
        morning_width_h: Standard deviation (width) of the morning bump, hours, > 0.
        evening_width_h: Standard deviation (width) of the evening bump, hours, > 0.
        weekend_factor: Multiplier of the whole profile on Saturdays and Sundays, > 0.
        weekend_morning_delay_h: The morning peak comes this many hours later on
            weekends, >= 0.
        noise_sd: Standard deviation of the log of the multiplicative noise, >= 0.
        noise_correlation_h: E-folding time of the noise autocorrelation, hours, >= 0
            (0 gives independent noise per step).
    """

    base_kw: float = 0.25
    morning_peak_kw: float = 0.5
    evening_peak_kw: float = 1.0
    morning_hour: float = 7.5
    evening_hour: float = 19.0
    morning_width_h: float = 1.0
    evening_width_h: float = 1.5
    weekend_factor: float = 1.15
    weekend_morning_delay_h: float = 1.5
    noise_sd: float = 0.25
    noise_correlation_h: float = 0.5

    def __post_init__(self) -> None:
        for name in (
            "base_kw",
            "morning_peak_kw",
            "evening_peak_kw",
            "weekend_morning_delay_h",
            "noise_sd",
            "noise_correlation_h",
        ):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be >= 0, got {value}")
        for name in ("morning_width_h", "evening_width_h", "weekend_factor"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be > 0, got {value}")
        for name in ("morning_hour", "evening_hour"):
            value = getattr(self, name)
            if not (math.isfinite(value) and 0.0 <= value <= 24.0):
                raise ValueError(f"{name} must be in [0, 24], got {value}")


def _bump(hours: FloatArray, centre: FloatArray | float, width: float) -> FloatArray:
    d = np.mod(hours - centre + 12.0, 24.0) - 12.0
    return portable.exp(-0.5 * (d / width) ** 2)


def daily_profile_kw(
    params: HouseholdLoadParams,
    hours_of_day: npt.ArrayLike,
    is_weekend: bool | npt.ArrayLike = False,
) -> FloatArray:
    """Return the mean load in kW of a household of scale 1.

    Args:
        params: Profile parameters.
        hours_of_day: Hours (any real; taken on the 24-hour circle).
        is_weekend: Whether each hour falls on a Saturday or Sunday (broadcast).

    Returns:
        Mean power in kW, >= 0, with the broadcast shape of the inputs.
    """
    h = np.asarray(hours_of_day, dtype=np.float64)
    we = np.asarray(is_weekend, dtype=bool)
    morning_centre = params.morning_hour + np.where(we, params.weekend_morning_delay_h, 0.0)
    shape = (
        params.base_kw
        + params.morning_peak_kw * _bump(h, morning_centre, params.morning_width_h)
        + params.evening_peak_kw * _bump(h, params.evening_hour, params.evening_width_h)
    )
    return np.asarray(np.where(we, params.weekend_factor, 1.0) * shape, dtype=np.float64)


def _calendar(
    n_steps: int, step_hours: float, start_hour: float, start_weekday: int
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    mid = start_hour + (np.arange(n_steps) + 0.5) * step_hours
    day = np.floor(mid / 24.0).astype(np.int64)
    weekday = np.mod(start_weekday + day, 7)
    return np.mod(mid, 24.0), weekday >= 5


def _check_run(n_steps: int, step_hours: float, start_hour: float, start_weekday: int) -> None:
    if isinstance(n_steps, bool) or not isinstance(n_steps, int | np.integer) or n_steps < 0:
        raise ValueError(f"n_steps must be an int >= 0, got {n_steps!r}")
    if not (math.isfinite(step_hours) and step_hours > 0):
        raise ValueError(f"step_hours must be > 0, got {step_hours}")
    if not math.isfinite(start_hour):
        raise ValueError(f"start_hour must be finite, got {start_hour}")
    if not (isinstance(start_weekday, int | np.integer) and 0 <= start_weekday <= 6):
        raise ValueError(f"start_weekday must be an int in 0..6 (Monday = 0), got {start_weekday}")


def _noise_factor(
    params: HouseholdLoadParams, rng: np.random.Generator, n_steps: int, step_hours: float
) -> FloatArray:
    z = rng.standard_normal(n_steps)
    if params.noise_correlation_h > 0 and n_steps > 1:
        phi = math.exp(-step_hours / params.noise_correlation_h)
        z = ar1(z, phi)
    sd = params.noise_sd
    return np.asarray(portable.exp(sd * z - 0.5 * sd * sd), dtype=np.float64)


def simulate_household_load(
    params: HouseholdLoadParams,
    rng: np.random.Generator,
    *,
    n_steps: int,
    step_hours: float,
    start_hour: float = 0.0,
    start_weekday: int = 0,
    scale: float = 1.0,
) -> FloatArray:
    """Simulate one household's energy use per step.

    Draws exactly ``n_steps`` standard normals from ``rng`` (a longer run extends a
    shorter one).

    Args:
        params: Profile and noise parameters.
        rng: The household's own generator.
        n_steps: Number of steps, >= 0.
        step_hours: Step length in hours (the unit length, e.g. 0.25), > 0.
        start_hour: Hour of day at the start of step 0 (may exceed 24: whole days are
            counted into the weekday).
        start_weekday: Weekday of the day containing hour 0, Monday = 0 … Sunday = 6.
        scale: Household scale (multiplies the profile), >= 0.

    Returns:
        Energy consumed per step, kWh, shape ``(n_steps,)``, all >= 0.
    """
    _check_run(n_steps, step_hours, start_hour, start_weekday)
    if not (math.isfinite(scale) and scale >= 0):
        raise ValueError(f"scale must be >= 0, got {scale}")
    hours, weekend = _calendar(n_steps, step_hours, start_hour, start_weekday)
    mean_kwh = scale * daily_profile_kw(params, hours, weekend) * step_hours
    return np.asarray(mean_kwh * _noise_factor(params, rng, n_steps, step_hours))


def simulate_household_loads(
    params: HouseholdLoadParams,
    rngs: Sequence[np.random.Generator],
    *,
    scales: npt.ArrayLike,
    n_steps: int,
    step_hours: float,
    start_hour: float = 0.0,
    start_weekday: int = 0,
) -> FloatArray:
    """Simulate several households; column ``i`` uses only ``rngs[i]`` and ``scales[i]``.

    Returns:
        Energy per step and household, kWh, shape ``(n_steps, n_households)``.
    """
    sc = np.asarray(scales, dtype=np.float64).reshape(-1)
    if sc.shape[0] != len(rngs):
        raise ValueError(f"scales must have one value per generator ({len(rngs)}), got {sc.size}")
    out = np.empty((n_steps, len(rngs)))
    for i, rng in enumerate(rngs):
        out[:, i] = simulate_household_load(
            params,
            rng,
            n_steps=n_steps,
            step_hours=step_hours,
            start_hour=start_hour,
            start_weekday=start_weekday,
            scale=float(sc[i]),
        )
    return out


def draw_household_scales(
    rng: np.random.Generator, n: int, *, mean: float = 1.0, sigma: float = 0.4
) -> FloatArray:
    """Draw a spread of household scales from a lognormal with the given mean.

    ``scale = mean · exp(σ Z - σ²/2)``, ``Z`` standard normal, so ``E[scale] = mean`` and
    the median is ``mean · exp(-σ²/2)``. Draws ``n`` normals in order, so household ``i``'s
    scale does not change when households are added after it.

    Args:
        rng: Generator of the population's scales.
        n: Number of households, >= 0.
        mean: Mean scale, > 0.
        sigma: Standard deviation of the log scale, >= 0.

    Returns:
        Array ``(n,)`` of positive scales.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if not (math.isfinite(mean) and mean > 0):
        raise ValueError(f"mean must be > 0, got {mean}")
    if not (math.isfinite(sigma) and sigma >= 0):
        raise ValueError(f"sigma must be >= 0, got {sigma}")
    z = rng.standard_normal(n)
    return np.asarray(mean * portable.exp(sigma * z - 0.5 * sigma * sigma), dtype=np.float64)
