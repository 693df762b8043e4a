"""TRY2010 weather from demandlib's files, solar geometry and the hub-height law."""

import datetime as dt
import math

import numpy as np
import pytest

from rex_cli.stochastic.weather import (
    ShearLaw,
    hub_height_speed_ms,
    read_try2010,
    solar_cos_incidence,
    solar_cos_zenith,
    try2010_unit_weather,
)


def test_try2010_potsdam_is_read_with_its_station():
    w = read_try2010(4)
    assert w.temperature_c.size == 8760
    assert "Potsdam" in w.source
    assert math.isclose(w.latitude_deg, 52 + 23 / 60) and math.isclose(w.longitude_deg, 13 + 4 / 60)
    # first data row of the file: 1 1 1 1 1 ... (month 1, day 1, hour 1)
    assert (w.month[0], w.day[0], w.hour[0]) == (1, 1, 1)
    assert (w.month[-1], w.day[-1], w.hour[-1]) == (12, 31, 24)
    # a mean year in Potsdam: about 9.5 °C and 1,000-1,150 kWh/m² of global irradiation
    assert 8.5 < w.temperature_c.mean() < 10.5
    assert 1000 < (w.direct_w_m2 + w.diffuse_w_m2).sum() / 1000 < 1150


@pytest.mark.parametrize("region", [1, 15])
def test_every_region_file_parses(region):
    assert read_try2010(region).wind_ms.size == 8760


def test_bad_region_is_refused():
    with pytest.raises(ValueError, match="region"):
        read_try2010(16)


def test_unit_weather_keeps_the_daily_irradiation_and_matches_hours():
    w = read_try2010(4)
    day = dt.date(2025, 6, 21)
    u = try2010_unit_weather(4, start=day, n_units=96, unit_minutes=15.0)
    rows = (w.month == 6) & (w.day == 21)
    assert np.isclose(u.global_w_m2.sum() / 4, (w.direct_w_m2 + w.diffuse_w_m2)[rows].sum())
    # temperature at 12:00 is the row HH=12; the unit 11:52.5-12:07.5 does not exist, but
    # the mean of units 11:45-12:00 and 12:00-12:15 is the point value within the slopes
    t12 = w.temperature_c[rows][11]
    assert abs(0.5 * (u.temperature_c[47] + u.temperature_c[48]) - t12) < 0.5
    # hourly units give each hour's radiation exactly
    h = try2010_unit_weather(4, start=day, n_units=24, unit_minutes=60.0)
    assert np.allclose(h.direct_w_m2, w.direct_w_m2[rows])


def test_new_year_wraps_and_leap_day_uses_february_28():
    u = try2010_unit_weather(4, start=dt.date(2024, 12, 31), n_units=48, unit_minutes=60.0)
    w = read_try2010(4)
    jan1 = (w.month == 1) & (w.day == 1)
    assert np.allclose(u.direct_w_m2[24:], w.direct_w_m2[jan1])
    leap = try2010_unit_weather(4, start=dt.date(2024, 2, 29), n_units=24, unit_minutes=60.0)
    feb28 = (w.month == 2) & (w.day == 28)
    assert np.allclose(leap.diffuse_w_m2, w.diffuse_w_m2[feb28])


def test_solar_noon_at_the_equinox_by_hand():
    # Potsdam, 2025-03-20: declination ≈ 0, so at solar noon cos θz = cos φ.
    lat, lon = 52.0, 15.0  # on the CET meridian: solar noon = 12:00 + equation of time
    times = [dt.datetime(2025, 3, 20, 12, 0) + dt.timedelta(minutes=m) for m in range(-30, 31)]
    cz = solar_cos_zenith(times, latitude_deg=lat, longitude_deg=lon)
    assert abs(cz.max() - math.cos(math.radians(lat))) < 0.01
    # equation of time on 20 March is about −7.5 min: the sun culminates near 12:07
    assert 5 <= int(np.argmax(cz)) - 30 <= 10
    midnight = solar_cos_zenith(
        [dt.datetime(2025, 3, 20, 0, 0)], latitude_deg=lat, longitude_deg=lon
    )
    assert midnight[0] < 0


def test_a_plane_facing_the_noon_sun_sees_it_head_on():
    # at solar noon a south plane tilted by the zenith angle has incidence 0 (cos = 1)
    times = [dt.datetime(2025, 6, 21, 12, 0) + dt.timedelta(minutes=m) for m in range(0, 20)]
    cz = solar_cos_zenith(times, latitude_deg=52.0, longitude_deg=15.0)
    k = int(np.argmax(cz))
    tilt = math.degrees(math.acos(cz[k]))
    ci = solar_cos_incidence(
        [times[k]], latitude_deg=52.0, longitude_deg=15.0, tilt_deg=tilt, azimuth_deg=0.0
    )
    assert ci[0] > 0.9999


def test_hub_height_laws_by_hand():
    v = hub_height_speed_ms(
        [4.0], from_height_m=10, to_height_m=100, law=ShearLaw.log, roughness_m=0.1
    )
    assert np.isclose(v[0], 4.0 * math.log(1000) / math.log(100))  # = 6.0
    p = hub_height_speed_ms(
        [4.0], from_height_m=10, to_height_m=100, law=ShearLaw.power, alpha=1 / 7
    )
    assert np.isclose(p[0], 4.0 * 10 ** (1 / 7))
    with pytest.raises(ValueError, match="roughness"):
        hub_height_speed_ms([1.0], from_height_m=10, to_height_m=100, roughness_m=20.0)
