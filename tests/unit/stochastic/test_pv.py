"""Rooftop PV: hand-computed cases and invariants."""

import datetime as dt
import math

import numpy as np
import pytest

from rex_cli.stochastic.pv import (
    PvParams,
    plane_of_array_w_m2,
    pv_ac_power_kw,
    pv_energy_kwh,
    pv_max_energy_kwh,
)
from rex_cli.stochastic.weather import UnitWeather, try2010_unit_weather


def test_stc_gives_rated_power_times_the_ac_chain():
    p = PvParams(kwp=5.0)
    # cells at 25 °C under 1000 W/m²: T_a = 25 − (45 − 20) · 1000/800 = −6.25 °C
    ac = pv_ac_power_kw(p, 1000.0, 25.0 - 25.0 * 1000 / 800)
    assert np.isclose(ac, 5.0 * 0.96 * 0.86)
    lossless = PvParams(kwp=5.0, inverter_efficiency=1.0, losses=0.0)
    assert np.isclose(pv_ac_power_kw(lossless, 1000.0, -6.25), 5.0)


def test_temperature_derating_by_hand():
    p = PvParams(kwp=4.0, inverter_efficiency=1.0, losses=0.0, noct_c=45.0, gamma_per_c=-0.004)
    # 800 W/m², 20 °C air: cells at 45 °C (NOCT), 20 K above STC: −8%
    assert np.isclose(pv_ac_power_kw(p, 800.0, 20.0), 4.0 * 0.8 * (1 - 0.004 * 20))


def test_inverter_clips_and_dark_is_zero():
    p = PvParams(kwp=5.0, inverter_kw=3.0, inverter_efficiency=1.0, losses=0.0)
    assert np.isclose(pv_ac_power_kw(p, 1000.0, -6.25), 3.0)
    assert pv_ac_power_kw(p, 0.0, 30.0) == 0.0


def _weather(direct, diffuse, start, temp=10.0):
    n = len(direct)
    return UnitWeather(
        start=start,
        unit_minutes=60.0,
        temperature_c=np.full(n, temp),
        wind_ms=np.zeros(n),
        direct_w_m2=np.asarray(direct, float),
        diffuse_w_m2=np.asarray(diffuse, float),
        wind_height_m=10.0,
        latitude_deg=52.0,
        longitude_deg=15.0,
        source="test",
    )


def test_horizontal_module_sees_global_irradiance():
    w = _weather([300.0, 0.0], [100.0, 50.0], dt.datetime(2025, 6, 21, 11, 30))
    poa = plane_of_array_w_m2(w, tilt_deg=0.0, azimuth_deg=0.0)
    assert np.allclose(poa, [400.0, 50.0])


def test_diffuse_and_ground_on_a_vertical_plane_by_hand():
    # midnight: no beam; vertical plane sees half the sky and half the ground
    w = _weather([0.0], [100.0], dt.datetime(2025, 6, 21, 0, 0))
    poa = plane_of_array_w_m2(w, tilt_deg=90.0, azimuth_deg=0.0, albedo=0.2)
    assert np.isclose(poa[0], 100 * 0.5 + 100 * 0.2 * 0.5)


def test_zero_at_night_over_a_real_year():
    p = PvParams()
    u = try2010_unit_weather(4, start=dt.date(2025, 1, 1), n_units=365 * 24, unit_minutes=60.0)
    e = pv_energy_kwh(p, u)
    dark = u.global_w_m2 == 0
    assert dark.sum() > 3000 and (e[dark] == 0).all()
    assert (e >= 0).all() and (e <= pv_max_energy_kwh(p, u) + 1e-12).all()
    # a south roof at 30° in Potsdam: 850-1,100 kWh per kWp and year after 14% losses
    assert 850 < e.sum() / p.kwp < 1100


def test_bad_parameters_name_the_field():
    with pytest.raises(ValueError, match="tilt_deg"):
        PvParams(tilt_deg=95.0)
    with pytest.raises(ValueError, match="kwp"):
        PvParams(kwp=0.0)
    assert math.isclose(PvParams(kwp=3.0).ac_max_kw, 3.0)
