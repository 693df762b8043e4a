"""Typed config -> world. The only place that maps config onto engine objects.

Conversions to engine units happen here: prices to integer ticks (``round(p / tick)``),
energies to integer lots (``round(e / lot_kwh)``), rates to 1/minute.

Random streams (``SeedTree`` keys), one per purpose and agent index, so adding an agent
at the end of a group or changing a market parameter leaves every other stream as it
was (common random numbers across sweep points):

* ``("wind_common",)``: the factor shared by all wind farms;
* ``("wind", i)``: wind farm ``i``'s own innovations;
* ``("load", i)``: household ``i``'s scale and noise;
* ``("arrivals", a)``: coordinator ``a``'s arrivals and quote jitter.

Agent ids: households first, then wind farms, then gas turbines.
"""

from __future__ import annotations

import numpy as np

from rex_cli.agents.simple import (
    AgentKind,
    Client,
    DispatchableClient,
    FixedClient,
    QuoteRule,
    QuotingCoordinator,
)
from rex_cli.config.schema import RexConfig
from rex_cli.market.exchange import Exchange
from rex_cli.scenario.world import AgentInfo, World
from rex_cli.sim.engine import Engine
from rex_cli.sim.rng import SeedTree
from rex_cli.stochastic.load import HouseholdLoadParams, simulate_household_load
from rex_cli.stochastic.wind import PowerCurve, WeibullAR1Params, simulate_wind_speed

__all__ = ["build_world", "household_energy_kwh", "seed_tree", "wind_energy_kwh"]


def seed_tree(cfg: RexConfig) -> SeedTree:
    """The run's seed tree from ``seed`` and ``rng.bit_generator``."""
    return SeedTree(cfg.seed, cfg.rng.bit_generator.value)


def wind_energy_kwh(cfg: RexConfig, tree: SeedTree) -> np.ndarray:
    """Realised wind energy per farm and unit, ``(n_farms, n_units)`` kWh."""
    w = cfg.wind
    n = cfg.population.wind_farms.count
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
    curve = PowerCurve(cut_in_ms=w.cut_in_ms, rated_ms=w.rated_ms, cut_out_ms=w.cut_out_ms)
    energy = curve.energy_kwh(speed, cfg.population.wind_farms.capacity_kw, step_h)
    return np.asarray(energy.T)


def household_energy_kwh(cfg: RexConfig, tree: SeedTree) -> np.ndarray:
    """Realised household consumption per household and unit, ``(n_households, n_units)`` kWh."""
    h = cfg.population.households
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
    shade = ticks(co.shading * max(short_exp - long_exp, 0.0)) if short_exp > long_exp else 0

    def rule(value: float) -> QuoteRule:
        return QuoteRule(
            value_ticks=ticks(value),
            margin_ticks=round(co.margin / tick),
            shade_ticks=shade,
            jitter=co.price_jitter,
            take_lead_minutes=co.take_lead_minutes,
            horizon_minutes=kappa * eps,
            max_price_ticks=max_ticks,
        )

    load = household_energy_kwh(cfg, tree)
    wind = wind_energy_kwh(cfg, tree)
    n_agents = pop.n_agents
    realised = np.zeros((n_agents, n_units), dtype=np.int64)
    capacity = np.zeros(n_agents, dtype=np.int64)
    infos: list[AgentInfo] = []
    clients: list[tuple[Client, QuoteRule]] = []
    aid = 0
    for i in range(pop.households.count):
        realised[aid] = np.rint(load[i] / lot).astype(np.int64)
        infos.append(AgentInfo(agent_id=aid, kind=AgentKind.household, index_in_kind=i))
        clients.append((FixedClient(realised[aid]), rule(short_exp)))
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
        clients.append((FixedClient(realised[aid]), rule(long_exp)))
        aid += 1
    gt = pop.gas_turbines
    for i in range(gt.count):
        cap_lots = int(np.floor(gt.capacity_kw * eps / 60.0 / lot + 1e-9))
        capacity[aid] = cap_lots
        infos.append(
            AgentInfo(
                agent_id=aid,
                kind=AgentKind.gas_turbine,
                index_in_kind=i,
                capacity_kw=gt.capacity_kw,
                marginal_cost=gt.marginal_cost,
            )
        )
        clients.append((DispatchableClient(cap_lots), rule(gt.marginal_cost)))
        aid += 1

    coordinators = [
        QuotingCoordinator(
            agent_id=a,
            client=client,
            rule=r,
            rate_per_minute=co.arrival_rate_per_hour / 60.0,
            rng=tree.generator("arrivals", a),
            unit_minutes=eps,
        )
        for a, (client, r) in enumerate(clients)
    ]
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
        dispatchable_capacity_lots=capacity,
        unit_minutes=eps,
        horizon_units=kappa,
        n_units=n_units,
        lot_kwh=lot,
        tick=tick,
        opening_auction=m.opening_auction,
        opening_window_minutes=m.opening_window_minutes,
        imbalance_prices=imb.prices,
    )
