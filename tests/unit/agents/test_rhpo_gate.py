"""Gate-closure re-dispatch of a plant coordinator, by hand."""

from __future__ import annotations

import numpy as np
import pytest

from rex_cli.agents.rhpo import PlantCoordinator, PlantData
from rex_cli.control import RhpoSolver, Weights
from rex_cli.market.exchange import Exchange
from rex_cli.market.orders import Side
from rex_cli.plants import gas_turbine
from rex_cli.sim.engine import Engine

KAPPA = 4


def _turbine(redispatch: bool) -> tuple[PlantCoordinator, Exchange]:
    # 8 kW for 15 min: up to 2 kWh per unit; fuel 0.12/kWh; ramp 8 kW (no binding ramp).
    plant = gas_turbine(unit_minutes=15.0, p_min_kw=0.0, p_max_kw=8.0, ramp_kw=8.0,
                        marginal_cost=0.12)  # fmt: skip
    span = 8 + KAPPA
    data = PlantData(
        exogenous=np.zeros((span, 0)),
        request=np.zeros((span, 0)),
        w_init=np.zeros(plant.n_states),
        fallback_input=np.zeros(len(plant.decision_inputs)),
    )
    coord = PlantCoordinator(
        agent_id=1, plant=plant, solver=RhpoSolver(plant, Weights(), KAPPA), data=data,
        rate_per_minute=1e-9, rng=np.random.default_rng(0), unit_minutes=15.0, n_units=8,
        lot_kwh=0.1, tick=0.001, max_price_ticks=3000, margin=0.01, quote_kwh=0.5,
        short_price=0.30, long_price=0.0, gate_redispatch=redispatch,
    )  # fmt: skip
    ex = Exchange(unit_minutes=15.0, max_price_ticks=3000, opening_auction=False)
    engine = Engine(start=-60.0)
    coord.start(engine, ex, until=0.0)
    for j in range(KAPPA):
        ex.open_unit(j, -60.0)
    # The turbine sold 1 kWh (10 lots) of unit 0 at 0.20 to agent 2 ...
    ex.submit_limit(1, 0, Side.SELL, 200, 10, -30.0)
    ex.submit_limit(2, 0, Side.BUY, 200, 10, -29.0)
    # ... but its last plan (made before that fill) was to generate and sell 2 kWh.
    coord.plan[0] = np.array([-2.0, 2.0])
    ex.close_unit(0, 0.0)
    return coord, ex


def test_redispatch_follows_the_final_position() -> None:
    # Short price 0.30 > fuel 0.12: generating less than sold would cost more than the
    # fuel, generating more is surplus worth nothing in the plan: generate exactly 1 kWh.
    coord, ex = _turbine(redispatch=True)
    assert ex.position(1, 0) == -10
    assert coord.commit(0) == pytest.approx(-1.0)
    assert coord.trajectory["input_other"][-1] == pytest.approx(1.0)
    assert coord.trajectory["planned"][-1] is True


def test_without_redispatch_the_stale_plan_is_committed() -> None:
    coord, _ = _turbine(redispatch=False)
    assert coord.commit(0) == pytest.approx(-2.0)  # 1 kWh spilled as a long imbalance
