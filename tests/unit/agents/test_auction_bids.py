"""Day-ahead bidding: uncontrollable bids, the turbine's step, LP curves of storage."""

from __future__ import annotations

import numpy as np
import pytest

from rex_cli.agents.auction_bids import (
    curve_orders,
    lots_curve,
    plant_curves,
    turbine_offer,
    uncontrollable_bids,
)
from rex_cli.agents.rhpo import PlantCoordinator
from rex_cli.agents.simple import AgentKind
from rex_cli.config.load import load_config
from rex_cli.market.auction import AuctionOrder, clear
from rex_cli.market.orders import Side
from rex_cli.scenario.build import build_world, seed_tree

B, S = Side.BUY, Side.SELL


def test_uncontrollable_clients_bid_their_forecast_at_their_value():
    values = {B: 300, S: 100}
    got = uncontrollable_bids([3.0, 0.0, -2.0, np.nan], [7, 8, 9, 10], values)
    assert got == [(7, B, 300, 3), (9, S, 100, 2)]


def test_turbine_offers_exactly_a_step_at_its_marginal_cost():
    assert turbine_offer(75, 150, [0, 1]) == [(0, S, 150, 75), (1, S, 150, 75)]
    # Cleared against demand at every price: it sells nothing below c, its capacity above.
    for demand_price, sold in ((149, 0), (150, 40), (300, 40)):
        orders = [AuctionOrder(1, 1, S, 150, 75), AuctionOrder(2, 2, B, demand_price, 40)]
        assert clear(orders).volume == sold


def test_curve_orders_hand_case():
    # q(p) on the grid 100, 125, 150: buys 5 at 100, 2 at 125, sells 3 at 150.
    orders = curve_orders(4, [100, 125, 150], [5, 2, -3])
    assert orders == [(4, B, 100, 3), (4, B, 125, 2), (4, S, 150, 3)]

    # At a clearing price p the stated quantity is q at the nearest grid price >= p
    # (buying) and <= p (selling).
    def demand(p):
        return sum(q for _, s, pr, q in orders if s is B and pr >= p)

    assert [demand(p) for p in (90, 100, 110, 125, 140)] == [5, 5, 2, 2, 0]
    with pytest.raises(ValueError, match="non-increasing"):
        curve_orders(0, [1, 2], [0, 1])


def _coordinators(*overrides: str) -> list[tuple[AgentKind, PlantCoordinator]]:
    cfg, _ = load_config(["debug=tiny", "market=day_ahead", *overrides])
    world = build_world(cfg, seed_tree(cfg))
    return [
        (a.kind, c)
        for a, c in zip(world.agents, world.coordinators, strict=True)
        if isinstance(c, PlantCoordinator)
    ]


def test_a_batterys_lp_curve_is_monotone_and_steps_at_its_break_even_prices():
    ((_, battery),) = [(k, c) for k, c in _coordinators() if k is AgentKind.battery]
    grid = [0.02 * g for g in range(1, 16)]  # 0.02 ... 0.30
    units = list(range(6))
    curves = plant_curves(battery, units, grid, expected_price=0.12)
    sigma, eta, wear = 0.12, 0.95, 0.01
    for unit in units:
        q = curves[unit]
        assert np.all(np.isfinite(q))
        assert np.all(np.diff(q) <= 1e-7), q  # non-increasing in its own price
        # buys well below σ·η − wear, sells well above σ/η + wear, idle between
        assert q[grid.index(0.02)] > 0.5
        assert q[-1] < -0.5
        for p, x in zip(grid, q, strict=True):
            if sigma * eta - wear + 0.005 < p < sigma / eta + wear - 0.005:
                assert abs(x) < 1e-6, (p, x)
    lots = lots_curve(curves[0], 0.1)
    orders = curve_orders(0, [round(p / 0.001) for p in grid], lots)
    bids = [p for _, s, p, _ in orders if s is B]
    asks = [p for _, s, p, _ in orders if s is S]
    assert bids and asks and max(bids) < min(asks)  # its own orders never cross


def test_a_buildings_curve_is_monotone():
    (_, building), *_ = [(k, c) for k, c in _coordinators() if k is AgentKind.heat_pump_building]
    grid = [0.10 + 0.025 * g for g in range(9)]
    curves = plant_curves(building, list(range(8)), grid, expected_price=0.12)
    for q in curves.values():
        assert np.all(np.diff(q) <= 1e-7), q
