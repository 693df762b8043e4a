"""Typed config -> world. The only place that maps config onto engine objects.

Conversions to engine units happen here: prices to integer ticks (``round(p / tick)``),
energies to integer lots (``round(e / lot_kwh)``), rates to 1/minute.

Random streams (``SeedTree`` keys), one per purpose and agent index, so adding an agent
at the end of a group or changing a market parameter leaves every other stream as it
was (common random numbers across sweep points):

* ``("wind_common",)``: the factor shared by all wind farms;
* ``("wind", i)``: wind farm ``i``'s own innovations;
* ``("load", i)``: household ``i``'s scale and noise;
* ``("forecast", kind, i)``: the forecast adjustments of client ``i`` of a kind;
* ``("arrivals", kind, i)``: that agent's coordinator's arrival times;
* ``("strategy", kind, i)``: the draws of its quoting strategy (jitter, ZI-C prices,
  ZIP and AA parameters and perturbations);
* ``("strategy_mix", kind)``: which coordinators of a kind get which strategy.

Agent ids: households, wind farms, heat-pump buildings, batteries, gas turbines.
"""

from __future__ import annotations

import numpy as np

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
    RexConfig,
    TerminalName,
    WeightShapeName,
    WindModel,
)
from rex_cli.control.highs import RhpoSolver
from rex_cli.control.weights import TerminalCondition, Weights, WeightShape
from rex_cli.market.exchange import Exchange
from rex_cli.market.orders import Side
from rex_cli.plants import builders
from rex_cli.plants.statespace import Plant
from rex_cli.scenario.limits import Limits, check_quantities, check_size
from rex_cli.scenario.world import AgentInfo, World
from rex_cli.sim.engine import Engine
from rex_cli.sim.rng import SeedTree
from rex_cli.stochastic.forecast import (
    CtbaParams,
    ForecastParams,
    ForecastPaths,
    PerfectParams,
    PersistenceParams,
    simulate_forecasts,
)
from rex_cli.stochastic.load import HouseholdLoadParams, simulate_household_load
from rex_cli.stochastic.wind import PowerCurve, WeibullAR1Params, simulate_wind_speed

__all__ = [
    "build_plants",
    "build_world",
    "forecast_paths",
    "household_energy_kwh",
    "make_strategy",
    "preflight",
    "rhpo_weights",
    "seed_tree",
    "strategy_assignment",
    "uncontrollable_net_kwh",
    "wind_energy_kwh",
    "wind_speed_ms",
]


def seed_tree(cfg: RexConfig) -> SeedTree:
    """The run's seed tree from ``seed`` and ``rng.bit_generator``."""
    return SeedTree(cfg.seed, cfg.rng.bit_generator.value)


# Admissible measured values: (smallest value, what the column holds).
_CSV_RANGE = {"wind": (0.0, "wind speed (m/s)"), "load": (0.0, "household power (kW)")}


def _csv_series(path: str, column: str, time_column: str, cfg: RexConfig, key: str) -> np.ndarray:
    """The first ``n_units`` unit means of a measured series; errors name the config key.

    Wind speeds and household power must not be negative.
    """
    from pathlib import Path

    from rex_cli.config.load import ConfigError, package_dir
    from rex_cli.stochastic.series import load_series_csv

    file = Path(path)
    if not file.is_absolute() and not file.exists():
        shipped = package_dir() / file  # e.g. data/examples/, the series shipped with Rex
        if shipped.exists():
            file = shipped
    try:
        values = load_series_csv(
            file,
            column=column,
            time_column=time_column,
            unit_minutes=cfg.market.unit_minutes,
            min_units=cfg.n_units,
            min_value=_CSV_RANGE[key][0],
            what=_CSV_RANGE[key][1],
        )
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{key}.path: {' '.join(str(exc).split())}") from exc
    return np.asarray(values[: cfg.n_units], dtype=float)


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
    check_quantities(cfg, csv_peak_kw=peaks)
    check_size(cfg, limits)


def wind_speed_ms(cfg: RexConfig, tree: SeedTree) -> np.ndarray:
    """Hub-height wind speed per farm and unit, ``(n_farms, n_units)`` m/s.

    Simulated (``weibull_ar1``), or a measured series shared by every farm (``csv``).
    """
    w = cfg.wind
    n = cfg.population.wind_farms.count
    if w.model is WindModel.csv:
        series = (
            _csv_series(w.path or "", w.column, w.time_column, cfg, "wind") if n else np.zeros(0)
        )
        return np.tile(series, (n, 1))
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


def _forecast_params(cfg: RexConfig, shape: ForecastShape, bounded: bool) -> ForecastParams:
    fc = cfg.forecast
    if fc.model is ForecastModel.perfect:
        return PerfectParams()
    if fc.model is ForecastModel.persistence:
        return PersistenceParams()
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
    (sign convention: production is negative).
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
    return simulate_forecasts(
        params,
        rngs,
        realised_lots,
        unit_minutes=cfg.market.unit_minutes,
        horizon_units=cfg.market.horizon_units,
        x_min_lots=np.asarray(lo).reshape(-1, 1),
        x_max_lots=np.asarray(hi).reshape(-1, 1),
    )


