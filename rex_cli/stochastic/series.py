"""Measured series from CSV (wind speed, load power, weather) resampled to the unit length.

A CSV file holds a time column and one or more value columns. Times are either

* date-times in ISO 8601 (``2024-01-01 00:10``, ``2024-01-01T00:10:00+01:00``); times
  with an offset are converted to UTC, naive times are taken as they are (as UTC), or
* plain numbers, read as minutes on an arbitrary clock.

Resampling: the unit grid is anchored at the epoch (for date-times: midnight UTC, when
the unit divides a day) or at 0 (numeric minutes); the first unit is the one containing
the first sample.

* A series **at least as fine as the unit** (no two samples more than one unit apart):
  the value of a unit is the plain **mean** of the samples whose time stamps fall in
  ``[start, start + unit)``: right for power (kW), speed (m/s) and temperature columns,
  which are intensive. An energy-per-sample column (kWh per 5 min) must be converted to
  power first (the mean of kWh-per-sample times samples-per-unit would be the sum).
* A **coarser** series (hourly weather with 15-minute units) is resampled by the rules
  of :mod:`rex_cli.stochastic.interpolate`, by the column's ``interpolation``:
  ``linear`` (values at their time stamps: temperatures, speeds, powers; the unit gets
  the mean of the linear interpolant; the series covers up to the unit holding the last
  sample) or ``conservative`` (each value is the mean over the interval from its stamp
  to the next one, the last lasting the shortest spacing: hourly irradiance, energies
  as mean power; the unit gets its share of the integral, which is kept exactly).

Empty value cells are treated as missing samples.

Checks (each raises ``ValueError`` with one line naming the file and the column):
missing or wrong column, unparsable time or value, a value below ``min_value`` (e.g.
a negative wind speed), times not strictly increasing, missing data (a gap between
consecutive samples longer than the unit **and** more than twice the shortest spacing
of the file's rows), and a series shorter than ``min_units`` units. Errors point at the
file's line and give times as written (ISO 8601 or minutes).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from rex_cli.stochastic.interpolate import (
    interval_edges,
    units_from_intervals,
    units_from_points,
)

__all__ = [
    "Interpolation",
    "UnitSeries",
    "load_series_csv",
    "read_series_csv",
    "resample_coarse",
    "resample_to_units",
]

FloatArray = npt.NDArray[np.float64]

_NS_PER_MIN = 60_000_000_000


class Interpolation(Enum):
    """How a column coarser than the unit reaches it (see the module docstring)."""

    linear = "linear"  # point values at the time stamps
    conservative = "conservative"  # means over the interval from each stamp to the next


@dataclass(frozen=True, kw_only=True, eq=False)
class UnitSeries:
    """A series resampled to units.

    Attributes:
        values: Mean value per unit (unit of the column), shape ``(n_units,)``.
        start: Start of unit 0: a UTC ``pd.Timestamp`` for date-time input, or minutes
            (float) for numeric times.
        unit_minutes: Unit length, minutes.
        samples_per_unit: Number of samples averaged into each unit.
        source: The file read.
        column: The value column read.
    """

    values: FloatArray
    start: pd.Timestamp | float
    unit_minutes: float
    samples_per_unit: npt.NDArray[np.int64]
    source: str
    column: str

    @property
    def start_hour(self) -> float:
        """Hour of day (UTC for date-times; minutes/60 modulo 24 for numeric times)."""
        if isinstance(self.start, pd.Timestamp):
            return self.start.hour + self.start.minute / 60.0 + self.start.second / 3600.0
        return (float(self.start) / 60.0) % 24.0

    @property
    def start_weekday(self) -> int | None:
        """Weekday of the start (Monday = 0), or ``None`` for numeric times."""
        return int(self.start.weekday()) if isinstance(self.start, pd.Timestamp) else None


def resample_to_units(
    times_min: npt.ArrayLike,
    values: npt.ArrayLike,
    *,
    unit_minutes: float,
    label: str = "series",
    where: Callable[[int], str] | None = None,
) -> tuple[FloatArray, float, npt.NDArray[np.int64]]:
    """Average samples into units on a grid anchored at time 0.

    Args:
        times_min: Sample times in minutes, strictly increasing.
        values: Sample values (finite).
        unit_minutes: Unit length, minutes, > 0.
        label: Prefix for error messages (e.g. ``"wind.csv: column 'speed'"``).
        where: Describes sample ``i`` in error messages (e.g. its file line and time as
            written); default ``"sample i at t min"``.

    Returns:
        ``(unit_means, start_min, samples_per_unit)`` with ``start_min`` the start of the
        first unit.

    Raises:
        ValueError: If times are not strictly increasing or a gap exceeds one unit.
    """
    t = np.asarray(times_min, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    if not (math.isfinite(unit_minutes) and unit_minutes > 0):
        raise ValueError(f"unit_minutes must be > 0, got {unit_minutes}")
    if t.shape != v.shape or t.ndim != 1:
        raise ValueError(f"{label}: times and values must be 1-D of the same length")
    if t.size == 0:
        return np.zeros(0), 0.0, np.zeros(0, dtype=np.int64)
    if where is None:

        def where(i: int) -> str:
            return f"sample {i} at {t[i]:g} min"

    dt = np.diff(t)
    back = np.flatnonzero(dt <= 0)
    if back.size:
        i = int(back[0]) + 1
        raise ValueError(
            f"{label}: times must be strictly increasing; {where(i)} follows {where(i - 1)}"
        )
    gaps = np.flatnonzero(dt > unit_minutes * (1.0 + 1e-9))
    if gaps.size:
        i = int(gaps[0])
        raise ValueError(
            f"{label}: gap of {dt[i]:g} min between {where(i)} and {where(i + 1)} exceeds "
            f"the unit ({unit_minutes:g} min)"
        )
    start = math.floor(t[0] / unit_minutes) * unit_minutes
    idx = np.floor((t - start) / unit_minutes).astype(np.int64)
    counts = np.bincount(idx)
    sums = np.bincount(idx, weights=v)
    # No empty unit can occur between the first and last sample when gaps <= one unit.
    return sums / counts, float(start), counts.astype(np.int64)


def resample_coarse(
    times_min: npt.ArrayLike,
    values: npt.ArrayLike,
    *,
    unit_minutes: float,
    interpolation: Interpolation,
    row_spacing_min: float,
    label: str = "series",
    where: Callable[[int], str] | None = None,
) -> tuple[FloatArray, float, npt.NDArray[np.int64]]:
    """Resample a series coarser than the unit by its interpolation rule (module docs).

    Args:
        times_min: Sample times in minutes, strictly increasing.
        values: Sample values.
        unit_minutes: Unit length, minutes, > 0.
        interpolation: ``linear`` (point values) or ``conservative`` (interval means).
        row_spacing_min: Shortest spacing of the file's rows, minutes (missing data is a
            gap of more than twice this and more than one unit; the last interval of a
            ``conservative`` series lasts this long).
        label: Prefix for error messages.
        where: Describes sample ``i`` in error messages.

    Returns:
        ``(unit_values, start_min, samples_per_unit)`` as :func:`resample_to_units`
        (units may hold no sample).

    Raises:
        ValueError: For missing data (a too long gap), naming both samples.
    """
    t = np.asarray(times_min, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    if where is None:

        def where(i: int) -> str:
            return f"sample {i} at {t[i]:g} min"

    dt = np.diff(t)
    limit = max(unit_minutes, 2.0 * row_spacing_min) * (1.0 + 1e-9)
    gaps = np.flatnonzero(dt > limit)
    if gaps.size:
        i = int(gaps[0])
        raise ValueError(
            f"{label}: gap of {dt[i]:g} min between {where(i)} and {where(i + 1)} exceeds "
            f"the unit ({unit_minutes:g} min) and twice the file's spacing "
            f"({row_spacing_min:g} min): missing data"
        )
    start = math.floor(t[0] / unit_minutes) * unit_minutes
    if interpolation is Interpolation.linear:
        n = math.floor((t[-1] - start) / unit_minutes) + 1
        out = units_from_points(t, v, start_min=start, unit_minutes=unit_minutes, n_units=n)
    else:
        edges = interval_edges(t, row_spacing_min)
        n = math.floor((edges[-1] - start) / unit_minutes + 1e-9)
        out = units_from_intervals(
            edges, v, start_min=start, unit_minutes=unit_minutes, n_units=n, order=2
        )
    idx = np.floor((t - start) / unit_minutes).astype(np.int64)
    counts = np.bincount(idx[idx < n], minlength=n).astype(np.int64)
    return out, float(start), counts


def read_series_csv(
    path: str | Path,
    *,
    column: str,
    time_column: str = "time",
    unit_minutes: float,
    min_units: int = 1,
    min_value: float | None = None,
    what: str = "value",
    interpolation: Interpolation = Interpolation.linear,
) -> UnitSeries:
    """Read one value column of a CSV file and resample it to units (see module docs).

    Args:
        path: CSV file with a header row.
        column: Name of the value column.
        time_column: Name of the time column.
        unit_minutes: Unit length, minutes, > 0.
        min_units: Minimum number of units the result must have, >= 1.
        min_value: Smallest admissible value (``None``: any finite value).
        what: What the column holds, for error messages (``"wind speed (m/s)"``).
        interpolation: How a series coarser than the unit is resampled (module docs).

    Returns:
        The resampled series with its start time.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: For a bad file, column, time or value, gaps, or a too-short series.
    """
    if not (math.isfinite(unit_minutes) and unit_minutes > 0):
        raise ValueError(f"unit_minutes must be > 0, got {unit_minutes}")
    if min_units < 1:
        raise ValueError(f"min_units must be >= 1, got {min_units}")
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{p}: no such file")
    try:
        frame = pd.read_csv(p, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"{p}: cannot read as CSV ({first})") from None
    columns = [str(c) for c in frame.columns]
    for name, kind in ((time_column, "time column"), (column, "column")):
        if name not in frame.columns:
            raise ValueError(f"{p}: no {kind} '{name}' (columns: {', '.join(columns)})")
    label = f"{p}: column '{column}'"

    raw_values = frame[column]
    values = pd.to_numeric(raw_values, errors="coerce").to_numpy(dtype=np.float64)
    bad_value = np.isnan(values) & raw_values.notna().to_numpy()
    if bad_value.any():
        i = int(np.flatnonzero(bad_value)[0])
        raise ValueError(f"{label}: line {i + 2}: not a number: {raw_values.iloc[i]!r}")
    if np.any(np.isinf(values)):
        i = int(np.flatnonzero(np.isinf(values))[0])
        raise ValueError(f"{label}: line {i + 2}: value is infinite")
    if min_value is not None and np.any(values < min_value):
        i = int(np.flatnonzero(values < min_value)[0])
        raise ValueError(
            f"{label}: line {i + 2}: {what} {raw_values.iloc[i]} is below {min_value:g}"
        )

    raw_times = frame[time_column]
    start: pd.Timestamp | float
    if pd.api.types.is_numeric_dtype(raw_times):
        times = raw_times.to_numpy(dtype=np.float64)
        bad_time = ~np.isfinite(times)
    else:
        parsed = pd.to_datetime(raw_times, errors="coerce", utc=True, format="ISO8601")
        bad_time = parsed.isna().to_numpy()
        ns = parsed.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    if bad_time.any():
        i = int(np.flatnonzero(bad_time)[0])
        raise ValueError(
            f"{p}: time column '{time_column}': line {i + 2}: cannot parse time "
            f"{raw_times.iloc[i]!r} (use ISO 8601 or minutes)"
        )
    if not pd.api.types.is_numeric_dtype(raw_times):
        # Minutes from the epoch, exact to the nanosecond for the integer part.
        origin_ns = int(ns[0]) - int(ns[0]) % _NS_PER_MIN if ns.size else 0
        times = (ns - origin_ns) / _NS_PER_MIN + origin_ns // _NS_PER_MIN

    present = ~np.isnan(values)
    lines = np.flatnonzero(present) + 2  # header is line 1
    shown = raw_times[present].tolist()

    def where(i: int) -> str:
        return f"line {lines[i]} ({shown[i]})" if i < len(lines) else f"sample {i}"

    tp, vp = times[present], values[present]
    steps = np.diff(tp)
    if steps.size and (steps > 0).all() and (steps > unit_minutes * (1.0 + 1e-9)).any():
        rows = np.diff(times)
        unit_means, start_min, counts = resample_coarse(
            tp, vp, unit_minutes=unit_minutes, interpolation=interpolation,
            row_spacing_min=float(rows[rows > 0].min()), label=label, where=where,
        )  # fmt: skip
    else:
        unit_means, start_min, counts = resample_to_units(
            tp, vp, unit_minutes=unit_minutes, label=label, where=where
        )
    if unit_means.size < min_units:
        raise ValueError(
            f"{label}: {unit_means.size} units of {unit_minutes:g} min, need at least {min_units}"
        )
    if pd.api.types.is_numeric_dtype(raw_times):
        start = start_min
    else:
        # Unit boundaries are whole seconds for any sensible unit: round to the second.
        start = pd.Timestamp(round(start_min * 60.0), unit="s", tz="UTC")
    return UnitSeries(
        values=unit_means,
        start=start,
        unit_minutes=float(unit_minutes),
        samples_per_unit=counts,
        source=str(p),
        column=column,
    )


def load_series_csv(
    path: str | Path,
    *,
    column: str,
    time_column: str = "time",
    unit_minutes: float,
    min_units: int = 1,
    min_value: float | None = None,
    what: str = "value",
    interpolation: Interpolation = Interpolation.linear,
) -> FloatArray:
    """Read a measured series and return its unit means (see :func:`read_series_csv`).

    Returns:
        Mean value per unit, shape ``(n_units,)``, in the column's unit (kW, m/s).
    """
    return read_series_csv(
        path, column=column, time_column=time_column, unit_minutes=unit_minutes,
        min_units=min_units, min_value=min_value, what=what, interpolation=interpolation,
    ).values  # fmt: skip
