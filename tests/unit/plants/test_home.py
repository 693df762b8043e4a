"""The home plant: block-diagonal combination of its clients, and its one LP.

References: the clients simulated one by one (the combination is exact), and the
perfect-foresight planner over the same clients as separate plants (the home's one
RHPO LP at fixed prices has the planner's optimal value and an equally good plan).
"""

from dataclasses import dataclass

import numpy as np
import pytest

from rex_cli.control import Weights, WeightShape, solve_rhpo
from rex_cli.plants import builders
from rex_cli.plants.home import combine_home
from rex_cli.welfare.accounting import (
    WelfareCosts,
    feasibility_violation,
    simulate_outcome,
    welfare_of,
)
from rex_cli.welfare.planner import solve_planner

N = 16


@dataclass(frozen=True)
class Data:
    exogenous: np.ndarray
    request: np.ndarray
    w_init: np.ndarray


def _clients():
    hp = builders.heat_pump_building(unit_minutes=15)
    bat = builders.battery(unit_minutes=15, degradation_cost=0.01)
    ev = builders.electric_vehicle(unit_minutes=15, capacity_kwh=40, unmet_cost=0.6)
    return [("heat_pump", hp), ("battery", bat), ("ev", ev)]


def _data():
    """Net load with a PV surplus midway, winter-ish ambient, a departure at unit 11."""
    j = np.arange(N)
    net = 0.3 + 0.2 * np.sin(j / 3.0) - np.where((j >= 5) & (j < 9), 1.2, 0.0)
    ambient = 2.0 + 3.0 * np.cos(j / 5.0)
    sun = np.where((j >= 4) & (j < 12), 0.2, 0.0)
    setpoint = np.where(j < 8, 20.0, 21.0)
    parked = j < 11
    trip = np.where(j == 11, 9.0, 0.0)
    chargeable = np.where(parked, 11.0 * 0.25, 0.0)
    hp = Data(np.column_stack([ambient, sun]), setpoint.reshape(-1, 1), np.array([20.0]))
    bat = Data(np.zeros((N, 0)), np.zeros((N, 0)), np.array([5.0]))
    ev = Data(np.column_stack([trip, chargeable]), np.zeros((N, 0)), np.array([3.0]))
    home = Data(
        np.column_stack([net, ambient, sun, trip, chargeable]),
        setpoint.reshape(-1, 1),
        np.array([20.0, 5.0, 3.0]),
    )
    return net, [hp, bat, ev], home


def test_the_home_model_is_its_clients_side_by_side():
    clients = _clients()
    home = combine_home(clients, unit_minutes=15)
    net, datas, hd = _data()
    rng = np.random.default_rng(3)
    dec = rng.uniform(0.0, 1.0, size=(N, len(home.decision_inputs)))
    U = home.full_inputs(dec, hd.exogenous)
    W, V = home.model.simulate(hd.w_init, U)
    for b, u_c, d in zip(home.clients, home.client_inputs(U), datas, strict=True):
        Wc, Vc = b.plant.model.simulate(d.w_init, u_c)
        np.testing.assert_allclose(W[:, list(b.states)], Wc, atol=1e-12)
        np.testing.assert_allclose(V[:, list(b.outputs)], Vc, atol=1e-12)
        np.testing.assert_allclose(u_c[:, 1:][:, [i - 1 for i in range(1, b.plant.n_inputs)]],
                                   U[:, list(b.inputs)])  # fmt: skip
    # The balance output is u* − x − Σ g.
    grid = home.client_grid_kwh(U).sum(axis=0)
    np.testing.assert_allclose(V[:, -1], U[:, 0] - net - grid, atol=1e-12)


@pytest.mark.parametrize("backend", ["highs", "pyomo"])
def test_the_home_lp_at_fixed_prices_gives_the_planners_plan(backend):
    """Buying at the backup cost and spilling at 0: the RHPO LP is the planner's LP."""
    clients = _clients()
    home = combine_home(clients, unit_minutes=15)
    net, datas, hd = _data()
    costs = WelfareCosts(backup_cost=0.3, comfort_cost=0.1, stored_energy_price=0.12)
    specs = [(p, d) for (_, p), d in zip(clients, datas, strict=True)]
    planner = solve_planner(net, specs, costs, N, aggregate_identical=False)
    assert planner.status.value == "optimal"
    weights = Weights(q=1.0, o=costs.comfort_cost, r=1.0, l=1.0, shape=WeightShape.FLAT)
    res = solve_rhpo(
        home,
        weights,
        bid=0.0,
        ask=costs.backup_cost,
        position=np.zeros(N),
        request=hd.request,
        w0=hd.w_init,
        exogenous=hd.exogenous,
        short_price=10.0,
        stored_value=costs.stored_energy_price,
        backend=backend,
    )
    assert res.ok
    # Same optimal value: the RHPO objective counts the stored energy at the end,
    # the planner its change.
    start_value = costs.stored_energy_price * float(home.stored_energy @ hd.w_init)
    assert res.objective - start_value == pytest.approx(planner.objective, abs=1e-6)
    # The home's plan, split into its clients' plans and scored by the one account on
    # the clients as separate plants, is feasible and as good as the planner's.
    U = home.full_inputs(res.u[:, list(home.decision_inputs)], hd.exogenous)
    decisions = [u[:, list(b.plant.decision_inputs)]
                 for b, u in zip(home.clients, home.client_inputs(U), strict=True)]  # fmt: skip
    outcome, _ = simulate_outcome(net, specs, decisions)
    assert feasibility_violation(outcome, specs) < 1e-7
    assert welfare_of(outcome, specs, costs).total == pytest.approx(planner.welfare.total, abs=1e-6)
    # The home buys what its clients and its net load need, and only that.
    np.testing.assert_allclose(res.net_trade, outcome.net_kwh, atol=1e-7)
    # The planner's backup energy is the home's purchase where the home buys.
    np.testing.assert_allclose(res.buy.sum(), planner.backup_kwh.sum(), atol=1e-6)


def test_a_home_without_controllable_clients_passes_its_net_load_through():
    home = combine_home([], unit_minutes=15)
    x = np.array([0.4, -0.2, 0.1])
    res = solve_rhpo(
        home,
        Weights(),
        bid=0.05,
        ask=0.2,
        position=np.zeros(3),
        w0=[0.0],
        exogenous=x.reshape(-1, 1),
        short_price=1.0,
    )
    assert res.ok
    np.testing.assert_allclose(res.market_input, x, atol=1e-9)
    np.testing.assert_allclose(res.net_trade, x, atol=1e-9)


def test_clients_must_share_the_home_unit():
    with pytest.raises(ValueError, match="client 'battery' has dt"):
        combine_home([("battery", builders.battery(unit_minutes=30))], unit_minutes=15)