def household_energy_kwh(cfg: RexConfig, tree: SeedTree) -> np.ndarray:
    """Realised household consumption per household and unit, ``(n_households, n_units)`` kWh."""
    h = cfg.population.households
    if cfg.load.model is LoadModel.csv and h.count:
        ld = cfg.load
        kw = _csv_series(ld.path or "", ld.column, ld.time_column, cfg, "load")
        step = cfg.market.unit_minutes / 60.0
        scales = [float(np.exp(h.scale_sd * tree.generator("load", i).standard_normal()))
                  for i in range(h.count)]  # fmt: skip
        return np.asarray([s * kw * step for s in scales]).reshape(h.count, cfg.n_units)
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
        scale = float(np.exp(h.scale_sd * rng.standard_normal()))
        rows.append(
            simulate_household_load(
                params, rng, n_steps=cfg.n_units, step_hours=step_h, scale=scale
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


def build_plants(cfg: RexConfig) -> list[tuple[AgentKind, Plant, PlantData]]:
    """The controllable plants of the population with their per-unit data.

    Exogenous inputs and requests are deterministic daily profiles (the same for every
    building); they cover ``N + κ`` units so the last plans see a full horizon.
    """
    eps, kappa, n = cfg.market.unit_minutes, cfg.market.horizon_units, cfg.n_units
    span = n + kappa
    dt = eps / 60.0
    pop, pc = cfg.population, cfg.plant
    out: list[tuple[AgentKind, Plant, PlantData]] = []
    hp = pc.heat_pump_building
    if pop.heat_pumps.count:
        plant = builders.heat_pump_building(
            unit_minutes=eps,
            cop=hp.cop,
            p_max_kw=hp.p_max_kw,
            t_min_c=hp.t_min_c,
            t_max_c=hp.t_max_c,
        )
        ambient = builders.ambient_temperature_profile(
            0, span, unit_minutes=eps, mean_c=hp.ambient_mean_c, amplitude_c=hp.ambient_amplitude_c
        )
        solar = builders.solar_profile(0, span, unit_minutes=eps, peak_kw_m2=hp.solar_peak_kw_m2)
        setpoint = builders.default_setpoint_schedule(
            0, span, unit_minutes=eps, day_c=hp.day_c, night_c=hp.night_c
        )
        # Fallback (a unit never planned): the power that holds the setpoint in steady
        # state at the day's mean ambient temperature, within the rating.
        a, b = plant.model.A[0, 0], plant.model.B[0]
        need = ((1 - a) * hp.day_c - b[1] * hp.ambient_mean_c) / b[0]
        fallback = np.array([min(max(need, 0.0), hp.p_max_kw * dt)])
        data = PlantData(
            exogenous=np.column_stack([ambient, solar]),
            request=setpoint.reshape(-1, 1),
            w_init=np.array([hp.t_init_c]),
            fallback_input=fallback,
        )
        out += [(AgentKind.heat_pump_building, plant, data)] * pop.heat_pumps.count
    bc = pc.battery
    if pop.batteries.count:
        plant = builders.battery(
            unit_minutes=eps,
            capacity_kwh=bc.capacity_kwh,
            soc_min_kwh=bc.soc_min_kwh,
            soc_max_kwh=bc.soc_max_kwh,
            p_charge_max_kw=bc.power_kw,
            p_discharge_max_kw=bc.power_kw,
            eta_charge=bc.efficiency,
            eta_discharge=bc.efficiency,
            degradation_cost=bc.degradation_cost,
        )
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
    initial = paths.initial_matrix()
    adjust = ~paths.is_initial
    order = np.argsort(paths.client[adjust], kind="stable")  # per client, still time-sorted
    a_client = paths.client[adjust][order]
    a_time = paths.time_min[adjust][order]
    a_unit = paths.target_unit[adjust][order]
    a_value = paths.forecast_lots[adjust][order]
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
    counters: dict[AgentKind, int] = {}
    for kind, plant, data in build_plants(cfg):
        i = counters.get(kind, 0)
        counters[kind] = i + 1
        # Each coordinator owns its LP: the matrices are built once, then every arrival
        # changes only data and warm-starts from that coordinator's previous basis.
        solver = RhpoSolver(plant, weights, kappa)
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
                rate_per_minute=rc.arrival_rate_per_hour / 60.0,
                rng=tree.generator("arrivals", kind.value, i),
                unit_minutes=eps,
                n_units=n_units,
                lot_kwh=lot,
                tick=tick,
                max_price_ticks=max_ticks,
                margin=rc.margin,
                quote_kwh=rc.quote_kwh,
                short_price=short_exp,
                # Surplus reservation is planned as worth nothing (only its penalty Q):
                # with damped cost weights R, a paid surplus would make far-off
                # generation look profitable (fuel at R_k < long price) and the turbine
                # would ramp up to spill. Imbalance settlement still pays the long price.
                long_price=0.0,
                gate_redispatch=rc.gate_redispatch,
                stored_value=rc.stored_energy_value,
                quote_resolve=rc.quote_resolve,
            )
        )
        aid += 1

    exchange = Exchange(
        unit_minutes=eps,
        max_price_ticks=max_ticks,
        opening_auction=m.opening_auction,
        opening_window_minutes=m.opening_window_minutes,
        record_orders=cfg.output.record_orders,
    )
    return World(
        engine=Engine(start=-kappa * eps),
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
    )
