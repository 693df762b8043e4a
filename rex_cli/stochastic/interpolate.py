"""From a coarse (or any) time series to unit values: the two rules of docs/model.md.

A series is one of two kinds, and each kind has one rule:

* **point values** (instantaneous temperatures, wind speeds, powers read at a time
  stamp): the series is the piecewise-linear interpolant through the samples, held at
  the first and last sample beyond the ends; a unit's value is the exact **mean of the
  interpolant over the unit** (:func:`units_from_points`). For a unit inside one
  segment this is the interpolant at the unit's midpoint.
* **interval means** (energies: kWh per quarter hour, hourly mean irradiance in W/m²,
  i.e. Wh/m² per hour): sample ``i`` is the mean over ``[s_i, s_{i+1})``; a unit's value
  is the mean over the unit of a reconstruction that keeps every interval's integral
  (:func:`units_from_intervals`), so energy is **conserved** whatever the unit.
  ``order=1`` holds each interval's mean (a step function: right for the BDEW profiles,
  which are defined as constant quarter-hour energies); ``order=2`` adds a slope per
  interval limited by minmod (van Leer 1977, *J. Comput. Phys.* 23, 276-299: MUSCL
  reconstruction), which keeps the integrals, stays within the neighbouring means
  (so never negative for non-negative data, zero next to zero: no sun at night) and
  follows ramps such as sunrise more closely than steps.

Both functions are exact integrals (no sampling), vectorised, and take times in minutes
on any clock; the unit grid is ``start_min + j · unit_minutes``, ``j = 0 … n_units − 1``.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = ["interval_edges", "unit_edges", "units_from_intervals", "units_from_points"]

FloatArray = npt.NDArray[np.float64]


def unit_edges(start_min: float, unit_minutes: float, n_units: int) -> FloatArray:
    """Edges ``start + j ε``, ``j = 0 … n_units``, minutes (``n_units + 1`` values)."""
    if not (math.isfinite(unit_minutes) and unit_minutes > 0):
        raise ValueError(f"unit_minutes must be > 0, got {unit_minutes}")
    if n_units < 0:
        raise ValueError(f"n_units must be >= 0, got {n_units}")
    return np.asarray(start_min + unit_minutes * np.arange(n_units + 1), dtype=np.float64)


def _check_series(t: FloatArray, v: FloatArray) -> None:
    if t.ndim != 1 or t.shape != v.shape:
        raise ValueError("times and values must be 1-D of the same length")
    if t.size == 0:
        raise ValueError("the series is empty")
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(v))):
        raise ValueError("times and values must be finite")
    if t.size > 1 and np.any(np.diff(t) <= 0):
        raise ValueError("times must be strictly increasing")


def units_from_points(
    times_min: npt.ArrayLike,
    values: npt.ArrayLike,
    *,
    start_min: float,
    unit_minutes: float,
    n_units: int,
) -> FloatArray:
    """Mean over each unit of the piecewise-linear interpolant through point samples.

    Args:
        times_min: Sample times, minutes, strictly increasing.
        values: Point values at those times (any unit: °C, m/s, kW).
        start_min: Start of unit 0, minutes (same clock as ``times_min``).
        unit_minutes: Unit length, minutes, > 0.
        n_units: Number of units, >= 0.

    Returns:
        Shape ``(n_units,)``; beyond the first and last sample the interpolant is held
        constant (callers check coverage).
    """
    t = np.asarray(times_min, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    _check_series(t, v)
    edges = unit_edges(start_min, unit_minutes, n_units)
    if n_units == 0:
        return np.zeros(0)
    x = np.union1d(t[(t > edges[0]) & (t < edges[-1])], edges)
    y = np.interp(x, t, v)
    cum = np.concatenate([[0.0], np.cumsum(np.diff(x) * 0.5 * (y[1:] + y[:-1]))])
    at = cum[np.searchsorted(x, edges)]
    return np.asarray(np.diff(at) / unit_minutes, dtype=np.float64)


def interval_edges(starts_min: npt.ArrayLike, last_minutes: float | None = None) -> FloatArray:
    """Edges of intervals given their start times: the last lasts ``last_minutes``.

    ``last_minutes`` defaults to the previous interval's length (1 minute for a single
    sample).
    """
    s = np.asarray(starts_min, dtype=np.float64)
    if s.ndim != 1 or s.size == 0:
        raise ValueError("interval starts must be a non-empty 1-D array")
    if last_minutes is None:
        last_minutes = float(s[-1] - s[-2]) if s.size > 1 else 1.0
    if not last_minutes > 0:
        raise ValueError(f"last_minutes must be > 0, got {last_minutes}")
    return np.append(s, s[-1] + last_minutes)


def _minmod(a: FloatArray, b: FloatArray) -> FloatArray:
    return np.where(a * b > 0, np.sign(a) * np.minimum(np.abs(a), np.abs(b)), 0.0)


def units_from_intervals(
    edges_min: npt.ArrayLike,
    means: npt.ArrayLike,
    *,
    start_min: float,
    unit_minutes: float,
    n_units: int,
    order: int = 2,
) -> FloatArray:
    """Mean over each unit of a conservative reconstruction of interval means.

    Args:
        edges_min: Interval edges, minutes, strictly increasing (one more than ``means``).
        means: Mean value over each interval (W/m², kW: the interval's energy / length).
        start_min: Start of unit 0, minutes.
        unit_minutes: Unit length, minutes, > 0.
        n_units: Number of units, >= 0.
        order: 1 (hold the mean) or 2 (minmod-limited slopes); see the module docstring.

    Returns:
        Shape ``(n_units,)``. The integral over any union of whole intervals is kept
        exactly; outside the intervals the reconstruction is 0 (callers check coverage).
    """
    e = np.asarray(edges_min, dtype=np.float64)
    m = np.asarray(means, dtype=np.float64)
    if m.ndim != 1 or e.shape != (m.size + 1,):
        raise ValueError("edges must have one more value than means")
    _check_series(e[:-1], m)
    if np.any(np.diff(e) <= 0):
        raise ValueError("interval edges must be strictly increasing")
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2, got {order}")
    ue = unit_edges(start_min, unit_minutes, n_units)
    if n_units == 0:
        return np.zeros(0)
    h = np.diff(e)
    centre = 0.5 * (e[1:] + e[:-1])
    slope = np.zeros_like(m)
    if order == 2 and m.size > 2:
        left = (m[1:-1] - m[:-2]) / (centre[1:-1] - centre[:-2])
        right = (m[2:] - m[1:-1]) / (centre[2:] - centre[1:-1])
        slope[1:-1] = _minmod(left, right)
    before = np.concatenate([[0.0], np.cumsum(m * h)])  # integral up to each left edge

    def integral(x: FloatArray) -> FloatArray:
        xc = np.clip(x, e[0], e[-1])
        i = np.clip(np.searchsorted(e, xc, side="right") - 1, 0, m.size - 1)
        a = xc - e[i]
        # ∫ from e_i to x of m_i + σ_i (y − c_i) dy
        part = m[i] * a + 0.5 * slope[i] * ((xc - centre[i]) ** 2 - (e[i] - centre[i]) ** 2)
        return np.asarray(before[i] + part, dtype=np.float64)

    return np.asarray(np.diff(integral(ue)) / unit_minutes, dtype=np.float64)
