r"""Forecast evolution: CTBA-MMFE and two reference forecasters.

**CTBA-MMFE** (Continuous-Time Binary-Adjustment Martingale Model of Forecast Evolution).
For client ``i`` and target unit ``j`` (unit length ``ε`` minutes, horizon ``κ`` units)
the book for ``j`` is open on ``[o_j, c_j]`` with gate closure ``c_j = j ε`` and opening
``o_j = c_j - κ ε``; the window length is ``T = κ ε``. The forecast ``x_j(t)`` of the
realised quantity ``R_j`` (integer lots) is a right-continuous step function that

* starts at book opening with an initial forecast ``x_j(o_j) = R_j + e(T)``;
* moves by single steps of ``±step_lots`` lots (binary adjustments) at random times
  ``t`` in ``(o_j, c_j]``;
* ends exactly at the realisation: ``x_j(c_j) = R_j``.

Construction (backwards in lead time ``τ = c_j - t``). The error ``e(τ) = x_j(c_j - τ) -
R_j`` is simulated as a jump process started at ``e(0) = 0``: jumps of ``±step`` with
equal probability at the points of a Poisson process on ``[0, T)`` of intensity ``λ(τ)``;
then it is read forwards. The lead-time rate is::

    λ(τ) = λ0 (1 + τ/τ_s)^(-α),      τ_s = tau_scale_min > 0, α = alpha >= 0,

so adjustments become more frequent as lead time shrinks (α > 0; α = 0 is a constant
rate). ``λ0`` is set so that the expected number of adjustments over the whole window is
``Λ = ∫_0^T λ = (sigma0_lots / step_lots)²``; the initial error then has variance
``step² Λ = sigma0_lots²`` exactly (unbounded variant). With ``a = 1 - α`` and
``b = ln(1 + T/τ_s)``, the share of adjustments with lead time below ``τ`` is
``G(τ) = expm1(a ln(1 + τ/τ_s)) / expm1(a b)`` (``ln(1 + τ/τ_s)/b`` when ``α = 1``).

Sampling per path: ``N ~ Poisson(Λ)``; ``N`` sorted uniforms from ``N + 1`` exponential
spacings (no sort needed); jump lead times ``τ = G⁻¹(1 - U)`` (inverse CDF), i.e. read
forwards in time; forward increments ``d_k = ±step`` i.i.d. fair signs. Because the
signs are i.i.d. and independent of the (Poisson) times, the forward increments have
conditional mean zero given all past increments and the lead time: the forecast is a
martingale in the filtration of its own adjustments. (It is not a martingale given
knowledge of the distribution of ``R`` beyond the forecast itself: the backward
construction treats ``R`` as unknown with a diffuse prior, as MMFE does.) Forecast
changes do not depend on the realisation's level, only the initial forecast does.

**Bounded variant** (``bounded=True``): the forecast stays in ``[x_min, x_max]`` (e.g.
wind output in ``[0, capacity]``). The backward walk from ``R`` suppresses every jump
that would leave the bounds (the jump is dropped: no row, no adjustment), so every
forecast value is in bounds. Bias this causes, near a bound only: (1) the initial error
distribution is truncated, so ``E[x(o) - R] > 0`` when ``R`` is near ``x_min`` (< 0 near
``x_max``) and its spread is below ``sigma0``; (2) forwards, a forecast sitting at a
bound can only move inwards, so increments there have a drift away from the bound (not
a martingale at the bound); (3) suppressed jumps lower the adjustment rate near bounds.
Away from the bounds by more than a few ``sigma0`` the variant equals the unbounded one.

**Day-ahead lead times.** The window ``T = κε`` is the forecast's reach; a mechanism
with a day-ahead gate passes a longer one (up to 36 h: 12:00 the day before to the
last unit of the day). ``sigma0_lead_min`` keeps ``λ(τ)`` the same whatever the window
(``Λ_T = (σ0/step)² H(T)/H(sigma0_lead)``, ``H(T) = ∫_0^T (1 + τ/τ_s)^(−α) dτ``), so the
error variance at lead ``τ`` is ``step² ∫_0^τ λ`` in every window: ``sigma0`` at the
reference lead, growing with ``τ`` beyond it, as ``ln(1 + τ/τ_s)`` for ``α = 1`` (wind:
0.4 kWh at 4 h, 0.6 kWh at 36 h) and towards a limit for ``α > 1`` (households). The
forecast stays a martingale ending at the realisation.

**Perfect**: the forecast equals the realisation from book opening; no adjustments.

**Persistence**: the initial forecast at book opening ``o_j = (j - κ) ε`` is the realised
value of the last unit fully delivered at that time, unit ``j - κ - 1``; with
``refresh_units = r`` it is refreshed once, at lead ``rε``, to unit ``j - r - 1``'s value
(so a day-ahead window ends with the intraday one's persistence); it stays there
until lead time ``jump_lead_min`` (default 0: at gate closure itself, so the trader never
sees the realisation before the book closes) and then jumps once to ``R_j`` (no row when
they are equal). Units before the available history use the earliest available value.

Common random numbers: each client's paths depend only on that client's generator, its
parameters and its realised row; they are independent of the horizon length ``κ`` and
unit length in the number and signs of adjustments (only the times scale).

Units: times in minutes (float) on the simulation clock, quantities in integer lots.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from rex_cli.sim import portable

__all__ = [
    "CtbaParams",
    "ForecastKind",
    "ForecastParams",
    "ForecastPaths",
    "PerfectParams",
    "PersistenceParams",
    "extend_ctba",
    "nmae_by_lead_time",
    "quantize_lots",
    "simulate_ctba",
    "simulate_forecasts",
    "simulate_perfect",
    "simulate_persistence",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class ForecastKind(StrEnum):
    """Closed registry of forecast models."""

    CTBA = "ctba"
    PERFECT = "perfect"
    PERSISTENCE = "persistence"


@dataclass(frozen=True, kw_only=True, slots=True)
class CtbaParams:
    """Parameters of CTBA-MMFE for one client (see the module docstring).

    Attributes:
        sigma0_lots: Standard deviation of the initial forecast error at book opening,
            lots, >= 0 (0 gives a perfect forecast). Expected adjustments per path are
            ``(sigma0_lots / step_lots)²``: choose ``step_lots`` to keep this moderate.
        tau_scale_min: Lead-time scale ``τ_s`` of the rate, minutes, > 0. The rate is
            roughly flat for lead times below ``τ_s`` and decays beyond it.
        alpha: Decay exponent ``α`` of the rate in lead time, >= 0 (0: constant rate).
        step_lots: Size of one adjustment, lots, an int >= 1.
        bounded: Keep the forecast in ``[x_min_lots, x_max_lots]`` (given at simulation).
        sigma0_lead_min: Lead time at which the error has standard deviation
            ``sigma0_lots``, minutes, > 0; ``None`` (default): the window ``κε``. A
            window longer than it (day-ahead lead times) keeps the same rate ``λ(τ)``,
            so the error at lead ``τ`` has variance ``step² ∫_0^τ λ`` whatever the
            window: it grows on beyond ``sigma0_lead_min`` (see the module docstring).
    """

    kind: ClassVar[ForecastKind] = ForecastKind.CTBA

    sigma0_lots: float
    tau_scale_min: float = 60.0
    alpha: float = 1.0
    step_lots: int = 1
    bounded: bool = False
    sigma0_lead_min: float | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.sigma0_lots) and self.sigma0_lots >= 0):
            raise ValueError(f"sigma0_lots must be >= 0, got {self.sigma0_lots}")
        if not (math.isfinite(self.tau_scale_min) and self.tau_scale_min > 0):
            raise ValueError(f"tau_scale_min must be > 0, got {self.tau_scale_min}")
        if not (math.isfinite(self.alpha) and self.alpha >= 0):
            raise ValueError(f"alpha must be >= 0, got {self.alpha}")
        if (
            isinstance(self.step_lots, bool)
            or not isinstance(self.step_lots, int | np.integer)
            or self.step_lots < 1
        ):
            raise ValueError(f"step_lots must be an int >= 1, got {self.step_lots!r}")
        if not isinstance(self.bounded, bool | np.bool_):
            raise ValueError(f"bounded must be a bool, got {self.bounded!r}")
        lead = self.sigma0_lead_min
        if lead is not None and not (math.isfinite(lead) and lead > 0):
            raise ValueError(f"sigma0_lead_min must be > 0, got {lead!r}")

    def window_adjustments(self, window_min: float) -> float:
        """Expected adjustments over a window of ``window_min`` minutes.

        ``(σ0/step)²`` when the window is ``sigma0_lead_min`` (or that is ``None``);
        otherwise scaled by ``H(window)/H(sigma0_lead_min)``, ``H(T) = ∫_0^T (1 +
        τ/τ_s)^(−α) dτ``, so the rate ``λ(τ)`` is the same for every window.
        """
        ref = self.sigma0_lead_min
        if ref is None or ref == window_min:
            return self.expected_adjustments
        return (
            self.expected_adjustments
            * _rate_integral(window_min, self.alpha, self.tau_scale_min)
            / _rate_integral(ref, self.alpha, self.tau_scale_min)
        )

    def error_sd_lots(self, lead_min: float, window_min: float) -> float:
        """Standard deviation of the (unbounded) error at lead ``lead_min``, lots.

        ``step · sqrt(Λ_T · G(τ))``: ``sigma0_lots`` at ``τ = sigma0_lead_min``,
        growing with ``τ`` (as ``sqrt(ln(1 + τ/τ_s))`` for ``α = 1``; towards a
        limit for ``α > 1``).
        """
        share = float(self.cumulative_share(lead_min, window_min))
        return self.step_lots * math.sqrt(self.window_adjustments(window_min) * share)

    @property
    def expected_adjustments(self) -> float:
        """Expected number of adjustments over the whole window, ``(σ0/step)²``."""
        return (self.sigma0_lots / self.step_lots) ** 2

    def cumulative_share(self, lead_min: npt.ArrayLike, window_min: float) -> FloatArray:
        """Return ``G(τ)``: expected share of adjustments with lead time below ``τ``.

        Args:
            lead_min: Lead times ``τ`` in minutes (clipped to ``[0, window_min]``).
            window_min: Window length ``T = κ ε`` in minutes, > 0.
        """
        tau = np.clip(np.asarray(lead_min, dtype=np.float64), 0.0, window_min)
        return _share(tau, 1.0 - self.alpha, self.tau_scale_min, window_min)

    def rate_per_min(self, lead_min: npt.ArrayLike, window_min: float) -> FloatArray:
        """Return the adjustment rate ``λ(τ)`` (per minute) at lead times ``τ`` (minutes)."""
        tau = np.asarray(lead_min, dtype=np.float64)
        a = 1.0 - self.alpha
        b = math.log1p(window_min / self.tau_scale_min)
        norm = self.tau_scale_min * (b if a == 0.0 else math.expm1(a * b) / a)
        rate = self.window_adjustments(window_min) * portable.power(
            1.0 + tau / self.tau_scale_min, -self.alpha
        )
        return np.asarray(np.where((tau >= 0) & (tau <= window_min), rate / norm, 0.0))


@dataclass(frozen=True, kw_only=True, slots=True)
class PerfectParams:
    """Perfect forecast: the realisation from book opening, no adjustments."""

    kind: ClassVar[ForecastKind] = ForecastKind.PERFECT


@dataclass(frozen=True, kw_only=True, slots=True)
class PersistenceParams:
    """Persistence forecast (see the module docstring).

    Attributes:
        jump_lead_min: Lead time (minutes, >= 0, below the window length) at which the
            forecast jumps from the persistence value to the realisation; 0 means at
            gate closure.
        refresh_units: With a window longer than the trading horizon (day-ahead lead
            times), the forecast is refreshed once, at lead ``refresh_units·ε``, to the
            realised value of the last unit delivered then (unit ``j − refresh_units −
            1``): what persistence says when the intraday book opens. ``None``: no
            refresh.
    """

    kind: ClassVar[ForecastKind] = ForecastKind.PERSISTENCE

    jump_lead_min: float = 0.0
    refresh_units: int | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.jump_lead_min) and self.jump_lead_min >= 0):
            raise ValueError(f"jump_lead_min must be >= 0, got {self.jump_lead_min}")
        r = self.refresh_units
        if r is not None and (isinstance(r, bool) or not isinstance(r, int) or r < 1):
            raise ValueError(f"refresh_units must be an int >= 1, got {r!r}")


ForecastParams = CtbaParams | PerfectParams | PersistenceParams


def _rate_integral(t_max: float, alpha: float, ts: float) -> float:
    """``H(T) = ∫_0^T (1 + τ/τ_s)^(−α) dτ``, minutes."""
    b = math.log1p(t_max / ts)
    a = 1.0 - alpha
    return ts * (b if abs(a) < 1e-12 else math.expm1(a * b) / a)


def _share(
    tau: FloatArray, a: FloatArray | float, ts: FloatArray | float, t_max: float
) -> FloatArray:
    """``G(τ)`` for arrays of per-element ``a = 1 - α`` and ``τ_s``."""
    b = portable.log1p(t_max / np.asarray(ts))
    x = portable.log1p(tau / ts)
    a_arr = np.asarray(a, dtype=np.float64)
    small = np.abs(a_arr) < 1e-9
    a_safe = np.where(small, 1.0, a_arr)
    general = portable.expm1(a_safe * x) / portable.expm1(a_safe * b)
    return np.asarray(np.where(small, x / b, general), dtype=np.float64)


def _inverse_share(
    v: FloatArray,
    a: FloatArray | float,
    ts: FloatArray | float,
    t_max: float,
    *,
    out: FloatArray | None = None,
) -> FloatArray:
    """``G⁻¹(v)`` in minutes for ``v`` in ``[0, 1]`` (scalar or per-element ``a``, ``τ_s``).

    With scalar parameters the work is done in place in ``out`` (may be ``v`` itself).
    """
    if isinstance(a, float) and isinstance(ts, float):
        b = math.log1p(t_max / ts)
        y = np.multiply(v, b if abs(a) < 1e-9 else math.expm1(a * b), out=out)
        if abs(a) >= 1e-9:  # expm1(log1p(y) / a), one pass, C library (sim.portable)
            log1p, expm1 = math.log1p, math.expm1
            y[...] = np.fromiter((expm1(log1p(e) / a) for e in y.tolist()), np.float64, y.size)
        else:
            portable.expm1(y, out=y)
        y *= ts
        return np.clip(y, 0.0, t_max, out=y)
    b_arr = portable.log1p(t_max / np.asarray(ts))
    a_arr = np.asarray(a, dtype=np.float64)
    small = np.abs(a_arr) < 1e-9
    a_safe = np.where(small, 1.0, a_arr)
    general = portable.expm1(portable.log1p(v * portable.expm1(a_safe * b_arr)) / a_safe)
    res = np.clip(ts * np.where(small, portable.expm1(v * b_arr), general), 0.0, t_max)
    if out is None:
        return np.asarray(res, dtype=np.float64)
    out[...] = res
    return out


@dataclass(frozen=True, kw_only=True, eq=False)
class ForecastPaths:
    """Forecast paths of many (client, target unit) pairs as flat, time-sorted rows.

    Each path starts with its initial row (``is_initial``) at book opening, then one row
    per adjustment, giving the forecast *after* that adjustment; the last row's value is
    the realisation. Rows are sorted by time; ties are ordered by client, then target
    unit, then position in the path (an initial row precedes that path's adjustments).

    Attributes:
        client: Client index per row (row of the ``realised`` matrix).
        target_unit: Absolute target unit index ``j`` per row.
        time_min: Simulation time of the row, minutes; in ``[c_j - κε, c_j]``.
        forecast_lots: Forecast of the realised quantity after the row, lots.
        is_initial: True for the first row of each path.
        n_clients: Number of clients (rows of the realised matrix).
        first_unit: Absolute index of the first target unit (column 0).
        n_units: Number of target units (columns).
        unit_minutes: Unit length ``ε``, minutes.
        horizon_units: Horizon ``κ`` (units open at once).
    """

    client: IntArray
    target_unit: IntArray
    time_min: FloatArray
    forecast_lots: IntArray
    is_initial: BoolArray
    n_clients: int
    first_unit: int
    n_units: int
    unit_minutes: float
    horizon_units: int
    _path: IntArray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        n = self.time_min.shape[0]
        for name in ("client", "target_unit", "forecast_lots", "is_initial"):
            if getattr(self, name).shape != (n,):
                raise ValueError(f"{name} must have shape ({n},)")
        for name in ("client", "target_unit", "time_min", "forecast_lots", "is_initial"):
            getattr(self, name).setflags(write=False)
        if self._path is None:  # flat path index client * n_units + column
            path = self.client * self.n_units + (self.target_unit - self.first_unit)
            object.__setattr__(self, "_path", path)
        elif self._path.shape != (n,):
            raise ValueError(f"_path must have shape ({n},)")
        self.path_index.setflags(write=False)

    @property
    def path_index(self) -> IntArray:
        """Flat path index of each row, ``client * n_units + (target_unit - first_unit)``."""
        assert self._path is not None  # set in __post_init__
        return self._path

    def __len__(self) -> int:
        return int(self.time_min.shape[0])

    @property
    def window_min(self) -> float:
        """Length of every path's window, ``κ ε`` minutes."""
        return self.horizon_units * self.unit_minutes

    @property
    def n_paths(self) -> int:
        """Number of paths with an initial row."""
        return int(np.count_nonzero(self.is_initial))

    @property
    def n_adjustments(self) -> int:
        """Number of adjustment rows (all rows that are not initial rows)."""
        return len(self) - self.n_paths

    @property
    def gate_closure_min(self) -> FloatArray:
        """Gate closure ``c_j = j ε`` of each row's target unit, minutes."""
        return np.asarray(self.target_unit * float(self.unit_minutes), dtype=np.float64)

    @property
    def lead_time_min(self) -> FloatArray:
        """Lead time ``c_j - t`` of each row, minutes (``κε`` for initial rows)."""
        return self.gate_closure_min - self.time_min

    def _take(self, idx: npt.NDArray[np.intp] | slice | BoolArray) -> ForecastPaths:
        return ForecastPaths(
            client=self.client[idx],
            target_unit=self.target_unit[idx],
            time_min=self.time_min[idx],
            forecast_lots=self.forecast_lots[idx],
            is_initial=self.is_initial[idx],
            n_clients=self.n_clients,
            first_unit=self.first_unit,
            n_units=self.n_units,
            unit_minutes=self.unit_minutes,
            horizon_units=self.horizon_units,
            _path=self.path_index[idx],
        )

    def path_order(self) -> npt.NDArray[np.intp]:
        """Return row indices ordered by (client, target unit, time): path by path."""
        return np.argsort(self.path_index, kind="stable")

    def _matrix_from(self, mask: BoolArray) -> IntArray:
        out = np.zeros(self.n_clients * self.n_units, dtype=np.int64)
        seen = np.zeros(self.n_clients * self.n_units, dtype=bool)
        out[self.path_index[mask]] = self.forecast_lots[mask]
        seen[self.path_index[mask]] = True
        if not seen.all():
            raise ValueError("not every (client, unit) path is present in these rows")
        return out.reshape(self.n_clients, self.n_units)

    def initial_matrix(self) -> IntArray:
        """Return the initial forecasts, lots, shape ``(n_clients, n_units)``.

        Raises:
            ValueError: If some path has no initial row (e.g. after :meth:`between`).
        """
        return self._matrix_from(self.is_initial)

    def final_matrix(self) -> IntArray:
        """Return the last forecast of every path (the realisation), ``(n_clients, n_units)``."""
        order = self.path_order()
        p = self.path_index[order]
        last = np.ones(p.shape[0], dtype=bool)
        last[:-1] = p[1:] != p[:-1]
        mask = np.zeros(len(self), dtype=bool)
        mask[order[last]] = True
        return self._matrix_from(mask)

    def forecast_at(self, time_min: float) -> FloatArray:
        """Return every path's forecast at ``time_min`` (rows at that time included).

        Returns:
            Float array ``(n_clients, n_units)`` of lots; NaN where the path has no row
            at or before ``time_min`` (book not open yet). After gate closure the value
            is the realisation.
        """
        k = int(np.searchsorted(self.time_min, time_min, side="right"))
        out = np.full(self.n_clients * self.n_units, np.nan)
        rev_paths = self.path_index[:k][::-1]
        uniq, first_in_rev = np.unique(rev_paths, return_index=True)
        out[uniq] = self.forecast_lots[:k][::-1][first_in_rev]
        return out.reshape(self.n_clients, self.n_units)

    def between(self, start_min: float, end_min: float) -> ForecastPaths:
        """Return the rows with ``start_min <= time < end_min`` (a time slice, no copies)."""
        lo = int(np.searchsorted(self.time_min, start_min, side="left"))
        hi = int(np.searchsorted(self.time_min, end_min, side="left"))
        return self._take(slice(lo, hi))

    def for_clients(self, clients: npt.ArrayLike) -> ForecastPaths:
        """Return the rows of the given clients (indices keep their meaning)."""
        return self._take(np.isin(self.client, np.asarray(clients)))

    def since(self, start_min: float) -> ForecastPaths:
        """Return the paths as seen from ``start_min`` on (e.g. the simulation start).

        Rows before ``start_min`` are collapsed into one initial row at ``start_min``
        carrying the forecast at that time; paths whose gate closure is before
        ``start_min`` are dropped; paths opening at or after it are unchanged.
        """
        c = self.gate_closure_min
        keep_path = c >= start_min
        early = (self.time_min < start_min) & keep_path
        if not early.any():
            return self._take(keep_path)
        late = (self.time_min >= start_min) & keep_path
        # The last early row of each path carries the forecast at start_min.
        idx_early = np.flatnonzero(early)
        p_early = self.path_index[idx_early]
        rev = idx_early[::-1]
        uniq, first_in_rev = np.unique(p_early[::-1], return_index=True)
        carry = rev[first_in_rev]  # sorted by path: client, then unit
        idx_late = np.flatnonzero(late)
        late_initial = self.is_initial[idx_late]
        # Paths that had early rows lose their original initial row (it was early).
        path = np.concatenate([self.path_index[carry], self.path_index[idx_late]])
        time_min = np.concatenate(
            [np.full(uniq.shape[0], float(start_min)), self.time_min[idx_late]]
        )
        init = np.concatenate([np.ones(uniq.shape[0], dtype=bool), late_initial])
        value = np.concatenate([self.forecast_lots[carry], self.forecast_lots[idx_late]])
        order = _row_order(path, time_min, init)
        return _from_layout(
            path[order],
            time_min[order],
            value[order],
            init[order],
            n_clients=self.n_clients,
            first_unit=self.first_unit,
            n_units=self.n_units,
            unit_minutes=self.unit_minutes,
            horizon_units=self.horizon_units,
        )

    def iter_rows(self) -> Iterator[tuple[float, int, int, int, bool]]:
        """Yield ``(time_min, client, target_unit, forecast_lots, is_initial)`` in time order."""
        yield from zip(
            self.time_min.tolist(),
            self.client.tolist(),
            self.target_unit.tolist(),
            self.forecast_lots.tolist(),
            self.is_initial.tolist(),
            strict=True,
        )

    def to_frame(self) -> pd.DataFrame:
        """Return the rows as a DataFrame (adds ``lead_time_min``)."""
        return pd.DataFrame(
            {
                "time_min": self.time_min,
                "client": self.client,
                "target_unit": self.target_unit,
                "forecast_lots": self.forecast_lots,
                "is_initial": self.is_initial,
                "lead_time_min": self.lead_time_min,
            }
        )


# --------------------------------------------------------------------------- helpers


def quantize_lots(quantity_kwh: npt.ArrayLike, lot_kwh: float) -> IntArray:
    """Round energy (kWh) to whole lots (round half to even), as int64."""
    if not (math.isfinite(lot_kwh) and lot_kwh > 0):
        raise ValueError(f"lot_kwh must be > 0, got {lot_kwh}")
    return np.rint(np.asarray(quantity_kwh, dtype=np.float64) / lot_kwh).astype(np.int64)


def _as_lots_matrix(realised_lots: npt.ArrayLike) -> IntArray:
    arr = np.asarray(realised_lots)
    if arr.ndim != 2:
        raise ValueError(f"realised_lots must be 2-D (n_clients, n_units), got shape {arr.shape}")
    if np.issubdtype(arr.dtype, np.integer):
        return arr.astype(np.int64, copy=False)
    f = arr.astype(np.float64)
    if not np.all(np.isfinite(f)) or not np.all(f == np.rint(f)):
        raise ValueError("realised_lots must hold whole lots (integers)")
    return f.astype(np.int64)


def _check_grid(unit_minutes: float, horizon_units: int, first_unit: int) -> None:
    if not (math.isfinite(unit_minutes) and unit_minutes > 0):
        raise ValueError(f"unit_minutes must be > 0, got {unit_minutes}")
    if (
        isinstance(horizon_units, bool)
        or not isinstance(horizon_units, int | np.integer)
        or horizon_units < 1
    ):
        raise ValueError(f"horizon_units must be an int >= 1, got {horizon_units!r}")
    if isinstance(first_unit, bool) or not isinstance(first_unit, int | np.integer):
        raise ValueError(f"first_unit must be an int, got {first_unit!r}")


def _bounds(
    bound: float | npt.ArrayLike | None, fill: float, shape: tuple[int, int], name: str
) -> FloatArray:
    if bound is None:
        return np.full(shape, fill)
    try:
        return np.broadcast_to(np.asarray(bound, dtype=np.float64), shape)
    except ValueError:
        raise ValueError(
            f"{name} must broadcast to (n_clients, n_units) = {shape}, got shape {np.shape(bound)}"
        ) from None


def _empty(
    n_clients: int, first_unit: int, n_units: int, unit_minutes: float, horizon_units: int
) -> ForecastPaths:
    return ForecastPaths(
        client=np.zeros(0, dtype=np.int64),
        target_unit=np.zeros(0, dtype=np.int64),
        time_min=np.zeros(0),
        forecast_lots=np.zeros(0, dtype=np.int64),
        is_initial=np.zeros(0, dtype=bool),
        n_clients=n_clients,
        first_unit=int(first_unit),
        n_units=n_units,
        unit_minutes=float(unit_minutes),
        horizon_units=int(horizon_units),
    )


_P = TypeVar("_P")


def _per_client(params: object, n_clients: int, cls: type[_P]) -> list[_P]:
    if isinstance(params, cls):
        return [params] * n_clients
    if not isinstance(params, Sequence):
        raise ValueError(f"params must be a {cls.__name__} or a sequence of them")
    plist = list(params)
    if len(plist) != n_clients:
        raise ValueError(f"params must have one entry per client ({n_clients}), got {len(plist)}")
    for p in plist:
        if not isinstance(p, cls):
            raise ValueError(f"params entries must be {cls.__name__}, got {type(p).__name__}")
    return plist


def _stable_argsort(values: FloatArray) -> npt.NDArray[np.intp]:
    """Return exactly ``np.argsort(values, kind="stable")``, faster.

    The default (introsort/SIMD) argsort is about three times faster than the stable one
    but leaves ties in an unspecified, possibly platform-dependent order. Ties are then
    put back in index order run by run; in CTBA output they are mostly the initial rows
    of one target unit (all clients open at the same instant).
    """
    order = np.argsort(values)
    if order.size < 2:
        return order
    sv = values[order]
    eq = sv[1:] == sv[:-1]
    if eq.any():
        in_run = np.zeros(order.size, dtype=bool)
        in_run[1:] |= eq
        in_run[:-1] |= eq
        idx = np.flatnonzero(in_run)
        starts_run = np.ones(idx.size, dtype=bool)
        starts_run[1:] = ~eq[idx[1:] - 1]
        run_id = np.cumsum(starts_run)
        members = order[idx]
        order[idx] = members[np.lexsort((members, run_id))]
    return order


def _row_order(path: IntArray, time_min: FloatArray, init: BoolArray) -> npt.NDArray[np.intp]:
    """Canonical row order: time, then path (client, unit), initial row first."""
    return np.lexsort((~init, path, time_min))


def _from_layout(
    path: IntArray,
    time_min: FloatArray,
    forecast: IntArray,
    is_initial: BoolArray,
    *,
    n_clients: int,
    first_unit: int,
    n_units: int,
    unit_minutes: float,
    horizon_units: int,
) -> ForecastPaths:
    """Build paths from rows already in canonical order."""
    client, col = np.divmod(path, n_units)
    col += int(first_unit)
    return ForecastPaths(
        client=client,
        target_unit=col,
        time_min=time_min,
        forecast_lots=forecast,
        is_initial=is_initial,
        n_clients=n_clients,
        first_unit=int(first_unit),
        n_units=n_units,
        unit_minutes=float(unit_minutes),
        horizon_units=int(horizon_units),
        _path=path,
    )


def _finish(
    path: IntArray,
    time_min: FloatArray,
    forecast: IntArray,
    is_initial: BoolArray,
    *,
    n_clients: int,
    first_unit: int,
    n_units: int,
    unit_minutes: float,
    horizon_units: int,
) -> ForecastPaths:
    """Sort rows laid out path by path (in path-index order) stably by time."""
    order = _stable_argsort(time_min)
    return _from_layout(
        path[order],
        time_min[order],
        forecast[order],
        is_initial[order],
        n_clients=n_clients,
        first_unit=first_unit,
        n_units=n_units,
        unit_minutes=unit_minutes,
        horizon_units=horizon_units,
    )


# --------------------------------------------------------------------------- models


def simulate_ctba(
    params: CtbaParams | Sequence[CtbaParams],
    rng_per_client: Sequence[np.random.Generator],
    realised_lots: npt.ArrayLike,
    *,
    unit_minutes: float,
    horizon_units: int,
    x_min_lots: float | npt.ArrayLike | None = None,
    x_max_lots: float | npt.ArrayLike | None = None,
    first_unit: int = 0,
) -> ForecastPaths:
    """Simulate CTBA-MMFE forecast paths for every (client, target unit).

    Per client, in this order: ``n_units`` Poisson counts, then one exponential and one
    fair bit per row of that client's paths. A client's paths therefore depend only on
    its generator, its parameters and its realised row (common random numbers).

    Args:
        params: One parameter set for all clients, or one per client.
        rng_per_client: One generator per client (e.g. ``tree.generator("forecast", i)``).
        realised_lots: Realised quantity per (client, unit), whole lots,
            shape ``(n_clients, n_units)``; column ``k`` is target unit ``first_unit + k``.
        unit_minutes: Unit length ``ε``, minutes.
        horizon_units: Horizon ``κ``: the book for unit ``j`` opens at ``(j - κ) ε``.
        x_min_lots: Lower bound for bounded clients (scalar, per client ``(n_clients, 1)``
            or per path); ``None`` is unbounded below. Ignored for unbounded clients.
        x_max_lots: Upper bound, likewise (e.g. capacity in lots for wind).
        first_unit: Absolute index of the first target unit.

    Returns:
        The forecast paths, time-sorted.

    Raises:
        ValueError: On inconsistent shapes, or a bounded client's realisation outside
            its bounds.
    """
    _check_grid(unit_minutes, horizon_units, first_unit)
    realised = _as_lots_matrix(realised_lots)
    n_clients, n_units = realised.shape
    if len(rng_per_client) != n_clients:
        raise ValueError(
            f"rng_per_client must have one generator per client ({n_clients}), "
            f"got {len(rng_per_client)}"
        )
    plist: list[CtbaParams] = _per_client(params, n_clients, CtbaParams)
    if n_clients == 0 or n_units == 0:
        return _empty(n_clients, first_unit, n_units, unit_minutes, horizon_units)
    window = horizon_units * float(unit_minutes)

    lam = np.array([p.window_adjustments(window) for p in plist])
    step_c = np.array([p.step_lots for p in plist], dtype=np.int64)
    a_c = np.array([1.0 - p.alpha for p in plist])
    ts_c = np.array([p.tau_scale_min for p in plist])
    bounded_c = np.array([bool(p.bounded) for p in plist])

    lo = _bounds(x_min_lots, -np.inf, (n_clients, n_units), "x_min_lots")
    hi = _bounds(x_max_lots, np.inf, (n_clients, n_units), "x_max_lots")
    if bounded_c.any():
        rb = realised[bounded_c]
        lo_b, hi_b = lo[bounded_c], hi[bounded_c]
        if np.any(lo_b > hi_b):
            raise ValueError("x_min_lots must be <= x_max_lots for bounded clients")
        bad = (rb < lo_b) | (rb > hi_b)
        if bad.any():
            ci, uj = np.argwhere(bad)[0]
            client = int(np.flatnonzero(bounded_c)[ci])
            raise ValueError(
                f"realised_lots[{client}, {uj}] = {int(rb[ci, uj])} is outside the bounds "
                f"[{lo_b[ci, uj]}, {hi_b[ci, uj]}] of a bounded client"
            )

    # ---- random draws, client by client (CRN) ----
    counts_list: list[IntArray] = []
    exp_list: list[FloatArray] = []
    bit_list: list[npt.NDArray[np.int8]] = []
    for i, rng in enumerate(rng_per_client):
        n_i = rng.poisson(lam[i], size=n_units).astype(np.int64)
        m = int(n_i.sum()) + n_units
        counts_list.append(n_i)
        exp_list.append(rng.standard_exponential(m))
        bit_list.append(rng.integers(0, 2, size=m, dtype=np.int8))
    counts = np.concatenate(counts_list)  # per path, path = client * n_units + col
    e = np.concatenate(exp_list)
    bits = np.concatenate(bit_list)

    n_paths = n_clients * n_units
    n_rows = e.shape[0]
    rows_per_path = counts + 1
    ends = np.cumsum(rows_per_path) - 1  # last row of each path
    starts = ends - counts
    path = np.repeat(np.arange(n_paths, dtype=np.int64), rows_per_path)
    initial = np.zeros(n_rows, dtype=bool)
    initial[starts] = True
    # Per-client parameters: scalars when all clients share them (the common case),
    # else gathered per row. Large temporaries are reused (out=): fresh pages are slow.
    tmp = np.empty(n_rows)
    a_row: FloatArray | float
    ts_row: FloatArray | float
    if np.all(a_c == a_c[0]) and np.all(ts_c == ts_c[0]):
        a_row, ts_row = float(a_c[0]), float(ts_c[0])
    else:
        client_row = path // n_units
        a_row, ts_row = a_c[client_row], ts_c[client_row]

    # ---- times: sorted uniforms from exponential spacings, then inverse CDF ----
    cs = np.cumsum(e)
    np.subtract(cs, e, out=e)  # e: exclusive cumulative sum of the spacings
    base = e[starts]
    total = cs[ends] - base
    del cs
    np.take(base, path, out=tmp)
    np.subtract(e, tmp, out=e)  # spacings before this row within its path
    np.take(total, path, out=tmp)
    with np.errstate(invalid="ignore", divide="ignore"):  # 0/0 only if all spacings are 0
        np.divide(e, tmp, out=e)  # u: 0 for initial rows, then increasing in (0, 1)
    np.subtract(1.0, e, out=e)
    lead = _inverse_share(e, a_row, ts_row, window, out=e)
    closure_path = (np.arange(n_paths, dtype=np.int64) % n_units + int(first_unit)) * float(
        unit_minutes
    )
    # Adjustments must lie in the open-closed window (o, c]: lead in [0, T) holds, but
    # c - lead can round onto o when lead is within rounding of T; those rows (and the
    # initial rows, fixed below) are found before the subtraction and pushed inside.
    slack = 4.0 * float(np.spacing(float(np.max(np.abs(closure_path))) + window))
    near = np.flatnonzero(lead >= window - slack)
    time_min = np.take(closure_path, path, out=tmp)
    np.subtract(time_min, lead, out=time_min)
    del lead, e
    if near.size:
        opening_near = closure_path[path[near]] - window
        time_min[near] = np.maximum(time_min[near], np.nextafter(opening_near, np.inf))
    time_min[starts] = closure_path - window

    # ---- values: forward increments ±step, anchored at the realisation at the end ----
    value = bits.astype(np.int64)
    value *= 2
    value -= 1
    if np.all(step_c == step_c[0]):
        value *= int(step_c[0])
    else:
        value *= step_c[path // n_units]
    value[starts] = 0
    np.cumsum(value, out=value)
    r_path = realised.reshape(-1)
    offset = r_path - value[ends]  # value at the path's end must be the realisation
    value += np.take(offset, path)
    del offset

    if bounded_c.any():
        keep = np.ones(n_rows, dtype=bool)
        _bounded_backward(
            value,
            keep,
            bits,
            np.repeat(step_c, n_units),
            r_path,
            ends,
            counts,
            lo.reshape(-1),
            hi.reshape(-1),
            np.flatnonzero(np.repeat(bounded_c, n_units)),
        )
        if not keep.all():
            path, time_min, value, initial = path[keep], time_min[keep], value[keep], initial[keep]

    return _finish(
        path,
        time_min,
        value,
        initial,
        n_clients=n_clients,
        first_unit=first_unit,
        n_units=n_units,
        unit_minutes=unit_minutes,
        horizon_units=horizon_units,
    )


def _inverse_rate_integral(h: FloatArray, alpha: float, ts: float) -> FloatArray:
    """``τ`` with ``H(τ) = h`` (inverse of :func:`_rate_integral`), minutes."""
    a = 1.0 - alpha
    if abs(a) < 1e-12:
        return np.asarray(ts * portable.expm1(h / ts))
    return np.asarray(ts * portable.expm1(portable.log1p(a * h / ts) / a))


def extend_ctba(
    paths: ForecastPaths,
    params: CtbaParams | Sequence[CtbaParams],
    rng_per_client: Sequence[np.random.Generator],
    *,
    horizon_units: int,
    x_min_lots: float | npt.ArrayLike | None = None,
    x_max_lots: float | npt.ArrayLike | None = None,
) -> ForecastPaths:
    """Extend CTBA-MMFE paths backwards to a longer window (day-ahead lead times).

    The paths within their own window ``T = κε`` are kept row for row (so a mechanism
    that needs day-ahead forecasts trades on the very same intraday forecasts); only
    lead times in ``(T, T_f]``, ``T_f = horizon_units·ε``, are added, from each
    client's own generator (a separate stream): ``N ~ Poisson(Λ (H(T_f) − H(T)) /
    H(T_ref))`` jumps of ``±step`` with fair signs at lead times drawn from ``λ(τ)``
    on ``(T, T_f]``, walked backwards from the forecast at ``T`` (suppressed where
    they would leave the bounds of a bounded client). ``T_ref`` is
    ``sigma0_lead_min`` or ``T``. The path's initial row moves to ``(j − κ_f)ε``;
    read forwards the added increments have mean zero, so the forecast is still a
    martingale ending at the realisation. Per client: ``n_units`` Poisson counts,
    then per path its uniforms and its signs.
    """
    eps = paths.unit_minutes
    window = paths.window_min
    t_f = horizon_units * float(eps)
    if horizon_units <= paths.horizon_units:
        raise ValueError(
            f"horizon_units must exceed the paths' {paths.horizon_units}, got {horizon_units}"
        )
    n_clients, n_units = paths.n_clients, paths.n_units
    plist: list[CtbaParams] = _per_client(params, n_clients, CtbaParams)
    if len(rng_per_client) != n_clients:
        raise ValueError(f"rng_per_client must have one generator per client ({n_clients})")
    lo = _bounds(x_min_lots, -np.inf, (n_clients, n_units), "x_min_lots")
    hi = _bounds(x_max_lots, np.inf, (n_clients, n_units), "x_max_lots")
    init = paths.initial_matrix()
    first = paths.first_unit
    ext_path: list[IntArray] = []
    ext_time: list[FloatArray] = []
    ext_val: list[IntArray] = []
    new_init = np.empty(n_clients * n_units, dtype=np.int64)
    gates = (first + np.arange(n_units)) * float(eps)
    for c, (p, rng) in enumerate(zip(plist, rng_per_client, strict=True)):
        ref = window if p.sigma0_lead_min is None else p.sigma0_lead_min
        h_t = _rate_integral(window, p.alpha, p.tau_scale_min)
        h_f = _rate_integral(t_f, p.alpha, p.tau_scale_min)
        h_ref = _rate_integral(ref, p.alpha, p.tau_scale_min)
        lam = p.expected_adjustments * (h_f - h_t) / h_ref
        counts = rng.poisson(lam, size=n_units)
        # Per path its uniforms, then its signs (the stream's order); then all at once.
        draws = [(np.sort(rng.random(n)), rng.integers(0, 2, size=n)) for n in counts.tolist()]
        u = np.concatenate([d[0] for d in draws])
        step = (np.concatenate([d[1] for d in draws]) * 2 - 1) * p.step_lots
        tau = _inverse_rate_integral(h_t + u * (h_f - h_t), p.alpha, p.tau_scale_min)
        col = np.repeat(np.arange(n_units), counts)
        gate = gates[col]
        time = np.minimum(gate - tau, gate - window)
        # Walk each path backwards in lead time, from T outwards: a jump of +s read
        # forwards takes the forecast from cur - s to cur.
        start = np.cumsum(counts) - counts
        if p.bounded:
            accept = np.ones(u.size, dtype=bool)
            val = np.empty(u.size, dtype=np.int64)
            steps = step.tolist()
            for j, (k0, n) in enumerate(zip(start.tolist(), counts.tolist(), strict=True)):
                cur, low, high = int(init[c, j]), lo[c, j], hi[c, j]
                for k in range(k0, k0 + n):
                    prop = cur - steps[k]
                    if not (low <= prop <= high):
                        accept[k] = False
                        continue
                    val[k] = cur
                    cur = prop
                new_init[c * n_units + j] = cur
            col, time, val = col[accept], time[accept], val[accept]
        else:
            walked = np.concatenate([[0], np.cumsum(step)])  # the client's steps before k
            before = walked[:-1] - np.repeat(walked[start], counts)  # ... within k's path
            val = init[c, col] - before
            total = np.zeros(n_units, dtype=np.int64)
            np.add.at(total, col, step)
            new_init[c * n_units : (c + 1) * n_units] = init[c] - total
        ext_path.append(c * n_units + col)
        ext_time.append(time)
        ext_val.append(val)
    keep = ~paths.is_initial
    all_paths = np.arange(n_clients * n_units, dtype=np.int64)
    opening = (all_paths % n_units + first - horizon_units) * float(eps)
    n_ext = sum(a.size for a in ext_path)
    path = np.concatenate([paths.path_index[keep], *ext_path, all_paths])
    time_min = np.concatenate([paths.time_min[keep], *ext_time, opening])
    value = np.concatenate([paths.forecast_lots[keep], *ext_val, new_init])
    is_init = np.concatenate(
        [np.zeros(int(keep.sum()) + n_ext, bool), np.ones(all_paths.size, bool)]
    )
    order = _row_order(path, time_min, is_init)
    return _from_layout(
        path[order],
        time_min[order],
        value[order],
        is_init[order],
        n_clients=n_clients,
        first_unit=first,
        n_units=n_units,
        unit_minutes=eps,
        horizon_units=horizon_units,
    )


def _bounded_backward(
    value: IntArray,
    keep: BoolArray,
    bits: npt.NDArray[np.int8],
    step_path: IntArray,
    r_path: IntArray,
    ends: IntArray,
    counts: IntArray,
    lo: FloatArray,
    hi: FloatArray,
    paths: IntArray,
) -> None:
    """Rewrite ``value``/``keep`` of bounded paths in place: backward walk with suppression.

    Walks each path from its last row (value ``R``) back to its initial row; the
    adjustment at row ``r`` is undone (``prev = cur - d[r]``) unless that leaves the
    bounds, in which case row ``r`` is dropped and the value carries over. Vectorised
    over paths, looping over the backward step index. The increment of row ``r`` is
    ``step · (2 bits[r] - 1)``.
    """
    order = paths[np.argsort(-counts[paths], kind="stable")]
    step_o = step_path[order]
    n_sorted = counts[order]
    cur = r_path[order].copy()
    end_rows = ends[order]
    lo_o, hi_o = lo[order], hi[order]
    value[end_rows] = cur
    max_n = int(n_sorted[0]) if order.size else 0
    # number of paths with more than j adjustments, for j = 0..max_n-1
    active_counts = np.searchsorted(-n_sorted, -np.arange(max_n), side="left")
    for j in range(max_n):
        k = int(active_counts[j])
        rows = end_rows[:k] - j
        prop = cur[:k] - step_o[:k] * (2 * bits[rows].astype(np.int64) - 1)
        ok = (prop >= lo_o[:k]) & (prop <= hi_o[:k])
        keep[rows] = ok
        cur[:k] = np.where(ok, prop, cur[:k])
        value[rows - 1] = cur[:k]


def simulate_perfect(
    realised_lots: npt.ArrayLike,
    *,
    unit_minutes: float,
    horizon_units: int,
    first_unit: int = 0,
) -> ForecastPaths:
    """Perfect forecasts: one initial row per path at book opening, equal to the realisation."""
    _check_grid(unit_minutes, horizon_units, first_unit)
    realised = _as_lots_matrix(realised_lots)
    n_clients, n_units = realised.shape
    if n_clients == 0 or n_units == 0:
        return _empty(n_clients, first_unit, n_units, unit_minutes, horizon_units)
    path = np.arange(n_clients * n_units, dtype=np.int64)
    col = path % n_units
    opening = (col + int(first_unit) - horizon_units) * float(unit_minutes)
    return _finish(
        path,
        opening,
        realised.reshape(-1).copy(),
        np.ones(path.shape[0], dtype=bool),
        n_clients=n_clients,
        first_unit=first_unit,
        n_units=n_units,
        unit_minutes=unit_minutes,
        horizon_units=horizon_units,
    )


def simulate_persistence(
    params: PersistenceParams,
    realised_lots: npt.ArrayLike,
    *,
    unit_minutes: float,
    horizon_units: int,
    first_unit: int = 0,
    history_lots: npt.ArrayLike | None = None,
) -> ForecastPaths:
    """Persistence forecasts (see the module docstring for the exact definition).

    Args:
        params: When the jump to the realisation happens.
        realised_lots: Realised lots, ``(n_clients, n_units)``.
        unit_minutes: Unit length ``ε``, minutes.
        horizon_units: Horizon ``κ``.
        first_unit: Absolute index of the first target unit.
        history_lots: Optional realised lots of the units just before ``first_unit``,
            ``(n_clients, n_history)`` (last column = unit ``first_unit - 1``). Units
            before all known history use the earliest known value.

    Returns:
        The paths: an initial row per path and at most one adjustment row.
    """
    _check_grid(unit_minutes, horizon_units, first_unit)
    realised = _as_lots_matrix(realised_lots)
    n_clients, n_units = realised.shape
    window = horizon_units * float(unit_minutes)
    if params.jump_lead_min >= window:
        raise ValueError(
            f"jump_lead_min must be < the window {window} min (κ ε), got {params.jump_lead_min}"
        )
    if n_clients == 0 or n_units == 0:
        return _empty(n_clients, first_unit, n_units, unit_minutes, horizon_units)
    if history_lots is None:
        hist = np.zeros((n_clients, 0), dtype=np.int64)
    else:
        hist = _as_lots_matrix(history_lots)
        if hist.shape[0] != n_clients:
            raise ValueError(f"history_lots must have {n_clients} rows, got {hist.shape[0]}")
    full = np.concatenate([hist, realised], axis=1)
    n_hist = hist.shape[1]
    cols = np.arange(n_units)
    src = np.clip(cols + n_hist - horizon_units - 1, 0, None)
    initial_val = full[:, src]  # (n_clients, n_units)
    path = np.arange(n_clients * n_units, dtype=np.int64)
    col = path % n_units
    closure = (col + int(first_unit)) * float(unit_minutes)
    init_v = initial_val.reshape(-1)
    real_v = realised.reshape(-1)
    r_units = params.refresh_units
    if r_units is not None and r_units < horizon_units:
        refresh_lead = r_units * float(unit_minutes)
        if params.jump_lead_min >= refresh_lead:
            raise ValueError(
                f"jump_lead_min must be < the refresh lead {refresh_lead} min, "
                f"got {params.jump_lead_min}"
            )
        src_r = np.clip(cols + n_hist - r_units - 1, 0, None)
        refresh_v = full[:, src_r].reshape(-1)
        moved = refresh_v != init_v
        jumps = refresh_v != real_v
        jpath = path[jumps]
        all_path = np.concatenate([path, path[moved], jpath])
        all_time = np.concatenate(
            [closure - window, closure[moved] - refresh_lead, closure[jumps] - params.jump_lead_min]
        )
        all_val = np.concatenate([init_v, refresh_v[moved], real_v[jumps]])
        n_adj = int(moved.sum()) + jpath.shape[0]
    else:
        jumps = init_v != real_v
        jpath = path[jumps]
        all_path = np.concatenate([path, jpath])
        all_time = np.concatenate([closure - window, closure[jumps] - params.jump_lead_min])
        all_val = np.concatenate([init_v, real_v[jumps]])
        n_adj = jpath.shape[0]
    all_init = np.concatenate([np.ones(path.shape[0], bool), np.zeros(n_adj, bool)])
    # Lay out path by path so the stable time sort keeps initial rows first.
    order = np.argsort(all_path, kind="stable")
    return _finish(
        all_path[order],
        all_time[order],
        all_val[order],
        all_init[order],
        n_clients=n_clients,
        first_unit=first_unit,
        n_units=n_units,
        unit_minutes=unit_minutes,
        horizon_units=horizon_units,
    )


def simulate_forecasts(
    params: ForecastParams | Sequence[ForecastParams],
    rng_per_client: Sequence[np.random.Generator],
    realised_lots: npt.ArrayLike,
    *,
    unit_minutes: float,
    horizon_units: int,
    x_min_lots: float | npt.ArrayLike | None = None,
    x_max_lots: float | npt.ArrayLike | None = None,
    first_unit: int = 0,
    history_lots: npt.ArrayLike | None = None,
) -> ForecastPaths:
    """Simulate forecasts for clients that may use different models.

    Clients are grouped by model; each group is simulated by its ``simulate_*`` function
    and the rows are merged (time-sorted, ties by client, unit, path position). Client
    indices keep their meaning (row of ``realised_lots``). Arguments as in
    :func:`simulate_ctba` and :func:`simulate_persistence`; perfect and persistence
    clients draw nothing from their generators.
    """
    _check_grid(unit_minutes, horizon_units, first_unit)
    realised = _as_lots_matrix(realised_lots)
    n_clients, n_units = realised.shape
    if len(rng_per_client) != n_clients:
        raise ValueError(
            f"rng_per_client must have one generator per client ({n_clients}), "
            f"got {len(rng_per_client)}"
        )
    if isinstance(params, CtbaParams | PerfectParams | PersistenceParams):
        plist: list[ForecastParams] = [params] * n_clients
    else:
        plist = list(params)
        if len(plist) != n_clients:
            raise ValueError(
                f"params must have one entry per client ({n_clients}), got {len(plist)}"
            )
    lo = _bounds(x_min_lots, -np.inf, (n_clients, n_units), "x_min_lots")
    hi = _bounds(x_max_lots, np.inf, (n_clients, n_units), "x_max_lots")
    hist = None if history_lots is None else _as_lots_matrix(history_lots)

    parts: list[tuple[IntArray, ForecastPaths]] = []
    ctba_idx = np.array([i for i, p in enumerate(plist) if isinstance(p, CtbaParams)], dtype=int)
    if ctba_idx.size:
        ctba = simulate_ctba(
            [p for p in plist if isinstance(p, CtbaParams)],
            [rng_per_client[i] for i in ctba_idx],
            realised[ctba_idx],
            unit_minutes=unit_minutes,
            horizon_units=horizon_units,
            x_min_lots=lo[ctba_idx],
            x_max_lots=hi[ctba_idx],
            first_unit=first_unit,
        )
        parts.append((ctba_idx, ctba))
    perf_idx = np.array([i for i, p in enumerate(plist) if isinstance(p, PerfectParams)], dtype=int)
    if perf_idx.size:
        perfect = simulate_perfect(
            realised[perf_idx],
            unit_minutes=unit_minutes,
            horizon_units=horizon_units,
            first_unit=first_unit,
        )
        parts.append((perf_idx, perfect))
    pers_groups: dict[PersistenceParams, list[int]] = {}
    for i, p in enumerate(plist):
        if isinstance(p, PersistenceParams):
            pers_groups.setdefault(p, []).append(i)
        elif not isinstance(p, CtbaParams | PerfectParams):
            raise ValueError(f"params entries must be forecast parameters, got {type(p).__name__}")
    for pers, idx_list in pers_groups.items():
        idx = np.array(idx_list, dtype=int)
        persistence = simulate_persistence(
            pers,
            realised[idx],
            unit_minutes=unit_minutes,
            horizon_units=horizon_units,
            first_unit=first_unit,
            history_lots=None if hist is None else hist[idx],
        )
        parts.append((idx, persistence))
    if not parts:
        return _empty(n_clients, first_unit, n_units, unit_minutes, horizon_units)
    if len(parts) == 1:
        only_idx, only = parts[0]
        if np.array_equal(only_idx, np.arange(n_clients)):
            return only

    client = np.concatenate([idx[fp.client] for idx, fp in parts])
    unit = np.concatenate([fp.target_unit for _, fp in parts])
    time_min = np.concatenate([fp.time_min for _, fp in parts])
    value = np.concatenate([fp.forecast_lots for _, fp in parts])
    init = np.concatenate([fp.is_initial for _, fp in parts])
    path = client * n_units + (unit - int(first_unit))
    order = _row_order(path, time_min, init)
    return _from_layout(
        path[order],
        time_min[order],
        value[order],
        init[order],
        n_clients=n_clients,
        first_unit=first_unit,
        n_units=n_units,
        unit_minutes=unit_minutes,
        horizon_units=horizon_units,
    )


# --------------------------------------------------------------------------- quality


def nmae_by_lead_time(
    paths: ForecastPaths,
    realised_lots: npt.ArrayLike,
    capacity_or_mean: float | npt.ArrayLike,
    buckets_min: Sequence[float] | npt.ArrayLike,
    *,
    by_client: bool = False,
) -> pd.DataFrame:
    """Normalised mean absolute error of the forecasts by lead-time bucket.

    The forecast is a step function of time; in each lead-time bucket ``[lo, hi)`` the
    absolute error ``|x(t) - R|`` is averaged over time (weighted by how long each value
    held) and over paths, after dividing by the client's normaliser. Pooling is over
    every path's time in the bucket, so each path weighs by its coverage of the bucket.

    Args:
        paths: Forecast paths (e.g. from :func:`simulate_ctba`).
        realised_lots: Realised lots, ``(n_clients, n_units)`` as given to the simulation.
        capacity_or_mean: Normaliser in lots, > 0: capacity (wind) or mean (load); a
            scalar or one value per client.
        buckets_min: Ascending lead-time edges in minutes, at least two, e.g.
            ``[0, 15, 60, 240, 1440]``.
        by_client: One row per (client, bucket) instead of one per bucket.

    Returns:
        DataFrame with columns ``lead_from_min``, ``lead_to_min``, ``nmae`` (fraction of
        the normaliser), ``mae_lots`` and ``coverage_min`` (time-weight in minutes summed
        over paths), plus ``client`` when ``by_client``. Buckets with no coverage give
        NaN errors.
    """
    realised = _as_lots_matrix(realised_lots)
    if realised.shape != (paths.n_clients, paths.n_units):
        raise ValueError(
            f"realised_lots must have shape {(paths.n_clients, paths.n_units)}, "
            f"got {realised.shape}"
        )
    edges = np.asarray(buckets_min, dtype=np.float64)
    if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
        raise ValueError("buckets_min must be at least two strictly increasing edges")
    norm = np.broadcast_to(np.asarray(capacity_or_mean, dtype=np.float64), (paths.n_clients,))
    if np.any(~np.isfinite(norm)) or np.any(norm <= 0):
        raise ValueError("capacity_or_mean must be > 0 for every client")

    order = paths.path_order()
    p = paths.path_index[order]
    t = paths.time_min[order]
    client = paths.client[order]
    closure = paths.gate_closure_min[order]
    same_next = np.zeros(p.shape[0], dtype=bool)
    same_next[:-1] = p[1:] == p[:-1]
    t_next = np.where(same_next, np.roll(t, -1), closure)
    lead_hi = closure - t  # segment covers lead times (lead_lo, lead_hi]
    lead_lo = closure - t_next
    err = np.abs(paths.forecast_lots[order] - realised.reshape(-1)[p]).astype(np.float64)
    nerr = err / norm[client]

    rows: list[dict[str, float | int]] = []
    n_groups = paths.n_clients if by_client else 1
    group = client if by_client else np.zeros(p.shape[0], dtype=np.int64)
    for b0, b1 in itertools.pairwise(edges):
        w = np.clip(np.minimum(lead_hi, b1) - np.maximum(lead_lo, b0), 0.0, None)
        cov = np.bincount(group, weights=w, minlength=n_groups)
        s_abs = np.bincount(group, weights=w * err, minlength=n_groups)
        s_norm = np.bincount(group, weights=w * nerr, minlength=n_groups)
        with np.errstate(invalid="ignore", divide="ignore"):
            mae = np.where(cov > 0, s_abs / cov, np.nan)
            nmae = np.where(cov > 0, s_norm / cov, np.nan)
        for g in range(n_groups):
            row: dict[str, float | int] = {
                "lead_from_min": float(b0),
                "lead_to_min": float(b1),
                "nmae": float(nmae[g]),
                "mae_lots": float(mae[g]),
                "coverage_min": float(cov[g]),
            }
            if by_client:
                row = {"client": g, **row}
            rows.append(row)
    return pd.DataFrame(rows)
