"""Weather per unit: DWD test reference years, solar geometry and the hub-height law.

Source (``weather.model=try2010``): the DWD test reference years TRY2010 (BBR/DWD
2011, *Aktualisierte und erweiterte Testreferenzjahre von Deutschland für mittlere und
extreme Witterungsverhältnisse*), mean year, 15 climate regions, read from the files
``vdi/resources_weather/TRY2010_RR_Jahr.dat`` that ``demandlib`` ships. Each file has
8,760 hourly rows (month, day, hour 1-24 in CET, i.e. UTC+1 all year) and a header
with the station's latitude and longitude. Rex reads four columns:

============  =====================================  =====  =========================
column        quantity                               unit   kind (interpolation)
============  =====================================  =====  =========================
``t``         air temperature at 2 m                 °C     point at HH:00 (linear)
``WG``        wind speed at 10 m                     m/s    point at HH:00 (linear)
``B``         direct irradiance, horizontal plane    W/m²   mean of the hour ending
                                                            HH:00 (conservative)
``D``         diffuse irradiance, horizontal plane   W/m²   as ``B`` (conservative)
============  =====================================  =====  =========================

Hourly values reach the unit by :mod:`rex_cli.stochastic.interpolate`: points
linearly, irradiances (hourly means, i.e. energies per hour) conservatively with
minmod slopes (daily irradiation is kept exactly; no light appears at night).

Calendar: the simulation clock is CET (UTC+1) without daylight saving, as the TRY
and the BDEW profiles are; unit ``j`` covers ``[j ε, (j+1) ε)`` minutes after midnight
of ``calendar.start``. A TRY is a typical year without a year: each calendar date
takes the TRY rows of its month and day (29 February those of 28 February); runs
across the new year wrap from 31 December to 1 January.

Solar geometry (:func:`solar_cos_incidence`): declination and equation of time by
Spencer (1971), *Search* 2(5), 172, as given in Duffie & Beckman, *Solar Engineering
of Thermal Processes* (4th ed., 2013), eqs. 1.4.2 and 1.5.3 / 1.6.1; the angle of
incidence on a tilted plane by D&B eq. 1.6.2, evaluated at each unit's midpoint.

Hub height (:func:`hub_height_speed_ms`): the logarithmic profile of a neutral
surface layer, ``v(z) = v(z_r) · ln(z/z_0) / ln(z_r/z_0)`` (Manwell, McGowan & Rogers,
*Wind Energy Explained*, 2nd ed., eq. 2.3.17), or the power law
``v(z) = v(z_r) · (z/z_r)^α`` (ibid. eq. 2.3.16; α = 1/7 for open terrain).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

import numpy as np
import numpy.typing as npt

from rex_cli.sim import portable
from rex_cli.stochastic.demandlib_files import demandlib_file
from rex_cli.stochastic.interpolate import units_from_intervals, units_from_points

__all__ = [
    "HourlyWeather",
    "ShearLaw",
    "UnitWeather",
    "hourly_to_units",
    "hub_height_speed_ms",
    "read_try2010",
    "solar_cos_incidence",
    "solar_cos_zenith",
    "try2010_unit_weather",
    "unit_cos_incidence",
    "unit_midpoints",
]

FloatArray = npt.NDArray[np.float64]

TRY_REGIONS = range(1, 16)
_DAY_MIN = 1440.0


@dataclass(frozen=True, kw_only=True, eq=False)
class HourlyWeather:
    """A year of hourly weather (a TRY file).

    Attributes:
        month: Month of each row, 1-12, shape ``(8760,)``.
        day: Day of month of each row.
        hour: Hour 1-24 (CET); the row's point values are at ``hour:00``, its
            irradiances the mean over the hour ending then.
        temperature_c: Air temperature at 2 m, °C.
        wind_ms: Wind speed at ``wind_height_m``, m/s.
        direct_w_m2: Direct (beam) irradiance on the horizontal, W/m².
        diffuse_w_m2: Diffuse irradiance on the horizontal, W/m².
        wind_height_m: Measurement height of the wind speed, m.
        latitude_deg: Station latitude, degrees north.
        longitude_deg: Station longitude, degrees east.
        source: What was read (file and station).
    """

    month: npt.NDArray[np.int64]
    day: npt.NDArray[np.int64]
    hour: npt.NDArray[np.int64]
    temperature_c: FloatArray
    wind_ms: FloatArray
    direct_w_m2: FloatArray
    diffuse_w_m2: FloatArray
    wind_height_m: float
    latitude_deg: float
    longitude_deg: float
    source: str


@dataclass(frozen=True, kw_only=True, eq=False)
class UnitWeather:
    """Weather per unit (means over each unit), the input of PV, heat pumps and wind.

    Attributes:
        start: Start of unit 0 (naive, CET).
        unit_minutes: Unit length ε, minutes.
        temperature_c: Air temperature, °C, shape ``(n_units,)``.
        wind_ms: Wind speed at ``wind_height_m``, m/s.
        direct_w_m2: Direct irradiance on the horizontal, W/m².
        diffuse_w_m2: Diffuse irradiance on the horizontal, W/m².
        wind_height_m: Height of ``wind_ms``, m.
        latitude_deg: Latitude of the site, degrees north.
        longitude_deg: Longitude, degrees east.
        source: Where the data came from.
    """

    start: dt.datetime
    unit_minutes: float
    temperature_c: FloatArray
    wind_ms: FloatArray
    direct_w_m2: FloatArray
    diffuse_w_m2: FloatArray
    wind_height_m: float
    latitude_deg: float
    longitude_deg: float
    source: str

    @property
    def n_units(self) -> int:
        """Number of units."""
        return int(self.temperature_c.size)

    @property
    def global_w_m2(self) -> FloatArray:
        """Global horizontal irradiance ``B + D``, W/m²."""
        return np.asarray(self.direct_w_m2 + self.diffuse_w_m2, dtype=np.float64)


# --- reading a TRY2010 file -------------------------------------------------------

_LAGE = re.compile(r"(\d+)°(\d+)'N.*?(\d+)°(\d+)'O")


@functools.cache
def read_try2010(region: int) -> HourlyWeather:
    """Read the TRY2010 mean year of a climate region (1-15) from demandlib's files.

    Raises:
        ValueError: ``region`` not in 1-15, or the file does not parse.
        MissingDataPackageError: demandlib is not installed.
    """
    if isinstance(region, bool) or region not in TRY_REGIONS:
        raise ValueError(f"region must be an integer in 1..15, got {region!r}")
    name = f"TRY2010_{region:02d}_Jahr.dat"
    text = demandlib_file("vdi", "resources_weather", name).read_text(encoding="utf-8")
    lines = text.splitlines()
    lage = _LAGE.search(" ".join(lines[:5]))
    if lage is None:
        raise ValueError(f"{name}: no station coordinates in the header")
    lat = int(lage.group(1)) + int(lage.group(2)) / 60.0
    lon = int(lage.group(3)) + int(lage.group(4)) / 60.0
    station = lines[1].split("Station:")[-1].split("WMO")[0].strip() if len(lines) > 1 else ""
    try:
        first = next(i for i, line in enumerate(lines) if line.strip() == "***") + 1
    except StopIteration:
        raise ValueError(f"{name}: no '***' line before the data") from None
    rows = np.array([line.split() for line in lines[first:] if line.strip()], dtype=np.float64)
    if rows.shape != (8760, 19):
        raise ValueError(f"{name}: expected 8760 rows of 19 columns, got {rows.shape}")
    # RG IS MM DD HH N WR WG t p x RF W B D IK A E IL
    return HourlyWeather(
        month=rows[:, 2].astype(np.int64),
        day=rows[:, 3].astype(np.int64),
        hour=rows[:, 4].astype(np.int64),
        temperature_c=rows[:, 8].copy(),
        wind_ms=rows[:, 7].copy(),
        direct_w_m2=rows[:, 13].copy(),
        diffuse_w_m2=rows[:, 14].copy(),
        wind_height_m=10.0,
        latitude_deg=lat,
        longitude_deg=lon,
        source=f"DWD TRY2010 region {region} ({station}), demandlib {name}",
    )


def _try_day_rows(weather: HourlyWeather) -> dict[tuple[int, int], slice]:
    out: dict[tuple[int, int], slice] = {}
    for d in range(weather.month.size // 24):
        out[(int(weather.month[24 * d]), int(weather.day[24 * d]))] = slice(24 * d, 24 * d + 24)
    return out


def hourly_to_units(
    weather: HourlyWeather,
    *,
    start: dt.date,
    n_units: int,
    unit_minutes: float,
) -> UnitWeather:
    """Unit means of a typical year's weather from midnight of ``start`` (see the module doc).

    Args:
        weather: The hourly year (e.g. :func:`read_try2010`).
        start: The calendar date of unit 0's start (midnight, CET).
        n_units: Number of units.
        unit_minutes: Unit length ε, minutes.
    """
    if n_units < 0:
        raise ValueError(f"n_units must be >= 0, got {n_units}")
    days = math.ceil(n_units * unit_minutes / _DAY_MIN) + 2  # one day either side
    index = _try_day_rows(weather)
    rows: list[np.ndarray] = []
    for k in range(-1, days - 1):
        d = start + dt.timedelta(days=k)
        key = (d.month, 28 if (d.month, d.day) == (2, 29) else d.day)
        rows.append(np.arange(index[key].start, index[key].stop))
    idx = np.concatenate(rows)
    # hour HH of day k: point values at k·1440 + HH·60; irradiance over the hour before.
    k_of_row = np.repeat(np.arange(-1, days - 1), 24)
    t_point = k_of_row * _DAY_MIN + weather.hour[idx] * 60.0
    edges = np.append(t_point - 60.0, t_point[-1])
    grid: dict[str, Any] = {"start_min": 0.0, "unit_minutes": unit_minutes, "n_units": n_units}
    return UnitWeather(
        start=dt.datetime(start.year, start.month, start.day),
        unit_minutes=float(unit_minutes),
        temperature_c=units_from_points(t_point, weather.temperature_c[idx], **grid),
        wind_ms=units_from_points(t_point, weather.wind_ms[idx], **grid),
        direct_w_m2=units_from_intervals(edges, weather.direct_w_m2[idx], **grid),
        diffuse_w_m2=units_from_intervals(edges, weather.diffuse_w_m2[idx], **grid),
        wind_height_m=weather.wind_height_m,
        latitude_deg=weather.latitude_deg,
        longitude_deg=weather.longitude_deg,
        source=weather.source,
    )


def try2010_unit_weather(
    region: int, *, start: dt.date, n_units: int, unit_minutes: float
) -> UnitWeather:
    """Unit means of the TRY2010 weather of ``region`` from midnight of ``start``."""
    return hourly_to_units(
        read_try2010(region), start=start, n_units=n_units, unit_minutes=unit_minutes
    )


# --- solar geometry ---------------------------------------------------------------


def unit_midpoints(start: dt.datetime, unit_minutes: float, n_units: int) -> list[dt.datetime]:
    """Midpoints of the units (naive CET date-times)."""
    half = dt.timedelta(minutes=unit_minutes / 2.0)
    step = dt.timedelta(minutes=unit_minutes)
    return [start + half + j * step for j in range(n_units)]


def _declination_eot(day_of_year: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Declination (rad) and equation of time (min), Spencer (1971)."""
    b = 2.0 * np.pi * (day_of_year - 1.0) / 365.0
    c1, s1 = portable.cos(b), portable.sin(b)
    c2, s2 = portable.cos(2 * b), portable.sin(2 * b)
    c3, s3 = portable.cos(3 * b), portable.sin(3 * b)
    decl = 0.006918 - 0.399912 * c1 + 0.070257 * s1 - 0.006758 * c2
    decl = decl + 0.000907 * s2 - 0.002697 * c3 + 0.00148 * s3
    eot = 229.2 * (0.000075 + 0.001868 * c1 - 0.032077 * s1 - 0.014615 * c2 - 0.04089 * s2)
    return decl, eot


