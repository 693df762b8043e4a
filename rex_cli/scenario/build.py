"""Typed config -> world. The only place that maps config onto engine objects.

Conversions to engine units happen here: prices to integer ticks (``round(p / tick)``),
energies to integer lots (``round(e / lot_kwh)``), rates to 1/minute.

Random streams (``SeedTree`` keys), one per purpose and agent index, so adding an agent
at the end of a group or changing a market parameter leaves every other stream as it
was (common random numbers across sweep points):

* ``("wind_common",)``: the factor shared by all wind farms;
* ``("wind", i)``: wind farm ``i``'s own innovations;
* ``("load", i)``: household ``i``'s scale (``load=bdew``: its annual consumption) and
  noise;
* ``("forecast", kind, i)``: the forecast adjustments of client ``i`` of a kind;
* ``("forecast_day_ahead", kind, i)``: its adjustments at lead times beyond κε (only
  mechanisms with a day-ahead auction draw them; the κε paths stay as under Rex);
* ``("arrivals", kind, i)``: that agent's coordinator's arrival times;
* ``("strategy", kind, i)``: the draws of its quoting strategy (jitter, ZI-C prices,
  ZIP and AA parameters and perturbations);
* ``("strategy_mix", kind)``: which coordinators of a kind get which strategy;
* ``("home_mix", client)``: which homes get PV, a battery, a heat pump, an EV;
* ``("home_load", i)``, ``("home_pv", i)``, ``("home_ev", i)``: home ``i``'s base load,
  PV rating and EV trips; its net-load forecasts are ``("forecast", "home", i)``.

Agent ids: households, wind farms, heat-pump buildings, batteries, gas turbines, homes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from rex_cli.agents.auction_bids import (
    curve_orders,
    lots_curve,
    plant_curves,
    turbine_offer,
    uncontrollable_bids,
)
from rex_cli.agents.home import HomeCoordinator
from rex_cli.agents.rhpo import PlantCoordinator, PlantData
from rex_cli.agents.simple import (
    AgentKind,
    ForecastClient,
    ForecastFeed,
    QuotingCoordinator,
)
from rex_cli.agents.strategies import (
    AaParams,
    AdaptiveAggressive,
    Shaded,
    ShadedParams,
    Strategy,
    Truthful,
    ZeroIntelligenceConstrained,
    ZeroIntelligencePlus,
    ZicParams,
    ZipParams,
)
from rex_cli.config.schema import (
    STRATEGY_NAMES,
    ForecastModel,
    ForecastShape,
    LoadModel,
    MarketMechanism,
    RexConfig,
    ShearLawName,
    TerminalName,
    WeatherModel,
    WeightShapeName,
    WindModel,
)
from rex_cli.control.highs import RhpoSolver
from rex_cli.control.weights import TerminalCondition, Weights, WeightShape
from rex_cli.market.exchange import Exchange
from rex_cli.market.orders import Side
from rex_cli.plants import builders
from rex_cli.plants.home import HomePlant, combine_home
from rex_cli.plants.statespace import Plant
from rex_cli.scenario.limits import Limits, check_quantities, check_size
from rex_cli.scenario.world import AgentInfo, World
from rex_cli.sim.engine import Engine
from rex_cli.sim.rng import SeedTree
from rex_cli.stochastic.ev import EvTripParams, simulate_ev_schedule
from rex_cli.stochastic.forecast import (
    CtbaParams,
    ForecastParams,
    ForecastPaths,
    PerfectParams,
    PersistenceParams,
    extend_ctba,
    simulate_forecasts,
)
from rex_cli.stochastic.load import HouseholdLoadParams, simulate_household_load
from rex_cli.stochastic.pv import PvParams, plane_of_array_w_m2, pv_energy_kwh, pv_max_energy_kwh
from rex_cli.stochastic.weather import UnitWeather
from rex_cli.stochastic.wind import PowerCurve, WeibullAR1Params, simulate_wind_speed

__all__ = [
    "HomeSpec",
    "build_homes",
    "build_plants",
    "build_world",
    "day_ahead_gates",
    "forecast_paths",
    "forecast_units",
    "home_forecast_feeds",
    "household_energy_kwh",
    "make_strategy",
    "preflight",
    "pv_forecast_params",
    "pv_params",
    "rhpo_weights",
    "seed_tree",
    "strategy_assignment",
    "uncontrollable_net_kwh",
    "unit_weather",
    "wind_energy_kwh",
    "wind_speed_ms",
]

_T = TypeVar("_T")


def seed_tree(cfg: RexConfig) -> SeedTree:
    """The run's seed tree from ``seed`` and ``rng.bit_generator``."""
    return SeedTree(cfg.seed, cfg.rng.bit_generator.value)


# Admissible measured values: (smallest value, what the column holds).
_CSV_RANGE = {"wind": (0.0, "wind speed (m/s)"), "load": (0.0, "household power (kW)")}


def _resolve_path(path: str) -> Path:
    from rex_cli.config.load import package_dir

    file = Path(path)
    if not file.is_absolute() and not file.exists():
        shipped = package_dir() / file  # e.g. data/examples/, the series shipped with Rex
        if shipped.exists():
            file = shipped
    return file


def _csv_series(path: str, column: str, time_column: str, cfg: RexConfig, key: str) -> np.ndarray:
    """The first ``n_units`` unit means of a measured series; errors name the config key.

    Wind speeds and household power must not be negative. A series coarser than the
    unit is interpolated: wind speed linearly, load by ``load.interpolation``.
    """
    from rex_cli.config.load import ConfigError
    from rex_cli.stochastic.series import Interpolation, load_series_csv

    rule = Interpolation(cfg.load.interpolation.value) if key == "load" else Interpolation.linear
    try:
        values = load_series_csv(
            _resolve_path(path),
            column=column,
            time_column=time_column,
            unit_minutes=cfg.market.unit_minutes,
            min_units=cfg.n_units,
            min_value=_CSV_RANGE[key][0],
            what=_CSV_RANGE[key][1],
            interpolation=rule,
        )
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{key}.path: {' '.join(str(exc).split())}") from exc
    return np.asarray(values[: cfg.n_units], dtype=float)


def _real_data(key: str, make: Callable[[], _T]) -> _T:
    """Run ``make``; a missing demandlib becomes a one-line ``ConfigError`` naming ``key``."""
    from rex_cli.config.load import ConfigError
    from rex_cli.stochastic.demandlib_files import MissingDataPackageError

    try:
        return make()
    except MissingDataPackageError as exc:
        raise ConfigError(f"{key}: {exc}") from exc


