"""Per-client welfare accounts of a home add up to the home's; the no-market home rule."""

from dataclasses import dataclass

import numpy as np
import pytest

from rex_cli.plants import builders
from rex_cli.plants.home import combine_home
from rex_cli.welfare.accounting import WelfareCosts, account, feasibility_violation
from rex_cli.welfare.clients import client_energy_kwh, client_welfare, split_by_energy
from rex_cli.welfare.no_market import no_market_baseline

N = 24


@dataclass(frozen=True)
class Data:
    exogenous: np.ndarray
    request: np.ndarray
    w_init: np.ndarray


def _home():
    clients = [
        ("heat_pump", builders.heat_pump_building(unit_minutes=15)),
        ("battery", builders.battery(unit_minutes=15)),
        ("ev", builders.electric_vehicle(unit_minutes=15, capacity_kwh=40)),
    ]
    home = combine_home(clients, unit_minutes=15)
    j = np.arange(N)
    base = 0.2 + 0.1 * np.cos(j)
    pv = np.where((j > 6) & (j < 16), 0.6, 0.0)
    trip = np.where(j == 10, 35.0, 0.0)
    chargeable = np.where((j < 10) | (j >= 20), 2.75, 0.0)
    exo = np.column_stack([base - pv, np.full(N, 3.0), np.full(N, 0.1), trip, chargeable])
    data = Data(exo, np.full((N, 1), 21.0), np.array([20.0, 5.0, 4.0]))
    return home, data, base, pv


def test_split_by_energy_follows_draws_then_gross_then_equal_parts():
    energy = np.array([[1.0, -1.0, 0.0], [3.0, 0.0, 0.0], [-2.0, -3.0, 0.0]])
    out = split_by_energy(np.array([4.0, 8.0, 3.0]), energy)
    np.testing.assert_allclose(out[:, 0], [1.0, 3.0, 0.0])  # pro rata to draws 1, 3
    np.testing.assert_allclose(out[:, 1], [2.0, 0.0, 6.0])  # nobody draws: gross 1, 0, 3
    np.testing.assert_allclose(out[:, 2], [1.0, 1.0, 1.0])  # all zero: equal parts


def test_client_accounts_add_up_to_the_home_account_under_the_no_market_rule():
    home, data, base, pv = _home()
    costs = WelfareCosts(backup_cost=0.3, comfort_cost=0.1, stored_energy_price=0.12)
    nm = no_market_baseline(np.zeros(N), [(home, data)], costs, N)
    assert feasibility_violation(nm.outcome, [(home, data)]) < 1e-9
    U = nm.outcome.inputs[0]
    # The EV charges only while parked, at full power until full.
    ev = home.clients[2]
    g_ev = home.client_inputs(U)[2][:, 0]
    assert np.all(g_ev[data.exogenous[:, 4] == 0.0] == 0.0)
    assert g_ev[0] == pytest.approx(2.75)
    energy = client_energy_kwh(home, U, base, pv, has_pv=True)
    np.testing.assert_allclose(energy.sum(axis=0), U[:, 0], atol=1e-12)
    acc = account(nm.outcome, [(home, data)], costs)
    home_costs = acc.plant_costs(3)
    backup = np.linspace(0.0, 1.0, N)
    unserved = np.linspace(0.5, 0.0, N)
    labels = ("base_load", "pv", "heat_pump", "battery", "ev")
    per_client = client_welfare(home, data, U, energy, labels, costs, backup, unserved, 3)
    for key, value in home_costs.items():
        assert per_client[key].sum() == pytest.approx(float(value[0]), abs=1e-12)
    assert per_client["backup_cost_share"].sum() == pytest.approx(backup[3:].sum(), abs=1e-12)
    assert per_client["unserved_cost_share"].sum() == pytest.approx(unserved[3:].sum(), abs=1e-12)
    # The EV's unmet energy (its trip is beyond what it could charge) is in its comfort.
    unmet = U[:, ev.inputs[2]].sum()
    assert unmet > 0
    row = per_client.set_index("client").loc["ev"]
    assert row["comfort_cost"] == pytest.approx(0.6 * U[3:, ev.inputs[2]].sum(), abs=1e-12)