def _hour_angle(
    times: list[dt.datetime], longitude_deg: float, utc_offset_h: float
) -> tuple[FloatArray, FloatArray]:
    doy = np.array([t.timetuple().tm_yday for t in times], dtype=np.float64)
    clock_min = np.array([t.hour * 60 + t.minute + t.second / 60.0 for t in times])
    decl, eot = _declination_eot(doy)
    # solar time = standard time + 4 min/deg (L_loc − L_st) + E (D&B eq. 1.5.2, east +)
    solar_min = clock_min + 4.0 * (longitude_deg - 15.0 * utc_offset_h) + eot
    omega = np.deg2rad(0.25 * (solar_min - 720.0))
    return decl, omega


def solar_cos_zenith(
    times: list[dt.datetime],
    *,
    latitude_deg: float,
    longitude_deg: float,
    utc_offset_h: float = 1.0,
) -> FloatArray:
    """Cosine of the solar zenith angle at local standard times (negative: sun down)."""
    return solar_cos_incidence(
        times, latitude_deg=latitude_deg, longitude_deg=longitude_deg, tilt_deg=0.0,
        azimuth_deg=0.0, utc_offset_h=utc_offset_h,
    )  # fmt: skip


def solar_cos_incidence(
    times: list[dt.datetime],
    *,
    latitude_deg: float,
    longitude_deg: float,
    tilt_deg: float,
    azimuth_deg: float,
    utc_offset_h: float = 1.0,
) -> FloatArray:
    """Cosine of the angle of incidence of beam radiation on a tilted plane.

    Duffie & Beckman eq. 1.6.2. The surface azimuth ``γ`` is measured from south,
    west positive (0 = facing south, −90 = east, 90 = west); the tilt ``β`` from the
    horizontal (0 = horizontal, which gives the cosine of the zenith angle).

    Returns:
        One value per time; negative when the sun is behind the plane.
    """
    decl, omega = _hour_angle(times, longitude_deg, utc_offset_h)
    sun = (portable.sin(decl), portable.cos(decl), portable.cos(omega), portable.sin(omega))
    return _cos_incidence(sun, latitude_deg, tilt_deg, azimuth_deg)


