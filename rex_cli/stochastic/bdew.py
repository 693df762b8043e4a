"""Household load from the BDEW standard load profiles of 2025 (H25, P25, S25).

Source: BDEW (2025), *Standardlastprofile Strom*, the files ``h25.csv`` (households),
``p25.csv`` (households with PV) and ``s25.csv`` (households with PV and a battery)
that ``demandlib`` ships in ``bdew/bdew_data/``. Each holds 96 quarter-hour energies
(kWh, ``00:00-00:15`` … ``23:45-00:00``) for 12 months × 3 day types: ``WT`` workday
(Monday-Friday), ``SA`` Saturday, ``FT`` Sunday and public holiday, for a consumer of
about 1,000,000 kWh a year. The three are *dynamic* profiles: each day's values are
multiplied by the BDEW dynamisation polynomial of the day of the year ``d``::

    F(d) = −3.92·10⁻¹⁰ d⁴ + 3.2·10⁻⁷ d³ − 7.02·10⁻⁵ d² + 0.0021 d + 1.24

Day types, as BDEW prescribes: Sundays and the nine public holidays kept in every
German state (New Year, Good Friday, Easter Monday, 1 May, Ascension, Whit Monday,
3 October, 25 and 26 December) are ``FT``; 24 and 31 December count as Saturdays when
they fall on a workday (the convention of the VDEW 1999 load-profile guide, kept here
for the 2025 profiles: an assumption). Easter by the anonymous Gregorian algorithm
(Meeus, *Astronomical Algorithms*, ch. 8).

Scaling: a household with annual consumption ``A`` (kWh) consumes
``A · q(t) / Q(year of t)``, with ``q`` the dynamised profile and ``Q`` its integral
over that calendar year, so that **without noise a household consumes exactly ``A``
over every calendar year** (the published profiles integrate to 1,000,000 kWh within
about 0.5%; dividing by the year's own integral removes that residue and the year-to-
year drift of the calendar). The quarter-hour energies are a step function of time
(BDEW defines them constant over each quarter hour), so any unit length is served
conservatively (:func:`rex_cli.stochastic.interpolate.units_from_intervals`, order 1).

Annual consumption per household: lognormal with mean ``A̅`` and log-standard
deviation ``σ``, ``A = A̅ · exp(σ z − σ²/2)`` (:func:`draw_annual_kwh`). Noise: the
same mean-one lognormal AR(1) factor as the synthetic profile
(:mod:`rex_cli.stochastic.load`).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from enum import Enum

import numpy as np
import numpy.typing as npt

from rex_cli.sim import portable
from rex_cli.stochastic.ar1 import ar1
from rex_cli.stochastic.demandlib_files import demandlib_file
from rex_cli.stochastic.interpolate import units_from_intervals

__all__ = [
    "DayType",
    "SlpProfile",
    "bdew_household_load_kwh",
    "day_type",
    "draw_annual_kwh",
    "dynamisation",
    "german_holidays",
    "read_slp",
    "slp_energy_kwh",
]

FloatArray = npt.NDArray[np.float64]

_MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
           "September", "Oktober", "November", "Dezember")  # fmt: skip


class SlpProfile(Enum):
    """Which BDEW 2025 household profile."""

    h25 = "h25"  # households
    p25 = "p25"  # households with PV
    s25 = "s25"  # households with PV and a battery


class DayType(Enum):
    """BDEW day types (column order of :func:`read_slp`)."""

    WT = 0  # workday
    SA = 1  # Saturday
    FT = 2  # Sunday and public holiday


@functools.cache
def read_slp(profile: SlpProfile) -> FloatArray:
    """The profile's quarter-hour energies, kWh, shape ``(12 months, 3 day types, 96)``.

    Read from demandlib's CSV (two header rows: month names, day types).

    Raises:
        MissingDataPackageError: demandlib is not installed.
        ValueError: The file does not have the expected layout.
    """
    name = f"{profile.value}.csv"
    text = demandlib_file("bdew", "bdew_data", name).read_text(encoding="utf-8")
    lines = [line.split(",") for line in text.splitlines() if line.strip()]
    if len(lines) != 98 or len(lines[0]) != 37:
        raise ValueError(f"{name}: expected 2 header rows and 96 rows of 37 fields")
    months, types = lines[0][1:], lines[1][1:]
    values = np.array([row[1:] for row in lines[2:]], dtype=np.float64)  # (96, 36)
    out = np.empty((12, 3, 96))
    for c, (month, kind) in enumerate(zip(months, types, strict=True)):
        out[_MONTHS.index(month.strip()), DayType[kind.strip()].value] = values[:, c]
    return out


def _easter(year: int) -> dt.date:
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return dt.date(year, month, day)


@functools.cache
def german_holidays(year: int) -> frozenset[dt.date]:
    """The nine public holidays of every German state in ``year``."""
    easter = _easter(year)
    moving = (-2, 1, 39, 50)  # Good Friday, Easter Monday, Ascension, Whit Monday
    fixed = ((1, 1), (5, 1), (10, 3), (12, 25), (12, 26))
    days = {easter + dt.timedelta(days=k) for k in moving}
    days |= {dt.date(year, m, d) for m, d in fixed}
    return frozenset(days)


def day_type(day: dt.date) -> DayType:
    """The BDEW day type of a date (see the module docstring)."""
    if day.weekday() == 6 or day in german_holidays(day.year):
        return DayType.FT
    if day.weekday() == 5 or (day.month, day.day) in ((12, 24), (12, 31)):
        return DayType.SA
    return DayType.WT


def dynamisation(day: dt.date) -> float:
    """BDEW's dynamisation factor ``F(d)`` of a date (``d`` = day of the year)."""
    d = float(day.timetuple().tm_yday)
    return -3.92e-10 * d**4 + 3.2e-7 * d**3 - 7.02e-5 * d**2 + 0.0021 * d + 1.24