def _weather_csv(cfg: RexConfig, n_units: int) -> UnitWeather:
    from rex_cli.config.load import ConfigError
    from rex_cli.stochastic.series import Interpolation, read_series_csv

    w = cfg.weather
    file = _resolve_path(w.path or "")
    columns = {
        "temperature_c": (w.temperature_column, Interpolation.linear, None, "temperature (°C)"),
        "wind_ms": (w.wind_column, Interpolation.linear, 0.0, "wind speed (m/s)"),
        "direct_w_m2": (w.direct_column, Interpolation.conservative, 0.0, "irradiance (W/m²)"),
        "diffuse_w_m2": (w.diffuse_column, Interpolation.conservative, 0.0, "irradiance (W/m²)"),
    }
    out: dict[str, np.ndarray] = {}
    starts = set()
    try:
        for name, (column, rule, low, what) in columns.items():
            series = read_series_csv(
                file, column=column, time_column=w.time_column,
                unit_minutes=cfg.market.unit_minutes, min_units=n_units, min_value=low,
                what=what, interpolation=rule,
            )  # fmt: skip
            out[name] = np.asarray(series.values[:n_units], dtype=np.float64)
            starts.add(series.start)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"weather.path: {' '.join(str(exc).split())}") from exc
    start_any = min(starts, key=str)
    if isinstance(start_any, pd.Timestamp):
        # the file's times are UTC; the solar geometry runs on CET (UTC+1)
        start = (start_any + pd.Timedelta(hours=1)).tz_localize(None).to_pydatetime()
    else:
        day = cfg.calendar.start_date
        start = dt.datetime(day.year, day.month, day.day) + dt.timedelta(minutes=start_any)
    return UnitWeather(
        start=start,
        unit_minutes=cfg.market.unit_minutes,
        wind_height_m=w.wind_height_m,
        latitude_deg=w.latitude_deg,
        longitude_deg=w.longitude_deg,
        source=f"{file}",
        **out,
    )


def unit_weather(cfg: RexConfig, n_units: int | None = None) -> UnitWeather:
    """The run's weather data per unit: the CSV under ``weather=csv``, else TRY2010.

    Under ``weather=synthetic`` (only the heat-pump buildings keep their fixed daily
    profiles) this is the TRY2010 year of ``weather.region`` too: PV and
    ``wind=weather`` always read real weather.

    Args:
        cfg: The validated config.
        n_units: Units from unit 0; default ``N + κ`` (what the plants' plans see).

    Raises:
        ConfigError: A bad weather CSV or a missing demandlib.
    """
    from rex_cli.stochastic.weather import try2010_unit_weather

    n = cfg.n_units + cfg.market.horizon_units if n_units is None else n_units
    w = cfg.weather
    if w.model is WeatherModel.csv:
        return _weather_csv(cfg, n)
    return _real_data(
        "weather.model",
        lambda: try2010_unit_weather(
            w.region,
            start=cfg.calendar.start_date,
            n_units=n,
            unit_minutes=cfg.market.unit_minutes,
        ),
    )


def pv_params(cfg: RexConfig) -> PvParams:
    """The rooftop PV system of ``plant.pv``."""
    p = cfg.plant.pv
    return PvParams(
        kwp=p.kwp, tilt_deg=p.tilt_deg, azimuth_deg=p.azimuth_deg, albedo=p.albedo,
        noct_c=p.noct_c, gamma_per_c=p.gamma_per_c,
        inverter_efficiency=p.inverter_efficiency, losses=p.losses, inverter_kw=p.inverter_kw,
    )  # fmt: skip


def pv_forecast_params(cfg: RexConfig) -> ForecastParams:
    """Forecast parameters of a PV client (``forecast.pv``; bounded, like wind).

    Bound its forecasts per unit to ``[−ceil(pv_max_energy_kwh / lot), 0]`` lots
    (``stochastic.pv.pv_max_energy_kwh``): zero in the dark.
    """
    return _forecast_params(cfg, cfg.forecast.pv, bounded=True)


def _bdew_peak_kw(cfg: RexConfig) -> float:
    """Largest unit-mean power of the BDEW profile at the mean annual consumption, kW."""
    from rex_cli.stochastic.bdew import SlpProfile, slp_energy_kwh

    energy = slp_energy_kwh(
        SlpProfile(cfg.load.profile.value), start=cfg.calendar.start_date, n_units=cfg.n_units,
        unit_minutes=cfg.market.unit_minutes, annual_kwh=cfg.load.annual_kwh_mean,
    )  # fmt: skip
    return float(energy.max() / (cfg.market.unit_minutes / 60.0)) if energy.size else 0.0


def preflight(cfg: RexConfig, limits: Limits | None = None) -> None:
    """Check what validation of the config alone cannot (before any run folder is made).

    The measured series a run reads; that every per-unit quantity fits the lot grid
    (``check_quantities``); and that the run's estimated events and memory are within
    ``limits`` (``check_size``; default limits when ``None``).

    Raises:
        ConfigError: A measured series that is missing, malformed, out of range or too
            short, a lot grid too fine for the quantities, or a run over a size limit
            (``SizeLimitError``).
    """
    peaks: dict[str, float] = {}
    if cfg.wind.model is WindModel.csv and cfg.population.wind_farms.count:
        _csv_series(cfg.wind.path or "", cfg.wind.column, cfg.wind.time_column, cfg, "wind")
    if cfg.load.model is LoadModel.csv and cfg.population.households.count:
        kw = _csv_series(cfg.load.path or "", cfg.load.column, cfg.load.time_column, cfg, "load")
        peaks["load"] = float(np.max(kw)) if kw.size else 0.0
    if cfg.load.model is LoadModel.bdew and cfg.population.households.count:
        peaks["load"] = _real_data("load.model", lambda: _bdew_peak_kw(cfg))
    if cfg.weather.model is not WeatherModel.synthetic or (
        cfg.wind.model is WindModel.weather and cfg.population.wind_farms.count
    ):
        unit_weather(cfg)
    check_quantities(cfg, csv_peak_kw=peaks)
    check_size(cfg, limits)


