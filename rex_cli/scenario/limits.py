"""Size limits: a run's events and memory estimated from its config, checked up front.

A config such as ``market.horizon_units=1000000`` (the clock starts 28 simulated years
before the first delivery), ``market.unit_minutes=0.01`` or ``duration_hours=1e9`` would
run for hours and exhaust memory. ``check_size`` estimates, before any folder exists,

* **events** the engine processes: the delivery timeline (book openings, call ends,
  gate closures, settlements, depth snapshots), coordinator arrivals over the trading
  period ``(N − 1 + κ) ε`` minutes, and forecast adjustments (CTBA-MMFE: ``(σ0 / lot /
  step)²`` per client and unit);
* **memory**: the rows the run holds (order events, quotes, forecasts, depth snapshots,
  settlement and plant rows; about 400 bytes each at the peak, when the tables are
  written) plus a fixed base and a per-agent share;

and refuses anything over ``max_events`` (default 20 million) or ``max_memory_gb``
(default 4 GB), naming the largest contribution and the keys that drive it. The
limits are raised with ``--max-events`` and ``--max-memory-gb``. The estimates are
deliberately rough (within a factor of about two of measured runs, on the high side).

``check_quantities`` is a validity check, not a limit: every per-unit energy must be
at most ``MAX_LOTS`` lots, or the integer lot arithmetic (and NumPy's Poisson sampler)
would overflow; e.g. ``market.lot_kwh=1e-12``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from rex_cli.config.load import ConfigError
from rex_cli.config.schema import ForecastModel, ForecastShape, RexConfig

__all__ = [
    "DEFAULT_MAX_EVENTS",
    "DEFAULT_MAX_MEMORY_GB",
    "MAX_LOTS",
    "Limits",
    "SizeEstimate",
    "SizeLimitError",
    "check_quantities",
    "check_size",
    "estimate_size",
]

DEFAULT_MAX_EVENTS = 20_000_000
DEFAULT_MAX_MEMORY_GB = 4.0
MAX_LOTS = 10**8

_BASE_BYTES = 200e6
_BYTES_PER_ROW = 400.0
_BYTES_PER_PLANT = 0.5e6
_BYTES_PER_CLIENT = 0.05e6


class SizeLimitError(ConfigError):
    """A run estimated to exceed a size limit (exit 2, one line, names the flag)."""


@dataclass(frozen=True)
class Limits:
    """Largest run accepted: estimated events and memory (GB)."""

    max_events: float = DEFAULT_MAX_EVENTS
    max_memory_gb: float = DEFAULT_MAX_MEMORY_GB

    def __post_init__(self) -> None:
        for name in ("max_events", "max_memory_gb"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ConfigError(f"--{name.replace('_', '-')} must be > 0, got {value!r}")


@dataclass(frozen=True)
class SizeEstimate:
    """Estimated size of one run (one replication).

    Attributes:
        events: Engine events.
        memory_bytes: Peak resident memory.
        events_by_source: Events per source (``timeline``, ``arrivals``, ``forecast``).
        rows_by_table: Rows held per record (``order_events``, ``forecasts``, ...).
    """

    events: float
    memory_bytes: float
    events_by_source: dict[str, float] = field(default_factory=dict)
    rows_by_table: dict[str, float] = field(default_factory=dict)


# What drives each part, for the message.
_EVENT_KEYS = {
    "timeline": "duration_hours / market.unit_minutes and market.horizon_units",
    "arrivals": "population counts × arrival rates × (duration_hours + "
    "market.horizon_units × market.unit_minutes)",
    "forecast adjustments": "(forecast.*.sigma0_kwh / market.lot_kwh / forecast.step_lots)² "
    "per client and unit",
}
_ROW_KEYS = {
    "order_events": "arrivals × market.horizon_units open books",
    "quotes": "arrivals × market.horizon_units open books",
    "forecasts": "forecast adjustments and units × clients",
    "depth": "units × market.horizon_units",
    "settlement": "units × agents",
    "plants": "units × plants",
}


def _adjustments_per_path(cfg: RexConfig, shape: ForecastShape) -> float:
    if cfg.forecast.model is ForecastModel.ctba_mmfe:
        return (shape.sigma0_kwh / cfg.market.lot_kwh / cfg.forecast.step_lots) ** 2
    if cfg.forecast.model is ForecastModel.persistence:
        return 1.0
    return 0.0


def estimate_size(cfg: RexConfig) -> SizeEstimate:
    """Estimate the events and peak memory of one run of ``cfg`` (see module docs)."""
    m, pop = cfg.market, cfg.population
    n = cfg.duration_hours * 60.0 / m.unit_minutes  # units (not floored: may be huge)
    kappa = float(m.horizon_units)
    eps = m.unit_minutes
    n_h, n_w = pop.households.count, pop.wind_farms.count
    n_unc = n_h + n_w
    n_pl = pop.heat_pumps.count + pop.batteries.count + pop.gas_turbines.count
    trading_min = max(n - 1.0 + kappa, 1.0) * eps
    arrivals_q = n_unc * pop.coordinator.arrival_rate_per_hour / 60.0 * trading_min
    arrivals_p = n_pl * pop.rhpo.arrival_rate_per_hour / 60.0 * trading_min
    adjust = n * (
        n_h * _adjustments_per_path(cfg, cfg.forecast.household)
        + n_w * _adjustments_per_path(cfg, cfg.forecast.wind)
    )
    timeline = n * (3.0 + m.opening_auction) + (n + kappa)
    events = {
        "timeline": timeline,
        "arrivals": arrivals_q + arrivals_p,
        "forecast adjustments": adjust,
    }
    books = min(kappa, max(n, 1.0))  # books open at a time
    orders = (0.2 * arrivals_q + 0.5 * arrivals_p) * books + adjust
    orders_kept = orders if cfg.output.record_orders else 0.0
    rows = {
        "order_events": orders_kept,
        "quotes": 0.25 * orders + 0.1 * orders * (not cfg.output.record_orders),
        "forecasts": n * n_unc + adjust,
        "depth": n * books,
        "settlement": n * (n_unc + n_pl),
        "plants": n * n_pl,
    }
    memory = (
        _BASE_BYTES
        + _BYTES_PER_ROW * sum(rows.values())
        + _BYTES_PER_PLANT * n_pl * max(kappa / 16.0, 1.0)
        + _BYTES_PER_CLIENT * n_unc
    )
    return SizeEstimate(
        events=sum(events.values()),
        memory_bytes=memory,
        events_by_source=events,
        rows_by_table=rows,
    )


def check_size(cfg: RexConfig, limits: Limits | None = None) -> SizeEstimate:
    """Refuse a run estimated to exceed ``limits`` (before any folder is made).

    Raises:
        SizeLimitError: One line: the estimate, its largest part and the keys behind
            it, the limit and the flag that raises it.
    """
    limits = limits or Limits()
    est = estimate_size(cfg)
    if est.events > limits.max_events:
        part, value = max(est.events_by_source.items(), key=lambda kv: kv[1])
        raise SizeLimitError(
            f"run too large: about {est.events:.2g} events (largest part: {part}, "
            f"{value:.2g}, from {_EVENT_KEYS[part]}), over the limit of "
            f"{limits.max_events:.3g}; shrink the config or raise the limit with --max-events"
        )
    gb = est.memory_bytes / 1e9
    if gb > limits.max_memory_gb:
        part, value = max(est.rows_by_table.items(), key=lambda kv: kv[1])
        raise SizeLimitError(
            f"run too large: about {gb:.3g} GB of memory (largest part: {value:.2g} rows "
            f"of {part}, from {_ROW_KEYS[part]}), over the limit of "
            f"{limits.max_memory_gb:g} GB; shrink the config or raise the limit with "
            "--max-memory-gb"
        )
    return est


def check_quantities(cfg: RexConfig, *, csv_peak_kw: dict[str, float] | None = None) -> None:
    """Every per-unit energy must fit the lot grid: at most ``MAX_LOTS`` lots.

    Args:
        cfg: The validated config.
        csv_peak_kw: Largest unit mean of measured series, by source (``load``: kW per
            household before its scale, also the BDEW profile's peak at the mean annual
            consumption under ``load=bdew``; ``wind`` is bounded by the farms' capacity).

    Raises:
        ConfigError: Names ``market.lot_kwh`` and the quantity that overflows.
    """
    m, pop, pc = cfg.market, cfg.population, cfg.plant
    hours = m.unit_minutes / 60.0
    hh = pop.households
    # A household's scale is lognormal: allow 6 standard deviations.
    scale = math.exp(min(6.0 * hh.scale_sd, 700.0))
    peak_kw = {
        "a household's load" + (" (load.path)" if cfg.load.model.value == "csv" else ""): (
            (csv_peak_kw or {}).get("load", 0.0)
            if cfg.load.model.value in ("csv", "bdew")
            else hh.base_kw + hh.morning_peak_kw + hh.evening_peak_kw
        )
        * scale
        * (1.0 + 6.0 * hh.noise_sd)
        * (hh.count > 0),
        "a wind farm's output": pop.wind_farms.capacity_kw * (pop.wind_farms.count > 0),
        "a heat pump's input": pc.heat_pump_building.p_max_kw * (pop.heat_pumps.count > 0),
        "a battery's power": pc.battery.power_kw * (pop.batteries.count > 0),
        "a gas turbine's output": pc.gas_turbine.capacity_kw * (pop.gas_turbines.count > 0),
    }
    quantities = {k: v * hours for k, v in peak_kw.items()}
    quantities["forecast error (forecast.*.sigma0_kwh)"] = 10.0 * max(
        cfg.forecast.household.sigma0_kwh, cfg.forecast.wind.sigma0_kwh
    )
    quantities["an RHPO quote (population.rhpo.quote_kwh)"] = pop.rhpo.quote_kwh
    what, kwh = max(quantities.items(), key=lambda kv: kv[1])
    lots = kwh / m.lot_kwh
    if not lots <= MAX_LOTS:  # also catches inf and nan
        raise ConfigError(
            f"market.lot_kwh={m.lot_kwh:g} is too fine: {what} reaches about {kwh:.3g} kWh "
            f"per unit, {lots:.3g} lots (at most {MAX_LOTS:.0e}); raise market.lot_kwh or "
            "check the inputs' units"
        )
