"""The quoting coordinator of an uncontrollable client: side-aware values, strategy mix."""

from __future__ import annotations

from collections import Counter

import numpy as np

from rex_cli.agents.simple import AgentKind, ForecastClient, QuotingCoordinator
from rex_cli.agents.strategies import Truthful
from rex_cli.config.load import load_config
from rex_cli.market.exchange import Exchange
from rex_cli.market.orders import Side
from rex_cli.scenario.build import seed_tree, strategy_assignment
from rex_cli.sim.engine import Engine

VALUES = {Side.BUY: 300, Side.SELL: 100}  # expected short 0.30, long 0.10 (ticks)


def _household(target_lots: int, now: float) -> tuple[QuotingCoordinator, Exchange]:
    ex = Exchange(unit_minutes=15.0, max_price_ticks=3000, opening_auction=False)
    ex.open_unit(4, -60.0)
    engine = Engine(start=now)
    coord = QuotingCoordinator(
        agent_id=0, client=ForecastClient(np.full(8, target_lots)),
        strategy=Truthful({s: float(v) for s, v in VALUES.items()}, np.random.default_rng(0)),
        values=VALUES, take_lead_minutes=30.0, horizon_minutes=240.0, max_price_ticks=3000,
        rate_per_minute=1e-9, rng=np.random.default_rng(1), unit_minutes=15.0,
    )  # fmt: skip
    coord.start(engine, ex, until=now)
    # The household already bought 10 lots of unit 4 (from agent 9).
    ex.submit_limit(9, 4, Side.SELL, 200, 10, now)
    ex.submit_limit(0, 4, Side.BUY, 200, 10, now)
    return coord, ex


def test_a_long_household_sells_at_the_long_price() -> None:
    # Its forecast fell to 5 lots: 5 lots too many, worth the long price 100 to it
    # (one value per agent would have asked at the short price 300 and never sold).
    coord, ex = _household(target_lots=5, now=-120.0)
    coord._trade_unit(ex, 0, 4, -120.0)
    order = ex.books[4].get(coord.orders[4])
    assert order is not None
    assert (order.side, order.price, order.qty) == (Side.SELL, 100, 5)


def test_a_short_household_bids_the_short_price() -> None:
    coord, ex = _household(target_lots=14, now=-120.0)
    coord._trade_unit(ex, 0, 4, -120.0)
    order = ex.books[4].get(coord.orders[4])
    assert order is not None
    assert (order.side, order.price, order.qty) == (Side.BUY, 300, 4)


def test_take_phase_is_limited_by_the_side_value() -> None:
    # 20 min before gate closure (take phase): sell 5 lots at market, limited at 100.
    coord, ex = _household(target_lots=5, now=40.0)
    ex.submit_limit(7, 4, Side.BUY, 90, 3, 40.0)  # below the long price: not hit
    ex.submit_limit(8, 4, Side.BUY, 150, 2, 40.0)  # above: hit
    coord._trade_unit(ex, 0, 4, 40.0)
    assert ex.position(0, 4) == 10 - 2
    assert ex.position(7, 4) == 0


def test_strategy_mix_counts_by_largest_remainder() -> None:
    # 24 households and 3 wind farms, shares 0.5/0.3/0.2: households 12/7.2/4.8 ->
    # 12, 7, 5 (largest remainder 0.8 first); farms 1.5/0.9/0.6 -> 1, 1, 1.
    cfg, _ = load_config(["strategy.shares.truthful=0.5", "strategy.shares.zip=0.3",
                          "strategy.shares.aa=0.2"])  # fmt: skip
    kinds = [AgentKind.household] * 24 + [AgentKind.wind_farm] * 3
    got = strategy_assignment(cfg, seed_tree(cfg), kinds)
    assert Counter(got[:24]) == {"truthful": 12, "zip": 7, "aa": 5}
    assert Counter(got[24:]) == {"truthful": 1, "zip": 1, "aa": 1}
    # Deterministic for a seed; another seed deals the same counts differently.
    assert got == strategy_assignment(cfg, seed_tree(cfg), kinds)
    cfg2, _ = load_config(["seed=2", "strategy.shares.truthful=0.5", "strategy.shares.zip=0.3",
                           "strategy.shares.aa=0.2"])  # fmt: skip
    other = strategy_assignment(cfg2, seed_tree(cfg2), kinds)
    assert Counter(other[:24]) == Counter(got[:24]) and other != got


def test_take_phase_rests_the_rest_at_the_value() -> None:
    # In the take phase a household 4 lots short takes the 1 lot offered at 200 (below
    # its value 300) and rests the other 3 at 300; a wind farm that turns long later
    # and sells at market meets that bid (an immediate-or-cancel market order would
    # have left it only the plants' quotes).
    coord, ex = _household(target_lots=14, now=40.0)
    ex.submit_limit(7, 4, Side.SELL, 200, 1, 40.0)
    coord._trade_unit(ex, 0, 4, 40.0)
    assert ex.position(0, 4) == 11
    order = ex.books[4].get(coord.orders[4])
    assert order is not None
    assert (order.side, order.price, order.qty) == (Side.BUY, 300, 3)
    ex.submit_market(8, 4, Side.SELL, 3, 41.0, worst_price=100)
    assert ex.position(0, 4) == 14 and ex.position(8, 4) == -3
    # Balanced now: the next look leaves nothing resting.
    coord._trade_unit(ex, 0, 4, 42.0)
    assert 4 not in coord.orders
