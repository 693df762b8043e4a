"""Rooftop PV: irradiance on the module to AC power with a temperature derating.

Per unit (means over the unit; geometry at the unit's midpoint):

1. **Plane of array** (isotropic sky, Liu & Jordan 1963; Duffie & Beckman, *Solar
   Engineering of Thermal Processes*, 4th ed., eq. 2.15.1)::

       G_T = B · R_b + D · (1 + cos β)/2 + (B + D) · ρ_g · (1 − cos β)/2

   with ``B``, ``D`` the direct and diffuse irradiance on the horizontal, ``β`` the
   tilt, ``ρ_g`` the ground albedo and ``R_b = max(cos θ, 0) / cos θ_z`` the beam
   ratio (``θ`` the angle of incidence on the module, ``θ_z`` the zenith angle;
   :func:`rex_cli.stochastic.weather.solar_cos_incidence`). Beam counts only while the
   sun is up at the unit's midpoint; ``cos θ_z`` is floored at ``cos 85°`` so that the
   ratio stays finite at sunrise and sunset (D&B §2.14 warn about ``R_b`` near the
   horizon).
2. **Cell temperature** by the NOCT model (D&B eq. 23.3.3 without the efficiency
   term; Ross 1976)::

       T_c = T_a + (NOCT − 20 °C) · G_T / 800 W/m²

3. **DC power** with a linear power temperature coefficient ``γ`` (PVWatts: Dobos
   2014, NREL/TP-6A20-62641, eq. 3)::

       P_dc = P_stc · (G_T / 1000 W/m²) · (1 + γ (T_c − 25 °C)),   clipped at 0

4. **AC power**: ``P_ac = min(η_inv · (1 − losses) · P_dc, P_ac,max)``: constant
   inverter efficiency (PVWatts' nominal 0.96), lumped system losses (soiling, wiring,
   mismatch; PVWatts' default is 0.14) and the inverter's rating.

So at standard test conditions (1000 W/m² on the module, cells at 25 °C) the module
gives its rated ``P_stc`` and the AC side ``η_inv (1 − losses) P_stc``; without light
it gives exactly 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from rex_cli.stochastic.weather import UnitWeather, unit_cos_incidence

__all__ = [
    "PvParams",
    "plane_of_array_w_m2",
    "pv_ac_power_kw",
    "pv_energy_kwh",
    "pv_max_energy_kwh",
]

FloatArray = npt.NDArray[np.float64]

_COS_85 = math.cos(math.radians(85.0))
STC_W_M2 = 1000.0


@dataclass(frozen=True, kw_only=True, slots=True)
class PvParams:
    """A rooftop PV system (see the module docstring).

    Attributes:
        kwp: Rated DC power at standard test conditions ``P_stc``, kW, > 0.
        tilt_deg: Module tilt ``β`` from the horizontal, degrees, in [0, 90].
        azimuth_deg: Module azimuth ``γ`` from south, west positive, degrees, in
            [−180, 180].
        albedo: Ground reflectance ``ρ_g``, in [0, 1].
        noct_c: Nominal operating cell temperature, °C.
        gamma_per_c: Power temperature coefficient ``γ``, 1/°C (crystalline silicon
            about −0.004).
        inverter_efficiency: ``η_inv``, in (0, 1].
        losses: Lumped DC losses, in [0, 1).
        inverter_kw: AC rating ``P_ac,max``, kW; ``None`` = ``kwp``.
    """

    kwp: float = 5.0
    tilt_deg: float = 30.0
    azimuth_deg: float = 0.0
    albedo: float = 0.2
    noct_c: float = 45.0
    gamma_per_c: float = -0.004
    inverter_efficiency: float = 0.96
    losses: float = 0.14
    inverter_kw: float | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.kwp) and self.kwp > 0):
            raise ValueError(f"kwp must be > 0, got {self.kwp}")
        if not 0.0 <= self.tilt_deg <= 90.0:
            raise ValueError(f"tilt_deg must be in [0, 90], got {self.tilt_deg}")
        if not -180.0 <= self.azimuth_deg <= 180.0:
            raise ValueError(f"azimuth_deg must be in [-180, 180], got {self.azimuth_deg}")
        if not 0.0 <= self.albedo <= 1.0:
            raise ValueError(f"albedo must be in [0, 1], got {self.albedo}")
        if not (math.isfinite(self.noct_c) and self.noct_c > 20.0):
            raise ValueError(f"noct_c must be > 20, got {self.noct_c}")
        if not (math.isfinite(self.gamma_per_c) and -0.02 <= self.gamma_per_c <= 0.0):
            raise ValueError(f"gamma_per_c must be in [-0.02, 0], got {self.gamma_per_c}")
        if not 0.0 < self.inverter_efficiency <= 1.0:
            raise ValueError(
                f"inverter_efficiency must be in (0, 1], got {self.inverter_efficiency}"
            )
        if not 0.0 <= self.losses < 1.0:
            raise ValueError(f"losses must be in [0, 1), got {self.losses}")
        if self.inverter_kw is not None and not (
            math.isfinite(self.inverter_kw) and self.inverter_kw > 0
        ):
            raise ValueError(f"inverter_kw must be > 0, got {self.inverter_kw}")

    @property
    def ac_max_kw(self) -> float:
        """The inverter's AC rating, kW."""
        return self.kwp if self.inverter_kw is None else self.inverter_kw