def wind_speed_ms(cfg: RexConfig, tree: SeedTree) -> np.ndarray:
    """Hub-height wind speed per farm and unit, ``(n_farms, n_units)`` m/s.

    Simulated (``weibull_ar1``), or a series shared by every farm: measured (``csv``)
    or the weather's wind raised to the hub (``weather``).
    """
    w = cfg.wind
    n = cfg.population.wind_farms.count
    if w.model is WindModel.csv:
        series = (
            _csv_series(w.path or "", w.column, w.time_column, cfg, "wind") if n else np.zeros(0)
        )
        return np.tile(series, (n, 1))
    if w.model is WindModel.weather:
        if not n:
            return np.zeros((0, cfg.n_units))
        from rex_cli.stochastic.weather import ShearLaw, hub_height_speed_ms

        weather = unit_weather(cfg, cfg.n_units)
        hub = hub_height_speed_ms(
            weather.wind_ms, from_height_m=weather.wind_height_m, to_height_m=w.hub_height_m,
            law=ShearLaw.log if w.shear is ShearLawName.log else ShearLaw.power,
            roughness_m=w.roughness_m, alpha=w.alpha,
        )  # fmt: skip
        return np.tile(hub, (n, 1))
    step_h = cfg.market.unit_minutes / 60.0
    params = WeibullAR1Params.from_correlation_time(
        k=w.k,
        c_ms=w.c_ms,
        correlation_time_h=w.correlation_time_h,
        diurnal_amplitude=w.diurnal_amplitude,
        diurnal_peak_hour=w.diurnal_peak_hour,
    )
    speed = simulate_wind_speed(
        params,
        common=tree.generator("wind_common"),
        farms=[tree.generator("wind", i) for i in range(n)],
        n_steps=cfg.n_units,
        step_hours=step_h,
        rho=w.rho,
    )
    return np.asarray(speed.T)


def wind_energy_kwh(cfg: RexConfig, speed_ms: np.ndarray) -> np.ndarray:
    """Wind energy per farm and unit from speeds ``(n_farms, n_units)``, kWh."""
    w = cfg.wind
    curve = PowerCurve(cut_in_ms=w.cut_in_ms, rated_ms=w.rated_ms, cut_out_ms=w.cut_out_ms)
    step_h = cfg.market.unit_minutes / 60.0
    return np.asarray(curve.energy_kwh(speed_ms, cfg.population.wind_farms.capacity_kw, step_h))


def uncontrollable_net_kwh(cfg: RexConfig) -> np.ndarray:
    """The realised uncontrollable net energy per unit of a config's scenario, kWh.

    Households' consumption minus wind production, summed over clients, each
    rounded to the lot grid exactly as :func:`build_world` realises it.

    Returns:
        Shape (N,).
    """
    tree = seed_tree(cfg)
    lot = cfg.market.lot_kwh
    load = np.rint(household_energy_kwh(cfg, tree) / lot).sum(axis=0)
    wind = np.rint(wind_energy_kwh(cfg, wind_speed_ms(cfg, tree)) / lot).sum(axis=0)
    return np.asarray((load - wind) * lot, dtype=np.float64).reshape(cfg.n_units)