def _day_kwh(profile: SlpProfile, day: dt.date) -> FloatArray:
    table = read_slp(profile)
    return np.asarray(table[day.month - 1, day_type(day).value] * dynamisation(day))


@functools.cache
def _year_total_kwh(profile: SlpProfile, year: int) -> float:
    first = dt.date(year, 1, 1)
    n = (dt.date(year + 1, 1, 1) - first).days
    return float(sum(_day_kwh(profile, first + dt.timedelta(days=k)).sum() for k in range(n)))


def slp_energy_kwh(
    profile: SlpProfile,
    *,
    start: dt.date,
    n_units: int,
    unit_minutes: float,
    annual_kwh: float = 1.0,
) -> FloatArray:
    """Noise-free energy per unit of a household consuming ``annual_kwh`` a year.

    Args:
        profile: H25, P25 or S25.
        start: Date of unit 0's start (midnight, CET).
        n_units: Number of units, >= 0.
        unit_minutes: Unit length ε, minutes, > 0 (any: quarter hours are split or
            summed conservatively).
        annual_kwh: Consumption per calendar year, kWh, >= 0.

    Returns:
        Energy per unit, kWh, shape ``(n_units,)``; over a whole calendar year the sum
        is ``annual_kwh``.
    """
    if not (math.isfinite(annual_kwh) and annual_kwh >= 0):
        raise ValueError(f"annual_kwh must be >= 0, got {annual_kwh}")
    if n_units == 0:
        return np.zeros(0)
    days = math.ceil(n_units * unit_minutes / 1440.0) + 1
    qh: list[FloatArray] = []
    for k in range(days):
        day = start + dt.timedelta(days=k)
        qh.append(_day_kwh(profile, day) * (annual_kwh / _year_total_kwh(profile, day.year)))
    energy = np.concatenate(qh)  # kWh per quarter hour
    edges = 15.0 * np.arange(energy.size + 1)
    mean_kw = units_from_intervals(
        edges, energy * 4.0, start_min=0.0, unit_minutes=unit_minutes, n_units=n_units, order=1
    )
    return np.asarray(mean_kw * unit_minutes / 60.0, dtype=np.float64)


def draw_annual_kwh(rng: np.random.Generator, *, mean_kwh: float, sigma: float) -> float:
    """One household's annual consumption: lognormal with mean ``mean_kwh``, log-sd ``σ``.

    Draws one standard normal from ``rng``.
    """
    if not (math.isfinite(mean_kwh) and mean_kwh > 0):
        raise ValueError(f"mean_kwh must be > 0, got {mean_kwh}")
    if not (math.isfinite(sigma) and sigma >= 0):
        raise ValueError(f"sigma must be >= 0, got {sigma}")
    z = float(rng.standard_normal())
    return float(mean_kwh * math.exp(sigma * z - 0.5 * sigma * sigma))


def bdew_household_load_kwh(
    profile: SlpProfile,
    rng: np.random.Generator,
    *,
    start: dt.date,
    n_units: int,
    unit_minutes: float,
    annual_kwh: float,
    noise_sd: float,
    noise_correlation_h: float = 0.5,
) -> FloatArray:
    """One household's energy per unit: the profile × ``annual_kwh`` × mean-one noise.

    Draws exactly ``n_units`` standard normals from ``rng`` (the noise), after whatever
    the caller drew (e.g. :func:`draw_annual_kwh` from the same stream).

    Args:
        profile: H25, P25 or S25.
        rng: The household's stream.
        start: Date of unit 0's start.
        n_units: Number of units.
        unit_minutes: Unit length, minutes.
        annual_kwh: The household's annual consumption, kWh.
        noise_sd: Standard deviation of the log noise, >= 0 (0: the profile itself).
        noise_correlation_h: E-folding time of the noise, hours, >= 0.

    Returns:
        Energy per unit, kWh, >= 0.
    """
    if not (math.isfinite(noise_sd) and noise_sd >= 0):
        raise ValueError(f"noise_sd must be >= 0, got {noise_sd}")
    if not (math.isfinite(noise_correlation_h) and noise_correlation_h >= 0):
        raise ValueError(f"noise_correlation_h must be >= 0, got {noise_correlation_h}")
    mean = slp_energy_kwh(
        profile, start=start, n_units=n_units, unit_minutes=unit_minutes, annual_kwh=annual_kwh
    )
    z = rng.standard_normal(n_units)
    if noise_correlation_h > 0 and n_units > 1:
        z = ar1(z, math.exp(-unit_minutes / 60.0 / noise_correlation_h))
    return np.asarray(mean * portable.exp(noise_sd * z - 0.5 * noise_sd**2), dtype=np.float64)