def _cos_incidence(
    sun: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
    latitude_deg: float,
    tilt_deg: float,
    azimuth_deg: float,
) -> FloatArray:
    sd, cd, cw, sw = sun
    phi = math.radians(latitude_deg)
    beta = math.radians(tilt_deg)
    gamma = math.radians(azimuth_deg)
    sp, cp, sb, cb = math.sin(phi), math.cos(phi), math.sin(beta), math.cos(beta)
    # D&B eq. 1.6.2, grouped by the sun's terms
    k_sd = sp * cb - cp * sb * math.cos(gamma)
    k_cdcw = cp * cb + sp * sb * math.cos(gamma)
    k_cdsw = sb * math.sin(gamma)
    return np.asarray(k_sd * sd + k_cdcw * cd * cw + k_cdsw * cd * sw, dtype=np.float64)


@functools.lru_cache(maxsize=64)
def _unit_sun(
    start: dt.datetime, unit_minutes: float, n_units: int, longitude_deg: float, offset: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    decl, omega = _hour_angle(unit_midpoints(start, unit_minutes, n_units), longitude_deg, offset)
    out = (portable.sin(decl), portable.cos(decl), portable.cos(omega), portable.sin(omega))
    for a in out:
        a.setflags(write=False)
    return out


def unit_cos_incidence(
    weather: UnitWeather, *, tilt_deg: float, azimuth_deg: float, shift_minutes: float = 0.0
) -> FloatArray:
    """:func:`solar_cos_incidence` at the units' midpoints (plus ``shift_minutes``) of ``weather``.

    The sun's position per unit is computed once per weather grid and cached.
    """
    start = weather.start + dt.timedelta(minutes=shift_minutes)
    sun = _unit_sun(start, weather.unit_minutes, weather.n_units, weather.longitude_deg, 1.0)
    return _cos_incidence(sun, weather.latitude_deg, tilt_deg, azimuth_deg)


# --- hub height -------------------------------------------------------------------


class ShearLaw(Enum):
    """How wind speed grows with height."""

    log = "log"
    power = "power"


def hub_height_speed_ms(
    speed_ms: npt.ArrayLike,
    *,
    from_height_m: float,
    to_height_m: float,
    law: ShearLaw = ShearLaw.log,
    roughness_m: float = 0.1,
    alpha: float = 1.0 / 7.0,
) -> FloatArray:
    """Scale a wind speed measured at ``from_height_m`` to ``to_height_m`` (module doc).

    Args:
        speed_ms: Speeds at the measurement height, m/s.
        from_height_m: Measurement height ``z_r``, m, > roughness.
        to_height_m: Hub height ``z``, m, > roughness.
        law: ``log`` (roughness length ``z_0``) or ``power`` (exponent ``α``).
        roughness_m: ``z_0``, m (0.1: farmland with some hedges; 0.03: open grass).
        alpha: ``α`` of the power law.
    """
    v = np.asarray(speed_ms, dtype=np.float64)
    if law is ShearLaw.log:
        if not 0 < roughness_m < min(from_height_m, to_height_m):
            raise ValueError(
                f"roughness_m must be in (0, min(heights)), got {roughness_m} "
                f"(heights {from_height_m}, {to_height_m})"
            )
        factor = math.log(to_height_m / roughness_m) / math.log(from_height_m / roughness_m)
    else:
        if not (from_height_m > 0 and to_height_m > 0 and math.isfinite(alpha)):
            raise ValueError("heights must be > 0 and alpha finite")
        factor = (to_height_m / from_height_m) ** alpha
    return np.asarray(v * factor, dtype=np.float64)