def day_ahead_gates(cfg: RexConfig) -> list[tuple[float, list[int]]]:
    """The day-ahead auctions of a run: per day, its gate (minutes) and its units.

    Day ``d`` holds the units delivered in ``[1440d, 1440(d+1))`` minutes; its auction
    clears at ``1440d − (24 − day_ahead_gate_hour)·60``. Empty unless the mechanism has
    a day-ahead auction.
    """
    m = cfg.market
    if m.mechanism not in (MarketMechanism.day_ahead, MarketMechanism.day_ahead_intraday):
        return []
    days: dict[int, list[int]] = {}
    for j in range(cfg.n_units):
        days.setdefault(int(j * m.unit_minutes // 1440.0), []).append(j)
    return [(1440.0 * d - m.day_ahead_lead_minutes, units) for d, units in sorted(days.items())]


def forecast_units(cfg: RexConfig) -> int:
    """How far (units) the forecasts reach: κ, or the longest day-ahead lead if longer.

    A unit's forecast path must be in force at its day-ahead gate: the last unit of a
    day is ``(24 − gate hour)`` hours plus a day less one unit away (36 h at 12:00).
    """
    eps, kappa = cfg.market.unit_minutes, cfg.market.horizon_units
    lead = max((j * eps - gate for gate, units in day_ahead_gates(cfg) for j in units), default=0.0)
    return max(kappa, int(np.ceil(lead / eps - 1e-9)))


def _forecast_params(cfg: RexConfig, shape: ForecastShape, bounded: bool) -> ForecastParams:
    fc = cfg.forecast
    kappa = cfg.market.horizon_units
    longer = forecast_units(cfg) > kappa
    if fc.model is ForecastModel.perfect:
        return PerfectParams()
    if fc.model is ForecastModel.persistence:
        return PersistenceParams(refresh_units=kappa if longer else None)
    return CtbaParams(
        sigma0_lots=shape.sigma0_kwh / cfg.market.lot_kwh,
        tau_scale_min=shape.tau_scale_min,
        alpha=shape.alpha,
        step_lots=fc.step_lots,
        bounded=bounded,
    )


def forecast_paths(
    cfg: RexConfig, tree: SeedTree, realised_lots: np.ndarray, kinds: list[AgentKind]
) -> ForecastPaths:
    """Forecast paths of the uncontrollable clients (rows of ``realised_lots``).

    Households are bounded below by 0; wind farms to ``[−capacity, 0]`` lots per unit
    (sign convention: production is negative). The paths reach ``forecast_units(cfg)``
    units ahead (κ, or the day-ahead lead).
    """
    cap_lots = cfg.population.wind_farms.capacity_kw * cfg.market.unit_minutes / 60.0
    cap_lots /= cfg.market.lot_kwh
    params, rngs, lo, hi = [], [], [], []
    counters: dict[AgentKind, int] = {}
    for kind in kinds:
        i = counters.get(kind, 0)
        counters[kind] = i + 1
        wind = kind is AgentKind.wind_farm
        shape = cfg.forecast.wind if wind else cfg.forecast.household
        params.append(_forecast_params(cfg, shape, bounded=True))
        rngs.append(tree.generator("forecast", kind.value, i))
        lo.append(-np.ceil(cap_lots) if wind else 0.0)
        hi.append(0.0 if wind else np.inf)
    reach = forecast_units(cfg)
    ctba = cfg.forecast.model is ForecastModel.ctba_mmfe
    paths = simulate_forecasts(
        params,
        rngs,
        realised_lots,
        unit_minutes=cfg.market.unit_minutes,
        # CTBA: the trading-horizon paths as under Rex, extended below
        horizon_units=cfg.market.horizon_units if ctba else reach,
        x_min_lots=np.asarray(lo).reshape(-1, 1),
        x_max_lots=np.asarray(hi).reshape(-1, 1),
    )
    if ctba and reach > cfg.market.horizon_units:
        seen_kind: dict[AgentKind, int] = {}
        ext_rngs = []
        for kind in kinds:
            i = seen_kind.get(kind, 0)
            seen_kind[kind] = i + 1
            ext_rngs.append(tree.generator("forecast_day_ahead", kind.value, i))
        paths = extend_ctba(
            paths,
            [p for p in params if isinstance(p, CtbaParams)],
            ext_rngs,
            horizon_units=reach,
            x_min_lots=np.asarray(lo).reshape(-1, 1),
            x_max_lots=np.asarray(hi).reshape(-1, 1),
        )
    return paths


def household_energy_kwh(cfg: RexConfig, tree: SeedTree) -> np.ndarray:
    """Realised household consumption per household and unit, ``(n_households, n_units)`` kWh."""
    h = cfg.population.households
    if cfg.load.model is LoadModel.csv and h.count:
        ld = cfg.load
        kw = _csv_series(ld.path or "", ld.column, ld.time_column, cfg, "load")
        step = cfg.market.unit_minutes / 60.0
        scales = [math.exp(h.scale_sd * float(tree.generator("load", i).standard_normal()))
                  for i in range(h.count)]  # fmt: skip
        return np.asarray([s * kw * step for s in scales]).reshape(h.count, cfg.n_units)
    if cfg.load.model is LoadModel.bdew and h.count:
        return _real_data("load.model", lambda: _bdew_households_kwh(cfg, tree))
    params = HouseholdLoadParams(
        base_kw=h.base_kw,
        morning_peak_kw=h.morning_peak_kw,
        evening_peak_kw=h.evening_peak_kw,
        noise_sd=h.noise_sd,
    )
    step_h = cfg.market.unit_minutes / 60.0
    rows = []
    for i in range(h.count):
        rng = tree.generator("load", i)
        scale = math.exp(h.scale_sd * float(rng.standard_normal()))
        rows.append(
            simulate_household_load(
                params,
                rng,
                n_steps=cfg.n_units,
                step_hours=step_h,
                scale=scale,
                start_weekday=cfg.calendar.start_date.weekday(),
            )
        )
    return np.asarray(rows, dtype=float).reshape(h.count, cfg.n_units)


def _bdew_households_kwh(cfg: RexConfig, tree: SeedTree) -> np.ndarray:
    """``load=bdew``: per household, an annual consumption, then the noise (one stream)."""
    from rex_cli.stochastic.bdew import SlpProfile, bdew_household_load_kwh, draw_annual_kwh

    h, ld = cfg.population.households, cfg.load
    rows = []
    for i in range(h.count):
        rng = tree.generator("load", i)
        annual = draw_annual_kwh(rng, mean_kwh=ld.annual_kwh_mean, sigma=h.scale_sd)
        rows.append(
            bdew_household_load_kwh(
                SlpProfile(ld.profile.value),
                rng,
                start=cfg.calendar.start_date,
                n_units=cfg.n_units,
                unit_minutes=cfg.market.unit_minutes,
                annual_kwh=annual,
                noise_sd=h.noise_sd,
            )
        )
    return np.asarray(rows, dtype=float).reshape(h.count, cfg.n_units)


def strategy_assignment(cfg: RexConfig, tree: SeedTree, kinds: list[AgentKind]) -> list[str]:
    """The strategy of each uncontrollable client (in agent order), by the mix's shares.

    Within each kind the counts are ``share × size`` rounded by largest remainder (ties
    to the earlier strategy of ``STRATEGY_NAMES``); a permutation drawn from the stream
    ``("strategy_mix", kind)`` deals them out.
    """
    shares = cfg.strategy.shares.as_dict()
    out = [""] * len(kinds)
    for kind in dict.fromkeys(kinds):
        idx = [c for c, k in enumerate(kinds) if k is kind]
        n = len(idx)
        exact = [shares[name] * n for name in STRATEGY_NAMES]
        counts = [int(np.floor(x)) for x in exact]
        order = sorted(range(len(exact)), key=lambda j: (-(exact[j] - counts[j]), j))
        for j in order[: n - sum(counts)]:
            counts[j] += 1
        dealt = [name for name, cnt in zip(STRATEGY_NAMES, counts, strict=True) for _ in range(cnt)]
        perm = tree.generator("strategy_mix", kind.value).permutation(n)
        for slot, c in zip(perm.tolist(), idx, strict=True):
            out[c] = dealt[slot]
    return out


def make_strategy(
    name: str,
    cfg: RexConfig,
    limits: dict[Side, float],
    rng: np.random.Generator,
    spread: float,
) -> Strategy:
    """One coordinator's strategy; prices in ticks, ``spread`` = expected short − long."""
    st, tick = cfg.strategy, cfg.market.tick
    if name == "truthful":
        return Truthful(limits, rng)
    if name == "shaded":
        sh = st.shaded
        shade = round(sh.shading * spread / tick) if spread > 0 else 0
        params = ShadedParams(margin=round(sh.margin / tick), shade=shade, jitter=sh.price_jitter)
        return Shaded(limits, rng, params)
    if name == "zic":
        return ZeroIntelligenceConstrained(
            limits, rng, ZicParams(floor=st.zic.floor / tick, ceiling=st.zic.ceiling / tick)
        )
    if name == "zip":
        z = st.zip
        zp = ZipParams(
            beta=(z.beta_min, z.beta_max),
            momentum=(z.momentum_min, z.momentum_max),
            margin=(z.margin_min, z.margin_max),
            cr=z.cr,
            ca=z.ca / tick,
        )
        return ZeroIntelligencePlus(limits, rng, zp)
    if name == "aa":
        a = st.aa
        ap = AaParams(
            floor=a.floor / tick, ceiling=a.ceiling / tick, eta=a.eta, lambda_r=a.lambda_r,
            lambda_a=a.lambda_a, beta1=a.beta1, beta2=a.beta2, gamma=a.gamma,
            theta_min=a.theta_min, theta_max=a.theta_max, window=a.window, rho=a.rho,
        )  # fmt: skip
        return AdaptiveAggressive(limits, rng, ap)
    raise ValueError(f"unknown strategy {name!r}")


def rhpo_weights(cfg: RexConfig) -> Weights:
    """The RHPO objective weights of the ``weights`` group."""
    w = cfg.weights
    return Weights(
        q=w.q,
        o=w.o,
        r=w.r,
        l=w.l,
        shape=WeightShape.LINEAR if w.shape is WeightShapeName.linear else WeightShape.FLAT,
        damp_costs=w.damp_costs,
        terminal=(
            TerminalCondition.REQUEST
            if w.terminal is TerminalName.request
            else TerminalCondition.NONE
        ),
        terminal_tolerance=w.terminal_tolerance,
    )


def _heat_pump(cfg: RexConfig) -> tuple[Plant, PlantData]:
    """The heat-pump building and its data over N + κ units (the weather, or fixed profiles)."""
    eps, span = cfg.market.unit_minutes, cfg.n_units + cfg.market.horizon_units
    dt = eps / 60.0
    hp = cfg.plant.heat_pump_building
    plant = builders.heat_pump_building(
        unit_minutes=eps,
        cop=hp.cop,
        p_max_kw=hp.p_max_kw,
        t_min_c=hp.t_min_c,
        t_max_c=hp.t_max_c,
    )
    if cfg.weather.model is WeatherModel.synthetic:
        ambient = builders.ambient_temperature_profile(
            0, span, unit_minutes=eps, mean_c=hp.ambient_mean_c,
            amplitude_c=hp.ambient_amplitude_c,
        )  # fmt: skip
        solar = builders.solar_profile(0, span, unit_minutes=eps, peak_kw_m2=hp.solar_peak_kw_m2)
        mean_ambient = hp.ambient_mean_c
    else:
        # The weather: air temperature, and the sun on a south-facing window
        # (irradiance on a vertical plane, kW/m²).
        weather = unit_weather(cfg, span)
        ambient = weather.temperature_c
        solar = plane_of_array_w_m2(weather, tilt_deg=90.0, azimuth_deg=0.0) / 1000.0
        mean_ambient = float(np.mean(ambient))
    setpoint = builders.default_setpoint_schedule(
        0, span, unit_minutes=eps, day_c=hp.day_c, night_c=hp.night_c
    )
    # Fallback (a unit never planned): the power that holds the setpoint in steady
    # state at the day's mean ambient temperature, within the rating.
    a, b = plant.model.A[0, 0], plant.model.B[0]
    need = ((1 - a) * hp.day_c - b[1] * mean_ambient) / b[0]
    fallback = np.array([min(max(need, 0.0), hp.p_max_kw * dt)])
    data = PlantData(
        exogenous=np.column_stack([ambient, solar]),
        request=setpoint.reshape(-1, 1),
        w_init=np.array([hp.t_init_c]),
        fallback_input=fallback,
    )
    return plant, data


def _battery(cfg: RexConfig) -> Plant:
    """The battery plant of ``plant.battery``."""
    bc = cfg.plant.battery
    return builders.battery(
        unit_minutes=cfg.market.unit_minutes,
        capacity_kwh=bc.capacity_kwh,
        soc_min_kwh=bc.soc_min_kwh,
        soc_max_kwh=bc.soc_max_kwh,
        p_charge_max_kw=bc.power_kw,
        p_discharge_max_kw=bc.power_kw,
        eta_charge=bc.efficiency,
        eta_discharge=bc.efficiency,
        degradation_cost=bc.degradation_cost,
    )


def build_plants(cfg: RexConfig) -> list[tuple[AgentKind, Plant, PlantData]]:
    """The controllable plants of the population with their per-unit data.

    Exogenous inputs and requests are deterministic (the same for every building): the
    fixed daily profiles under ``weather=synthetic``, else the weather's air temperature
    and its irradiance on a south-facing vertical window; they cover ``N + κ`` units so
    the last plans see a full horizon.
    """
    eps, kappa, n = cfg.market.unit_minutes, cfg.market.horizon_units, cfg.n_units
    span = n + kappa
    dt = eps / 60.0
    pop, pc = cfg.population, cfg.plant
    out: list[tuple[AgentKind, Plant, PlantData]] = []
    if pop.heat_pumps.count:
        plant, data = _heat_pump(cfg)
        out += [(AgentKind.heat_pump_building, plant, data)] * pop.heat_pumps.count
    bc = pc.battery
    if pop.batteries.count:
        plant = _battery(cfg)
        data = PlantData(
            exogenous=np.zeros((span, 0)),
            request=np.zeros((span, 0)),
            w_init=np.array([bc.soc_init_kwh]),
            fallback_input=np.zeros(len(plant.decision_inputs)),
        )
        out += [(AgentKind.battery, plant, data)] * pop.batteries.count
    gt = pc.gas_turbine
    if pop.gas_turbines.count:
        plant = builders.gas_turbine(
            unit_minutes=eps,
            p_min_kw=gt.min_kw,
            p_max_kw=gt.capacity_kw,
            ramp_kw=gt.ramp_kw,
            marginal_cost=gt.marginal_cost,
        )
        fallback = np.zeros(len(plant.decision_inputs))
        fallback[1:] = gt.min_kw * dt
        fallback[0] = -gt.min_kw * dt
        data = PlantData(
            exogenous=np.zeros((span, 0)),
            request=np.zeros((span, 0)),
            w_init=np.zeros(plant.n_states),
            fallback_input=fallback,
        )
        out += [(AgentKind.gas_turbine, plant, data)] * pop.gas_turbines.count
    return out


@dataclass(frozen=True, kw_only=True, eq=False)
class HomeSpec:
    """One home: its combined plant, data and the realised parts of its net load.

    Attributes:
        plant: The combined plant (``plants.home.combine_home``).
        data: Its data over ``N + κ`` units; ``exogenous[:, 0]`` is the realised net
            load (base load − PV), kWh.
        base_load_kwh: Base load per unit, kWh, (N + κ,).
        pv_kwh: PV generation per unit, kWh >= 0, (N + κ,).
        pv_max_kwh: The most the PV can generate per unit (its AC rating while lit, 0
            in the dark), kWh, (N + κ,): the bound of its forecasts.
        clients: Client labels in record order (``base_load``, ``pv`` if any, then the
            controllable clients in plant order).
        pv_kwp: PV rating, kWp (0 without PV).
    """

    plant: HomePlant
    data: PlantData
    base_load_kwh: np.ndarray
    pv_kwh: np.ndarray
    pv_max_kwh: np.ndarray
    clients: tuple[str, ...]
    pv_kwp: float


def _dealt(tree: SeedTree, client: str, n_homes: int, n_with: int) -> np.ndarray:
    """Which homes get ``client``: the first ``n_with`` of a permutation, as a mask."""
    mask = np.zeros(n_homes, dtype=bool)
    mask[tree.generator("home_mix", client).permutation(n_homes)[:n_with]] = True
    return mask


def synthetic_pv_kwh(cfg: RexConfig, kwp: float, span: int) -> np.ndarray:
    """Synthetic rooftop PV energy per unit, kWh: ``kWp × PR × G(t)``.

    ``G`` is a half-sine clear-sky irradiance on the module peaking at
    ``pv_peak_kw_m2`` (kW/m², ``builders.solar_profile``).
    """
    h = cfg.population.homes
    eps = cfg.market.unit_minutes
    g = builders.solar_profile(0, span, unit_minutes=eps, peak_kw_m2=h.pv_peak_kw_m2)
    return np.asarray(kwp * h.pv_performance_ratio * g * eps / 60.0, dtype=float)


def _bdew_home_kwh(cfg: RexConfig, rng: np.random.Generator, span: int) -> np.ndarray:
    """A home's base load under ``load=bdew``: an annual consumption, then the noise."""
    from rex_cli.stochastic.bdew import SlpProfile, bdew_household_load_kwh, draw_annual_kwh

    h, ld = cfg.population.households, cfg.load
    annual = draw_annual_kwh(rng, mean_kwh=ld.annual_kwh_mean, sigma=h.scale_sd)
    return bdew_household_load_kwh(
        SlpProfile(ld.profile.value), rng, start=cfg.calendar.start_date, n_units=span,
        unit_minutes=cfg.market.unit_minutes, annual_kwh=annual, noise_sd=h.noise_sd,
    )  # fmt: skip


def build_homes(cfg: RexConfig, tree: SeedTree) -> list[HomeSpec]:
    """The prosumer homes of ``population.homes`` (docs/model.md: homes).

    Which homes get which client is dealt per client type (``HomeGroup.counts``, a
    permutation from ``("home_mix", client)``); each home's base load, PV rating and
    EV trips come from its own streams. Data cover ``N + κ`` units. The base load is
    the household load model of ``load`` (``profile``, or ``bdew``: the BDEW profile
    scaled by an annual consumption drawn per home, with the parameters of
    ``population.households``); PV is ``stochastic.pv`` on the run's weather
    (``plant.pv`` with the home's rating), or the synthetic clear-sky day under
    ``weather=synthetic``; the heat pump sees the weather like the buildings.
    """
    h = cfg.population.homes
    if not h.count:
        return []
    eps, kappa, n = cfg.market.unit_minutes, cfg.market.horizon_units, cfg.n_units
    span, dt = n + kappa, eps / 60.0
    counts = h.counts()
    has = {c: _dealt(tree, c, h.count, k) for c, k in counts.items()}
    hh = cfg.population.households
    load_params = HouseholdLoadParams(
        base_kw=hh.base_kw,
        morning_peak_kw=hh.morning_peak_kw,
        evening_peak_kw=hh.evening_peak_kw,
        noise_sd=hh.noise_sd,
    )
    hp_plant, hp_data = _heat_pump(cfg)
    bat_plant = _battery(cfg)
    ev = h.ev
    ev_plant = builders.electric_vehicle(
        unit_minutes=eps,
        capacity_kwh=ev.capacity_kwh,
        p_charge_max_kw=ev.charger_kw,
        eta_charge=ev.efficiency,
        unmet_cost=ev.unmet_cost,
    )
    trips = EvTripParams(
        departure_mean_h=ev.departure_mean_h,
        departure_sd_h=ev.departure_sd_h,
        arrival_mean_h=ev.arrival_mean_h,
        arrival_sd_h=ev.arrival_sd_h,
        distance_median_km=ev.distance_median_km,
        distance_sigma=ev.distance_sigma,
        consumption_kwh_per_km=ev.consumption_kwh_per_km,
        soc_init_min=ev.soc_init_min,
        soc_init_max=ev.soc_init_max,
    )
    weather = None if cfg.weather.model is WeatherModel.synthetic else unit_weather(cfg, span)
    out = []
    for i in range(h.count):
        rng = tree.generator("home_load", i)
        if cfg.load.model is LoadModel.bdew:
            base = _real_data("load.model", partial(_bdew_home_kwh, cfg, rng, span))
        else:
            scale = math.exp(hh.scale_sd * float(rng.standard_normal()))
            base = simulate_household_load(
                load_params, rng, n_steps=span, step_hours=dt, scale=scale,
                start_weekday=cfg.calendar.start_date.weekday(),
            )  # fmt: skip
        kwp = 0.0
        pv = np.zeros(span)
        pv_max = np.zeros(span)
        if has["pv"][i]:
            kwp = float(tree.generator("home_pv", i).uniform(h.pv_kwp_min, h.pv_kwp_max))
            if weather is None:
                pv = pv_max = synthetic_pv_kwh(cfg, kwp, span)
            else:
                params = replace(pv_params(cfg), kwp=kwp)
                pv = pv_energy_kwh(params, weather)
                pv_max = pv_max_energy_kwh(params, weather)
        clients: list[tuple[str, Plant]] = []
        exo = [base - pv]
        req: list[np.ndarray] = []
        w0: list[float] = []
        fallback: list[float] = []
        if has["heat_pump"][i]:
            clients.append(("heat_pump", hp_plant))
            exo += [hp_data.exogenous[:, 0], hp_data.exogenous[:, 1]]
            req.append(hp_data.request[:, 0])
            w0 += list(hp_data.w_init)
            fallback += list(hp_data.fallback_input)
        if has["battery"][i]:
            clients.append(("battery", bat_plant))
            w0.append(cfg.plant.battery.soc_init_kwh)
            fallback += [0.0, 0.0, 0.0, 0.0]  # g+, g-, c, d
        if has["ev"][i]:
            sched = simulate_ev_schedule(
                trips,
                tree.generator("home_ev", i),
                n_steps=span,
                step_hours=dt,
                charger_kw=ev.charger_kw,
                capacity_kwh=ev.capacity_kwh,
                max_trip_kwh=ev.capacity_kwh,
            )
            clients.append(("ev", ev_plant))
            exo += [sched.trip_kwh, sched.chargeable_kwh]
            w0.append(sched.soc_init_kwh)
            fallback += [0.0, 0.0]  # g, unmet (raised at delivery if the SoC needs it)
        plant = combine_home(clients, unit_minutes=eps, name="home")
        if not clients:
            w0 = [0.0]
        data = PlantData(
            exogenous=np.column_stack(exo),
            request=np.column_stack(req) if req else np.zeros((span, 0)),
            w_init=np.asarray(w0, dtype=float),
            fallback_input=np.asarray([0.0, *fallback], dtype=float),
        )
        labels = ("base_load",) + (("pv",) if kwp > 0 else ()) + tuple(c for c, _ in clients)
        out.append(
            HomeSpec(
                plant=plant,
                data=data,
                base_load_kwh=base,
                pv_kwh=pv,
                pv_max_kwh=pv_max,
                clients=labels,
                pv_kwp=kwp,
            )
        )
    return out


def home_forecast_feeds(
    cfg: RexConfig, tree: SeedTree, homes: list[HomeSpec]
) -> list[list[tuple[ForecastClient, tuple[np.ndarray, np.ndarray, np.ndarray]]]]:
    """Per home, the forecast clients of its net load's parts and their adjustments.

    The base load is forecast like a household's load (``forecast.household``, bounded
    below by 0; stream ``("forecast", "home", i)``); PV like a wind farm's production
    (``forecast.pv``, bounded per unit to ``[−ceil(max/lot), 0]`` lots with ``max`` the
    most the PV can generate in the unit, 0 in the dark; stream
    ``("forecast", "home_pv", i)``).

    Returns:
        Per home, ``(client, (times, units, values))`` per part (base load, then PV).
    """
    if not homes:
        return []
    m = cfg.market
    n, lot = cfg.n_units, m.lot_kwh
    params, rngs, real, lo, hi, owner = [], [], [], [], [], []
    for i, hs in enumerate(homes):
        params.append(_forecast_params(cfg, cfg.forecast.household, bounded=True))
        rngs.append(tree.generator("forecast", "home", i))
        real.append(np.rint(hs.base_load_kwh[:n] / lot))
        lo.append(np.zeros(n))
        hi.append(np.full(n, np.inf))
        owner.append(i)
        if "pv" in hs.clients:
            params.append(_forecast_params(cfg, cfg.forecast.pv, bounded=True))
            rngs.append(tree.generator("forecast", "home_pv", i))
            real.append(-np.rint(hs.pv_kwh[:n] / lot))
            lo.append(-np.ceil(hs.pv_max_kwh[:n] / lot - 1e-9))
            hi.append(np.zeros(n))
            owner.append(i)
    paths = simulate_forecasts(
        params,
        rngs,
        np.asarray(real, dtype=np.int64),
        unit_minutes=m.unit_minutes,
        horizon_units=m.horizon_units,
        x_min_lots=np.asarray(lo),
        x_max_lots=np.asarray(hi),
    )
    initial = paths.initial_matrix()
    adj = ~paths.is_initial
    order = np.argsort(paths.client[adj], kind="stable")
    client = paths.client[adj][order]
    bounds = np.searchsorted(client, np.arange(len(params) + 1))
    cols = [x[adj][order] for x in (paths.time_min, paths.target_unit, paths.forecast_lots)]
    out: list[list] = [[] for _ in homes]
    for c, i in enumerate(owner):
        sl = slice(bounds[c], bounds[c + 1])
        out[i].append((ForecastClient(initial[c]), tuple(x[sl] for x in cols)))
    return out


def build_world(cfg: RexConfig, tree: SeedTree) -> World:
    """Build the engine, exchange, clients and coordinators of a run.

    Args:
        cfg: The validated config.
        tree: The run's seed tree (every random draw comes from it).

    Returns:
        A ``World`` ready to ``run()``.
    """
    m, pop, imb = cfg.market, cfg.population, cfg.imbalance
    eps, kappa, n_units = m.unit_minutes, m.horizon_units, cfg.n_units
    tick, lot = m.tick, m.lot_kwh
    max_ticks = round(m.max_price / tick)

    def ticks(price: float) -> int:
        return int(min(max(round(price / tick), 1), max_ticks))

    short_exp, long_exp = imb.expected_prices()
    co = pop.coordinator
    # Side-aware reservation values of every uncontrollable client (ticks).
    values = {Side.BUY: ticks(short_exp), Side.SELL: ticks(long_exp)}
    kinds = [AgentKind.household] * pop.households.count
    kinds += [AgentKind.wind_farm] * pop.wind_farms.count
    strategies = strategy_assignment(cfg, tree, kinds)

    load = household_energy_kwh(cfg, tree)
    speed = wind_speed_ms(cfg, tree)
    wind = wind_energy_kwh(cfg, speed)
    n_agents = pop.n_agents
    realised = np.zeros((n_agents, n_units), dtype=np.int64)
    infos: list[AgentInfo] = []
    coordinators: list[QuotingCoordinator | PlantCoordinator] = []
    aid = 0

    def quoting(client: ForecastClient, c: int, kind: str, i: int) -> QuotingCoordinator:
        strategy = make_strategy(
            strategies[c], cfg, {s: float(v) for s, v in values.items()},
            tree.generator("strategy", kind, i), short_exp - long_exp,
        )  # fmt: skip
        return QuotingCoordinator(
            agent_id=aid,
            client=client,
            strategy=strategy,
            values=values,
            take_lead_minutes=co.take_lead_minutes,
            horizon_minutes=kappa * eps,
            max_price_ticks=max_ticks,
            rate_per_minute=co.arrival_rate_per_hour / 60.0,
            rng=tree.generator("arrivals", kind, i),
            unit_minutes=eps,
        )

    n_unc = pop.households.count + pop.wind_farms.count
    for i in range(pop.households.count):
        realised[aid] = np.rint(load[i] / lot).astype(np.int64)
        infos.append(AgentInfo(agent_id=aid, kind=AgentKind.household, index_in_kind=i))
        aid += 1
    for i in range(pop.wind_farms.count):
        realised[aid] = -np.rint(wind[i] / lot).astype(np.int64)
        infos.append(
            AgentInfo(
                agent_id=aid,
                kind=AgentKind.wind_farm,
                index_in_kind=i,
                capacity_kw=pop.wind_farms.capacity_kw,
            )
        )
        aid += 1
    # Uncontrollable clients trade on forecasts; each adjustment is a request event.
    paths = forecast_paths(cfg, tree, realised[:n_unc], [a.kind for a in infos])
    gates = day_ahead_gates(cfg)
    start = min([-kappa * eps] + [g for g, _ in gates])
    # The agents see the paths from the simulation start (earlier rows folded into it).
    seen = paths if forecast_units(cfg) == kappa else paths.since(start)
    initial = seen.initial_matrix()
    adjust = ~seen.is_initial
    order = np.argsort(seen.client[adjust], kind="stable")  # per client, still time-sorted
    a_client = seen.client[adjust][order]
    a_time = seen.time_min[adjust][order]
    a_unit = seen.target_unit[adjust][order]
    a_value = seen.forecast_lots[adjust][order]
    bounds = np.searchsorted(a_client, np.arange(n_unc + 1))
    feeds: list[ForecastFeed] = []
    for c in range(n_unc):
        info = infos[c]
        client = ForecastClient(initial[c])
        aid = c
        coord = quoting(client, c, info.kind.value, info.index_in_kind)
        coordinators.append(coord)
        sl = slice(bounds[c], bounds[c + 1])
        feeds.append(ForecastFeed(client, a_time[sl], a_unit[sl], a_value[sl], coord.on_request))
    aid = n_unc
    weights = rhpo_weights(cfg)
    rc = pop.rhpo
    # What every plant coordinator (plants and homes alike) is given from the config.
    quoting_args: dict[str, Any] = dict(
        rate_per_minute=rc.arrival_rate_per_hour / 60.0,
        unit_minutes=eps,
        n_units=n_units,
        lot_kwh=lot,
        tick=tick,
        max_price_ticks=max_ticks,
        margin=rc.margin,
        quote_kwh=rc.quote_kwh,
        short_price=short_exp,
        # Surplus reservation is planned as worth nothing (only its penalty Q): with
        # damped cost weights R, a paid surplus would make far-off generation look
        # profitable (fuel at R_k < long price) and the turbine would ramp up to spill.
        # Imbalance settlement still pays the long price.
        long_price=0.0,
        gate_redispatch=rc.gate_redispatch,
        stored_value=rc.stored_energy_value,
        quote_resolve=rc.quote_resolve,
    )
    counters: dict[AgentKind, int] = {}
    for kind, plant, data in build_plants(cfg):
        i = counters.get(kind, 0)
        counters[kind] = i + 1
        # Each coordinator owns its LP: the matrices are built once, then every arrival
        # changes only data and warm-starts from that coordinator's previous basis.
        solver = RhpoSolver(plant, weights, kappa)
        solver.warm = rc.warm_resolve
        capacity = cfg.plant.gas_turbine.capacity_kw if kind is AgentKind.gas_turbine else 0.0
        cost = cfg.plant.gas_turbine.marginal_cost if kind is AgentKind.gas_turbine else 0.0
        infos.append(
            AgentInfo(
                agent_id=aid, kind=kind, index_in_kind=i, capacity_kw=capacity, marginal_cost=cost
            )
        )
        coordinators.append(
            PlantCoordinator(
                agent_id=aid,
                plant=plant,
                solver=solver,
                data=data,
                rng=tree.generator("arrivals", kind.value, i),
                **quoting_args,
            )
        )
        aid += 1

    homes = build_homes(cfg, tree)
    home_feeds = home_forecast_feeds(cfg, tree, homes)
    for i, hs in enumerate(homes):
        infos.append(AgentInfo(agent_id=aid, kind=AgentKind.home, index_in_kind=i))
        home_solver = RhpoSolver(hs.plant, weights, kappa)
        home_solver.warm = rc.warm_resolve
        parts = home_feeds[i]
        home = HomeCoordinator(
            forecasts=tuple(client for client, _ in parts),
            base_load_kwh=hs.base_load_kwh[:n_units],
            pv_kwh=hs.pv_kwh[:n_units],
            clients=hs.clients,
            agent_id=aid,
            plant=hs.plant,
            solver=home_solver,
            data=hs.data,
            rng=tree.generator("arrivals", AgentKind.home.value, i),
            **quoting_args,
        )
        coordinators.append(home)
        for client, (t, u, v) in parts:
            feeds.append(ForecastFeed(client, t, u, v, home.on_request))
        aid += 1

    exchange = Exchange(
        unit_minutes=eps,
        max_price_ticks=max_ticks,
        opening_auction=m.opening_auction,
        opening_window_minutes=m.opening_window_minutes,
        record_orders=cfg.output.record_orders,
        batch=m.mechanism is MarketMechanism.call,
    )
    plant_coords = [
        (info.kind, c)
        for info, c in zip(infos, coordinators, strict=True)
        if isinstance(c, PlantCoordinator)
    ]
    gt = cfg.plant.gas_turbine
    turbine_lots = int(np.floor(gt.capacity_kw * eps / 60.0 / lot + 1e-9))
    grid = sorted({ticks(p) for p in np.linspace(long_exp, short_exp, m.auction_price_points)})

    def bids(time: float, units: list[int]) -> list[tuple[int, int, Side, int, int]]:
        """Every participant's day-ahead orders (docs/model.md: market mechanisms)."""
        out: list[tuple[int, int, Side, int, int]] = []
        fc = paths.forecast_at(time)  # the forecasts in force at the gate
        for c in range(n_unc):
            for unit, side, price, qty in uncontrollable_bids(fc[c, units].tolist(), units, values):
                out.append((c, unit, side, price, qty))
        cache: dict[tuple, dict[int, np.ndarray]] = {}
        for kind, coord in plant_coords:
            if kind is AgentKind.gas_turbine:
                orders = turbine_offer(turbine_lots, ticks(gt.marginal_cost), units)
            else:
                # Identical plants in identical states state identical curves: solve once.
                key = (id(coord.plant), id(coord.data), len(coord.trajectory["target_unit"]),
                       coord.w_next.tobytes(), coord.u_last.tobytes())  # fmt: skip
                if key not in cache:
                    cache[key] = plant_curves(
                        coord, units, [p * tick for p in grid], rc.stored_energy_value
                    )
                curves = cache[key]
                orders = [
                    o for j in units for o in curve_orders(j, grid, lots_curve(curves[j], lot))
                ]
            out += [(coord.agent_id, unit, side, price, qty) for unit, side, price, qty in orders]
        return out

    return World(
        engine=Engine(start=start),
        exchange=exchange,
        agents=infos,
        coordinators=coordinators,
        realised_lots=realised,
        unit_minutes=eps,
        horizon_units=kappa,
        n_units=n_units,
        lot_kwh=lot,
        tick=tick,
        opening_auction=m.opening_auction,
        opening_window_minutes=m.opening_window_minutes,
        imbalance_prices=imb.prices,
        feeds=feeds,
        forecasts=paths,
        wind_speed_ms=speed,
        mechanism=m.mechanism.value,
        call_interval_minutes=m.call_interval_minutes,
        day_ahead_gates=gates,
        day_ahead_bids=bids if gates else None,
    )
