"""Wind speed and wind power: a Gaussian AR(1) mapped to a Weibull marginal.

Model, per farm ``f`` and step ``t`` (step length ``Δ`` hours):

* latent Gaussian ``z[t, f] = φ_Δ z[t-1, f] + sqrt(1 - φ_Δ²) η[t, f]``, started from its
  stationary law ``z[0, f] = η[0, f]``, so every ``z[t, f]`` is standard normal;
* innovations correlated across farms through a common factor:
  ``η[t, f] = sqrt(ρ) g[t] + sqrt(1 - ρ) ε[t, f]``, with ``g`` drawn from the ``common``
  generator and ``ε[:, f]`` from farm ``f``'s own generator. Hence ``corr(z[t, f],
  z[t, f']) = ρ`` for ``f ≠ f'`` at every lag-0, and adding a farm leaves every other
  farm's series unchanged (common random numbers);
* speed ``v[t, f] = c(h_t) (-ln(1 - Φ(z)))^(1/k)``: the probability integral transform
  of ``z`` through the standard normal CDF ``Φ`` and the inverse Weibull CDF, so ``v`` has
  a Weibull(``k``, ``c``) marginal. ``ln(1 - Φ(z))`` is computed as ``log_ndtr(-z)``,
  which is exact in both tails.
* optional diurnal modulation of the scale: ``c(h) = c_ms (1 + a cos(2π (h - h_peak) /
  24))`` with ``h`` the hour of day at the middle of the step.

The AR(1) coefficient is given for a reference step ``phi_step_hours`` (default 15
minutes); for another step length it is rescaled as for a continuously observed
Ornstein-Uhlenbeck process, ``φ_Δ = φ^(Δ / phi_step_hours)``, i.e. the correlation time
``-phi_step_hours / ln φ`` is what the parameter fixes.

Power: :class:`PowerCurve` maps the step's mean speed to a fraction of rated power (the
power curve is applied to the step mean; sub-step fluctuations are not modelled).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import special

from rex_cli.sim import portable
from rex_cli.stochastic.ar1 import ar1

__all__ = [
    "PowerCurve",
    "WeibullAR1Params",
    "diurnal_scale_ms",
    "simulate_latent_gaussian",
    "simulate_wind_speed",
    "weibull_from_gaussian",
]

FloatArray = npt.NDArray[np.float64]


def _finite(name: str, value: float) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")


@dataclass(frozen=True, kw_only=True, slots=True)
class WeibullAR1Params:
    """Parameters of the wind-speed model (see the module docstring).

    Attributes:
        k: Weibull shape (dimensionless), > 0. Typical sites: 1.8 to 2.5.
        c_ms: Weibull scale in m/s, > 0 (mean speed is ``c Γ(1 + 1/k)``).
        phi: Lag-1 autocorrelation of the latent Gaussian for a step of
            ``phi_step_hours``, in ``[0, 1)``. 0.97 per 15 min is a correlation time of
            about 8 h.
        phi_step_hours: Step length (hours) that ``phi`` refers to, > 0.
        diurnal_amplitude: Relative amplitude ``a`` of the daily cycle of the scale, in
            ``[0, 1)``; 0 switches it off (then the marginal is exactly Weibull).
        diurnal_peak_hour: Hour of day (0 to 24) at which the scale peaks.
    """

    k: float
    c_ms: float
    phi: float
    phi_step_hours: float = 0.25
    diurnal_amplitude: float = 0.0
    diurnal_peak_hour: float = 15.0

    def __post_init__(self) -> None:
        for name in ("k", "c_ms", "phi", "phi_step_hours", "diurnal_amplitude"):
            _finite(name, getattr(self, name))
        _finite("diurnal_peak_hour", self.diurnal_peak_hour)
        if self.k <= 0:
            raise ValueError(f"k must be > 0, got {self.k}")
        if self.c_ms <= 0:
            raise ValueError(f"c_ms must be > 0, got {self.c_ms}")
        if not 0.0 <= self.phi < 1.0:
            raise ValueError(f"phi must be in [0, 1), got {self.phi}")
        if self.phi_step_hours <= 0:
            raise ValueError(f"phi_step_hours must be > 0, got {self.phi_step_hours}")
        if not 0.0 <= self.diurnal_amplitude < 1.0:
            raise ValueError(f"diurnal_amplitude must be in [0, 1), got {self.diurnal_amplitude}")
        if not 0.0 <= self.diurnal_peak_hour <= 24.0:
            raise ValueError(f"diurnal_peak_hour must be in [0, 24], got {self.diurnal_peak_hour}")

    @classmethod
    def from_correlation_time(
        cls,
        *,
        k: float,
        c_ms: float,
        correlation_time_h: float,
        diurnal_amplitude: float = 0.0,
        diurnal_peak_hour: float = 15.0,
    ) -> WeibullAR1Params:
        """Build the parameters from an e-folding correlation time in hours (> 0)."""
        if not correlation_time_h > 0:
            raise ValueError(f"correlation_time_h must be > 0, got {correlation_time_h}")
        return cls(
            k=k,
            c_ms=c_ms,
            phi=math.exp(-1.0 / correlation_time_h),
            phi_step_hours=1.0,
            diurnal_amplitude=diurnal_amplitude,
            diurnal_peak_hour=diurnal_peak_hour,
        )

    @property
    def correlation_time_h(self) -> float:
        """E-folding time of the latent autocorrelation, hours (0 if ``phi == 0``)."""
        return 0.0 if self.phi == 0.0 else -self.phi_step_hours / math.log(self.phi)

    def phi_for(self, step_hours: float) -> float:
        """Return the lag-1 autocorrelation for a step of ``step_hours`` hours."""
        if not step_hours > 0:
            raise ValueError(f"step_hours must be > 0, got {step_hours}")
        return float(self.phi ** (step_hours / self.phi_step_hours))

    def mean_speed_ms(self) -> float:
        """Return the mean of the Weibull marginal, m/s (without diurnal modulation)."""
        return self.c_ms * math.gamma(1.0 + 1.0 / self.k)


def _check_run(n_steps: int, step_hours: float) -> None:
    if isinstance(n_steps, bool) or not isinstance(n_steps, int | np.integer) or n_steps < 0:
        raise ValueError(f"n_steps must be an int >= 0, got {n_steps!r}")
    if not (math.isfinite(step_hours) and step_hours > 0):
        raise ValueError(f"step_hours must be > 0, got {step_hours}")


def simulate_latent_gaussian(
    phi: float,
    *,
    common: np.random.Generator,
    farms: Sequence[np.random.Generator],
    n_steps: int,
    rho: float,
) -> FloatArray:
    """Simulate the stationary, cross-correlated Gaussian AR(1) behind the wind speed.

    Draws ``n_steps`` standard normals from ``common`` and ``n_steps`` from each farm's
    generator, in that order; a longer run extends a shorter one (same prefix).

    Args:
        phi: Lag-1 autocorrelation per step, in ``[0, 1)``.
        common: Generator of the factor shared by all farms.
        farms: One generator per farm (the farm's own stream).
        n_steps: Number of steps, >= 0.
        rho: Correlation between farms of the innovations and of the levels, in ``[0, 1]``.

    Returns:
        Array ``(n_steps, n_farms)`` of standard-normal marginals.
    """
    if not 0.0 <= phi < 1.0:
        raise ValueError(f"phi must be in [0, 1), got {phi}")
    if not 0.0 <= rho <= 1.0:
        raise ValueError(f"rho must be in [0, 1], got {rho}")
    _check_run(n_steps, 1.0)
    n_farms = len(farms)
    g = common.standard_normal(n_steps)
    eps = np.empty((n_steps, n_farms))
    for f, rng in enumerate(farms):
        eps[:, f] = rng.standard_normal(n_steps)
    eta = math.sqrt(rho) * g[:, None] + math.sqrt(1.0 - rho) * eps
    if n_steps <= 1 or n_farms == 0:
        return eta
    return ar1(eta, phi)


def weibull_from_gaussian(
    z: npt.ArrayLike,
    *,
    k: float,
    c_ms: float | npt.ArrayLike,
) -> FloatArray:
    """Map standard-normal values to a Weibull(k, c) marginal (probability integral transform).

    Args:
        z: Standard-normal values.
        k: Weibull shape, > 0.
        c_ms: Weibull scale in m/s (scalar or broadcastable to ``z``).

    Returns:
        Speeds in m/s, ``c (-ln(1 - Φ(z)))^(1/k)``, same shape as the broadcast inputs.
    """
    zz = np.asarray(z, dtype=np.float64)
    # -ln(1 - Φ(z)) = -ln Φ(-z): log_ndtr keeps full precision in the upper tail.
    hazard = -special.log_ndtr(-zz)
    return np.asarray(
        np.asarray(c_ms, dtype=np.float64) * portable.power(hazard, 1.0 / k), dtype=np.float64
    )


def diurnal_scale_ms(params: WeibullAR1Params, hours: npt.ArrayLike) -> FloatArray:
    """Return the Weibull scale (m/s) at the given hours (any real, taken modulo 24)."""
    h = np.asarray(hours, dtype=np.float64)
    phase = 2.0 * np.pi * (h - params.diurnal_peak_hour) / 24.0
    return params.c_ms * (1.0 + params.diurnal_amplitude * portable.cos(phase))


def simulate_wind_speed(
    params: WeibullAR1Params,
    *,
    common: np.random.Generator,
    farms: Sequence[np.random.Generator],
    n_steps: int,
    step_hours: float,
    rho: float,
    start_hour: float = 0.0,
) -> FloatArray:
    """Simulate hub-height mean wind speed per step for several farms.

    Args:
        params: Marginal, persistence and daily cycle of the speed.
        common: Generator of the factor shared by all farms (one per run).
        farms: One generator per farm; farm ``f``'s series depends only on ``common`` and
            ``farms[f]``.
        n_steps: Number of steps, >= 0.
        step_hours: Step length in hours (the unit length, e.g. 0.25), > 0.
        rho: Cross-farm correlation of the latent Gaussian, in ``[0, 1]``.
        start_hour: Hour of day at the start of step 0 (the diurnal cycle is evaluated at
            each step's middle, ``start_hour + (t + 0.5) step_hours``).

    Returns:
        Array ``(n_steps, n_farms)`` of mean speeds in m/s, all >= 0.
    """
    _check_run(n_steps, step_hours)
    _finite("start_hour", start_hour)
    z = simulate_latent_gaussian(
        params.phi_for(step_hours), common=common, farms=farms, n_steps=n_steps, rho=rho
    )
    if params.diurnal_amplitude == 0.0:
        scale: float | FloatArray = params.c_ms
    else:
        hours = start_hour + (np.arange(n_steps) + 0.5) * step_hours
        scale = diurnal_scale_ms(params, hours)[:, None]
    return weibull_from_gaussian(z, k=params.k, c_ms=scale)


@dataclass(frozen=True, kw_only=True, slots=True)
class PowerCurve:
    """Normalised power curve of a wind turbine (or farm).

    ``fraction(v)`` is 0 below ``cut_in_ms``; ``(v³ - v_in³) / (v_r³ - v_in³)`` from
    cut-in up to ``rated_ms``; 1 from rated up to and including ``cut_out_ms``; 0 above
    cut-out (storm shutdown, no hysteresis).

    Attributes:
        cut_in_ms: Cut-in speed, m/s, >= 0.
        rated_ms: Rated speed, m/s, > cut-in.
        cut_out_ms: Cut-out speed, m/s, >= rated.
    """

    cut_in_ms: float = 3.0
    rated_ms: float = 12.0
    cut_out_ms: float = 25.0

    def __post_init__(self) -> None:
        for name in ("cut_in_ms", "rated_ms", "cut_out_ms"):
            _finite(name, getattr(self, name))
        if self.cut_in_ms < 0:
            raise ValueError(f"cut_in_ms must be >= 0, got {self.cut_in_ms}")
        if self.rated_ms <= self.cut_in_ms:
            raise ValueError(
                f"rated_ms must be > cut_in_ms ({self.cut_in_ms}), got {self.rated_ms}"
            )
        if self.cut_out_ms < self.rated_ms:
            raise ValueError(
                f"cut_out_ms must be >= rated_ms ({self.rated_ms}), got {self.cut_out_ms}"
            )

    def fraction(self, speed_ms: npt.ArrayLike) -> FloatArray:
        """Return output as a fraction of rated power, in ``[0, 1]``, for speeds in m/s."""
        v = np.asarray(speed_ms, dtype=np.float64)
        vin3 = self.cut_in_ms**3
        ramp = (v**3 - vin3) / (self.rated_ms**3 - vin3)
        out = np.where(v < self.rated_ms, ramp, 1.0)
        out = np.where((v < self.cut_in_ms) | (v > self.cut_out_ms), 0.0, out)
        return np.asarray(np.clip(out, 0.0, 1.0), dtype=np.float64)

    def energy_kwh(
        self, speed_ms: npt.ArrayLike, capacity_kw: float | npt.ArrayLike, step_hours: float
    ) -> FloatArray:
        """Return energy produced per step, kWh (>= 0).

        Args:
            speed_ms: Mean speed per step, m/s, e.g. ``(n_steps, n_farms)``.
            capacity_kw: Rated power, kW (scalar, or per farm broadcast on the last axis).
            step_hours: Step length in hours, > 0.
        """
        if not step_hours > 0:
            raise ValueError(f"step_hours must be > 0, got {step_hours}")
        cap = np.asarray(capacity_kw, dtype=np.float64)
        if np.any(cap < 0):
            raise ValueError("capacity_kw must be >= 0")
        return np.asarray(self.fraction(speed_ms) * cap * step_hours, dtype=np.float64)
