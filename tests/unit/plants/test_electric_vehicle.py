"""The EV plant in the RHPO LP and its trip model.

References: hand-computed energies (what the battery can take before departure) and
the schedule's definition (parked mask, trip in the departure unit).
"""

import numpy as np
import pytest

from rex_cli.control import Weights, WeightShape, solve_rhpo
from rex_cli.plants import builders
from rex_cli.stochastic.ev import EvTripParams, simulate_ev_schedule

DT = 0.25
STEP = 11.0 * DT  # kWh the charger can draw per unit


def _solve(ev, ask, trip, chargeable, soc0):
    n = len(ask)
    return solve_rhpo(
        ev,
        Weights(q=1.0, o=0.0, shape=WeightShape.FLAT),
        bid=None,
        ask=ask,
        position=np.zeros(n),
        w0=[soc0],
        exogenous=np.column_stack([trip, chargeable]),
        short_price=10.0,
    )


def test_the_ev_cannot_charge_while_away_even_when_energy_is_free_then():
    ev = builders.electric_vehicle(unit_minutes=15, capacity_kwh=40, unmet_cost=0.6)
    n = 16
    j = np.arange(n)
    away = (j >= 4) & (j < 12)
    trip = np.where(j == 4, 6.0, 0.0)
    chargeable = np.where(away, 0.0, STEP)
    ask = np.where(away, 0.001, 0.4)  # energy is nearly free while the car is away
    res = _solve(ev, ask, trip, chargeable, soc0=10.0)
    assert res.ok
    assert np.all(res.market_input[away] <= 1e-9)
    assert np.all(res.market_input <= STEP + 1e-9)


def test_the_ev_meets_the_required_energy_when_feasible_and_cheap():
    ev = builders.electric_vehicle(unit_minutes=15, capacity_kwh=40, eta_charge=0.9)
    n = 12
    j = np.arange(n)
    trip = np.where(j == 8, 10.0, 0.0)
    chargeable = np.where(j < 8, STEP, 0.0)
    res = _solve(ev, np.full(n, 0.3), trip, chargeable, soc0=2.0)  # 0.3 < unmet 0.6/0.9
    assert res.ok
    unmet = res.u[:, 3]
    assert unmet.sum() == pytest.approx(0.0, abs=1e-9)
    # It charges just what the trip needs: (10 − 2)/0.9 kWh from the grid, before leaving.
    assert res.market_input[:8].sum() == pytest.approx(8.0 / 0.9, abs=1e-7)
    assert res.w[8, 0] == pytest.approx(10.0, abs=1e-7)  # SoC at the start of departure


def test_energy_missing_at_departure_is_unmet_and_costed():
    ev = builders.electric_vehicle(unit_minutes=15, capacity_kwh=40, eta_charge=0.9)
    n = 6
    j = np.arange(n)
    trip = np.where(j == 2, 10.0, 0.0)
    chargeable = np.where(j < 2, STEP, 0.0)
    res = _solve(ev, np.full(n, 0.3), trip, chargeable, soc0=2.0)
    assert res.ok
    can = 2.0 + 0.9 * 2 * STEP
    assert res.u[2, 3] == pytest.approx(10.0 - can, abs=1e-7)  # unmet at departure only
    assert res.u[[0, 1, 3, 4, 5], 3] == pytest.approx(np.zeros(5), abs=1e-9)
    cost = 0.3 * 2 * STEP + 0.6 * (10.0 - can)
    assert res.objective == pytest.approx(-cost, abs=1e-7)


def test_an_expensive_charge_is_left_unmet_when_unmet_energy_is_cheaper():
    ev = builders.electric_vehicle(unit_minutes=15, capacity_kwh=40, unmet_cost=0.2)
    n = 6
    trip = np.array([0, 0, 0, 5.0, 0, 0])
    chargeable = np.array([STEP] * 3 + [0.0] * 3)
    res = _solve(ev, np.full(n, 1.0), trip, chargeable, soc0=0.0)
    assert res.ok
    assert res.market_input.sum() == pytest.approx(0.0, abs=1e-9)
    assert res.u[3, 3] == pytest.approx(5.0, abs=1e-9)


def test_the_schedule_is_parked_except_between_departure_and_arrival():
    p = EvTripParams(departure_sd_h=0.0, arrival_sd_h=0.0, distance_sigma=0.0)
    s = simulate_ev_schedule(
        p, np.random.default_rng(1), n_steps=96 * 2, step_hours=DT, charger_kw=11.0,
        capacity_kwh=50.0, max_trip_kwh=50.0,
    )  # fmt: skip
    away = ~s.parked
    # 7:30 -> unit 30; 17:30 -> back from unit 70; the same on day 2.
    expected = np.zeros(192, dtype=bool)
    expected[30:70] = True
    expected[96 + 30 : 96 + 70] = True
    np.testing.assert_array_equal(away, expected)
    assert np.flatnonzero(s.trip_kwh).tolist() == [30, 126]
    assert s.trip_kwh[30] == pytest.approx(30.0 * 0.18)
    np.testing.assert_array_equal(s.chargeable_kwh, np.where(s.parked, STEP, 0.0))
    assert 0.3 * 50 <= s.soc_init_kwh <= 0.7 * 50


def test_the_schedule_is_reproducible_and_capped():
    p = EvTripParams(distance_median_km=400.0)
    a = simulate_ev_schedule(
        p, np.random.default_rng(7), n_steps=96, step_hours=DT, charger_kw=11.0,
        capacity_kwh=50.0, max_trip_kwh=45.0,
    )  # fmt: skip
    b = simulate_ev_schedule(
        p, np.random.default_rng(7), n_steps=96, step_hours=DT, charger_kw=11.0,
        capacity_kwh=50.0, max_trip_kwh=45.0,
    )  # fmt: skip
    np.testing.assert_array_equal(a.trip_kwh, b.trip_kwh)
    assert a.trip_kwh.max() <= 45.0