def plane_of_array_w_m2(weather: UnitWeather, *, tilt_deg: float, azimuth_deg: float,
                        albedo: float = 0.2) -> FloatArray:  # fmt: skip
    """Irradiance on a tilted plane per unit, W/m² (step 1 of the module docstring)."""
    cos_z = unit_cos_incidence(weather, tilt_deg=0.0, azimuth_deg=0.0)
    cos_t = unit_cos_incidence(weather, tilt_deg=tilt_deg, azimuth_deg=azimuth_deg)
    rb = np.where(cos_z > 0.0, np.maximum(cos_t, 0.0) / np.maximum(cos_z, _COS_85), 0.0)
    beta = math.radians(tilt_deg)
    b, d = weather.direct_w_m2, weather.diffuse_w_m2
    poa = b * rb + d * (1 + math.cos(beta)) / 2 + (b + d) * albedo * (1 - math.cos(beta)) / 2
    return np.asarray(np.maximum(poa, 0.0), dtype=np.float64)


def pv_ac_power_kw(
    params: PvParams, poa_w_m2: npt.ArrayLike, ambient_c: npt.ArrayLike
) -> FloatArray:
    """AC power from the irradiance on the module and the air temperature (steps 2-4).

    Args:
        params: The system.
        poa_w_m2: Irradiance on the module, W/m², >= 0.
        ambient_c: Air temperature, °C (broadcast with ``poa_w_m2``).

    Returns:
        AC power, kW, in ``[0, params.ac_max_kw]``.
    """
    g = np.maximum(np.asarray(poa_w_m2, dtype=np.float64), 0.0)
    t_cell = np.asarray(ambient_c, dtype=np.float64) + (params.noct_c - 20.0) * g / 800.0
    dc = params.kwp * g / STC_W_M2 * (1.0 + params.gamma_per_c * (t_cell - 25.0))
    ac = params.inverter_efficiency * (1.0 - params.losses) * np.maximum(dc, 0.0)
    return np.asarray(np.minimum(ac, params.ac_max_kw), dtype=np.float64)


def pv_energy_kwh(params: PvParams, weather: UnitWeather) -> FloatArray:
    """AC energy per unit, kWh (>= 0), shape ``(weather.n_units,)``.

    The unit's mean irradiance and temperature give its mean power (the model is
    applied to unit means; sub-unit fluctuations are not modelled).
    """
    poa = plane_of_array_w_m2(
        weather, tilt_deg=params.tilt_deg, azimuth_deg=params.azimuth_deg, albedo=params.albedo
    )
    return pv_ac_power_kw(params, poa, weather.temperature_c) * (weather.unit_minutes / 60.0)


def pv_max_energy_kwh(params: PvParams, weather: UnitWeather) -> FloatArray:
    """An upper bound of the energy per unit, kWh: 0 while dark, else rating × unit.

    A unit is dark when the sun is down at its start, middle and end and the weather
    has no irradiance in it.

    Forecasts of a PV client are kept within ``[−bound, 0]`` lots (production is
    negative), so nobody forecasts light at night.
    """
    # The unit is lit if the sun is up at its start, middle or end.
    half = weather.unit_minutes / 2.0
    lit = np.zeros(weather.n_units, dtype=bool)
    for shift in (-half, 0.0, half):
        lit |= unit_cos_incidence(weather, tilt_deg=0.0, azimuth_deg=0.0, shift_minutes=shift) > 0
    lit |= (weather.direct_w_m2 + weather.diffuse_w_m2) > 0
    return np.where(lit, params.ac_max_kw * weather.unit_minutes / 60.0, 0.0)
