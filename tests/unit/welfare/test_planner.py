"""The perfect-foresight planner: hand-computed optima, upper-bound property, plant
feasibility of its trajectories, both backends, aggregation of identical plants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_accounting import (
    Data,
    empty_data,
    hand_battery,
    random_costs,
    random_scenario,
    toy_building,
    toy_data,
)

from rex_cli.config.schema import RexConfig
from rex_cli.control import Weights, solve_rhpo
from rex_cli.control.lp import LpStatus
from rex_cli.plants import (
    Plant,
    ambient_temperature_profile,
    gas_turbine,
    heat_pump_building,
    solar_profile,
)
from rex_cli.scenario.build import build_plants, uncontrollable_net_kwh
from rex_cli.welfare.accounting import (
    WelfareCosts,
    feasibility_violation,
    simulate_outcome,
    welfare_of,
)
from rex_cli.welfare.no_market import no_market_baseline
from rex_cli.welfare.planner import (
    PlannerResult,
    build_planner_model,
    solve_planner,
)

BACKENDS = ["highs", "pyomo"]
TOL = 1e-7


def check_trajectories(res: PlannerResult, net: np.ndarray, specs: list) -> None:
    """Re-simulate every plant with its StateSpace and check bounds, ramps, balance."""
    assert res.ok
    N = len(net)
    total_u = np.zeros(N)
    for (plant, data), U, V, W in zip(specs, res.inputs, res.outputs, res.states, strict=True):
        assert U.shape == (N, plant.n_inputs) and V.shape == (N, plant.n_outputs)
        W_sim, V_sim = plant.model.simulate(data.w_init, U)
        np.testing.assert_allclose(W, W_sim, atol=1e-9)
        np.testing.assert_allclose(V, V_sim, atol=1e-6)
        exo = list(plant.exogenous_inputs)
        np.testing.assert_array_equal(U[:, exo], np.asarray(data.exogenous)[:N])
        dec = list(plant.decision_inputs)
        assert np.all(U[:, dec] >= plant.u_min[dec] - TOL)
        assert np.all(U[:, dec] <= plant.u_max[dec] + TOL)
        assert np.all(V_sim >= plant.v_min - 1e-6) and np.all(V_sim <= plant.v_max + 1e-6)
        assert np.all(np.abs(np.diff(U[:, dec], axis=0)) <= plant.u_delta[dec] + TOL)
        total_u += U[:, 0]
    np.testing.assert_allclose(
        res.backup_kwh + res.unserved_kwh - res.spilled_kwh, net + total_u, atol=1e-9
    )
    assert np.all(res.backup_kwh >= 0) and np.all(res.spilled_kwh >= 0)
    # The LP's optimum is the welfare of its outcome.
    assert res.objective == pytest.approx(res.welfare.total, abs=1e-6)


# --- hand-computed optima --------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_battery_shifts_surplus_hand_computed(backend: str) -> None:
    # 1-hour units, x = [-3, 4] kWh, battery SoC0 = 1 = soc_min, η = 0.9, 0.01/kWh.
    # Charging the 3 kWh surplus (free, it would spill): SoC1 = 1 + 0.9·3 = 3.7.
    # Discharging to soc_min: d = 0.9·(3.7 - 1) = 2.43 kWh delivered in unit 1.
    # Each kWh charged returns 0.81 kWh worth 0.3 for 0.01 + 0.0081 of wear: > 0,
    # and charging beyond the surplus would cost 0.3 of backup: < 0.243. So
    # backup = 4 - 2.43 = 1.57 kWh × 0.3 = 0.471; wear (3 + 2.43) × 0.01 = 0.0543;
    # welfare = -0.5253 (no market: -4 × 0.3 = -1.2).
    specs = [(hand_battery(), empty_data(2, 1.0))]
    net = np.array([-3.0, 4.0])
    costs = WelfareCosts(backup_cost=0.3, comfort_cost=0.0)
    res = solve_planner(net, specs, costs, backend=backend)
    check_trajectories(res, net, specs)
    np.testing.assert_allclose(res.inputs[0], [[3.0, 3.0, 0.0], [-2.43, 0.0, 2.43]], atol=1e-7)
    np.testing.assert_allclose(res.states[0][:, 0], [1.0, 3.7, 1.0], atol=1e-7)
    np.testing.assert_allclose(res.backup_kwh, [0.0, 1.57], atol=1e-7)
    np.testing.assert_allclose(res.spilled_kwh, [0.0, 0.0], atol=1e-7)
    assert res.welfare.degradation_cost == pytest.approx(0.0543)
    assert res.welfare.total == pytest.approx(-0.5253)
    assert res.objective == pytest.approx(-0.5253)
    nm = no_market_baseline(net, specs, costs)
    assert nm.welfare.total == pytest.approx(-1.2)


@pytest.mark.parametrize("backend", BACKENDS)
def test_battery_with_limited_backup_hand_computed(backend: str) -> None:
    # Same case, backup limited to 0.5 kW (0.5 kWh per unit), VoLL 5. Now charging
    # beyond the surplus pays: a kWh of backup in unit 0 (0.3 + wear 0.0181) saves
    # 0.81 kWh of unserved energy in unit 1 (4.05). It charges 3 + 0.5 = 3.5 kWh
    # (unit 0 backup at capacity; more would be unserved in unit 0: 5 > 4.05).
    # d1 = 0.81 · 3.5 = 2.835; unit 1 needs 4 - 2.835 = 1.165 kWh: 0.5 backup,
    # 0.665 unserved. Costs: backup 1.0 × 0.3 = 0.3; unserved 0.665 × 5 = 3.325;
    # wear (3.5 + 2.835) × 0.01 = 0.06335; welfare = -3.68835.
    specs = [(hand_battery(), empty_data(2, 1.0))]
    net = np.array([-3.0, 4.0])
    costs = WelfareCosts(
        backup_cost=0.3, comfort_cost=0.0, value_of_lost_load=5.0, backup_capacity_kw=0.5
    )
    res = solve_planner(net, specs, costs, backend=backend)
    check_trajectories(res, net, specs)
    np.testing.assert_allclose(res.inputs[0], [[3.5, 3.5, 0.0], [-2.835, 0.0, 2.835]], atol=1e-7)
    np.testing.assert_allclose(res.backup_kwh, [0.5, 0.5], atol=1e-7)
    np.testing.assert_allclose(res.unserved_kwh, [0.0, 0.665], atol=1e-7)
    assert res.welfare.unserved_cost == pytest.approx(3.325)
    assert res.welfare.total == pytest.approx(-3.68835)


@pytest.mark.parametrize("backend", BACKENDS)
def test_building_hand_computed(backend: str) -> None:
    # Toy building T+ = 0.9 T + 2 u (ambient 0), T0 = 20, setpoint 21 in both units,
    # band [19, 24], x = 0 (all heating is backup at 0.3/kWh).
    # T1 = 18 + 2 u0, T2 = 16.2 + 1.8 u0 + 2 u1.
    specs = [(toy_building(), toy_data([21.0, 21.0]))]
    net = np.zeros(2)
    # comfort 1/°C: a kWh buys >= 2 °C of comfort for 0.3: track exactly.
    # u0 = (21 - 18)/2 = 1.5, u1 = (21 - 18.9)/2 = 1.05; welfare = -0.3·2.55 = -0.765.
    res = solve_planner(
        net, specs, WelfareCosts(backup_cost=0.3, comfort_cost=1.0), backend=backend
    )
    check_trajectories(res, net, specs)
    np.testing.assert_allclose(res.inputs[0][:, 0], [1.5, 1.05], atol=1e-7)
    assert res.welfare.total == pytest.approx(-0.765)
    # comfort 0.1/°C: u0 still pays (raises T1 by 2 and T2 by 1.8: 0.38 > 0.3) up to
    # T1 = 21; u1 does not (0.2 < 0.3) except to keep T2 >= 19 (hard band):
    # u1 = (19 - 18.9)/2 = 0.05. Welfare = -(0.3·1.55 + 0.1·|19 - 21|) = -0.665.
    costs = WelfareCosts(backup_cost=0.3, comfort_cost=0.1)
    res = solve_planner(net, specs, costs, backend=backend)
    check_trajectories(res, net, specs)
    np.testing.assert_allclose(res.inputs[0][:, 0], [1.5, 0.05], atol=1e-7)
    np.testing.assert_allclose(res.outputs[0][:, 0], [21.0, 19.0], atol=1e-7)
    assert res.welfare.comfort_cost == pytest.approx(0.2)
    assert res.welfare.total == pytest.approx(-0.665)
    # The thermostat heats to the setpoint: -0.765 < -0.665.
    assert no_market_baseline(net, specs, costs).welfare.total == pytest.approx(-0.765)


def test_unreachable_band_is_reported_not_raised() -> None:
    specs = [(toy_building(t_min=30.0, t_max=31.0), toy_data([30.0, 30.0]))]
    for backend in BACKENDS:
        res = solve_planner(
            [0.0, 0.0], specs, WelfareCosts(backup_cost=0.3, comfort_cost=1.0), backend=backend
        )
        assert res.status in (LpStatus.INFEASIBLE, LpStatus.INFEASIBLE_OR_UNBOUNDED)
        assert not res.ok and res.outcome is None
        assert math.isnan(res.welfare.total) and np.all(np.isnan(res.inputs[0]))


# --- qualitative behaviour --------------------------------------------------------------


def test_cheap_turbine_covers_the_need_and_expensive_one_stays_off() -> None:
    # 15-minute units, 20 kW -> at most 5 kWh per unit, no ramp limit.
    net = np.array([3.0, 8.0, 1.0, 0.0, -2.0])
    data = empty_data(5)
    cheap = gas_turbine(p_max_kw=20.0, ramp_kw=math.inf, marginal_cost=0.1)
    res = solve_planner(net, [(cheap, data)], WelfareCosts(backup_cost=0.3, comfort_cost=0.0))
    check_trajectories(res, net, [(cheap, data)])
    np.testing.assert_allclose(res.inputs[0][:, 1], [3.0, 5.0, 1.0, 0.0, 0.0], atol=1e-7)
    np.testing.assert_allclose(res.backup_kwh, [0.0, 3.0, 0.0, 0.0, 0.0], atol=1e-7)
    assert res.welfare.fuel_cost == pytest.approx(0.9)
    dear = gas_turbine(p_max_kw=20.0, ramp_kw=math.inf, marginal_cost=0.5)
    res = solve_planner(net, [(dear, data)], WelfareCosts(backup_cost=0.3, comfort_cost=0.0))
    np.testing.assert_allclose(res.inputs[0], 0.0, atol=1e-9)


def test_cheap_turbine_under_a_ramp_limit_hand_computed() -> None:
    # x = [0, 0, 4, 4, 0] kWh, turbine at 0.05/kWh, ramp 4 kW = 1 kWh per unit.
    # A served kWh is worth 0.3 - 0.05 = 0.25; a spilled one costs 0.05. Reaching
    # g2 = 4 needs g1 >= 3, g0 >= 2 (spilled: 0.05 each) and leaves g4 >= 3:
    # g = [2, 3, 4, 4, 3]: fuel 16 × 0.05 = 0.8, no backup, 8 kWh spilled (welfare
    # -0.8). One step lower (g2 = 3) loses 0.25 and saves 3 × 0.05: worse.
    net = np.array([0.0, 0.0, 4.0, 4.0, 0.0])
    plant = gas_turbine(p_max_kw=20.0, ramp_kw=4.0, marginal_cost=0.05)
    specs = [(plant, empty_data(5))]
    res = solve_planner(net, specs, WelfareCosts(backup_cost=0.3, comfort_cost=0))
    check_trajectories(res, net, specs)
    np.testing.assert_allclose(res.inputs[0][:, 1], [2.0, 3.0, 4.0, 4.0, 3.0], atol=1e-7)
    assert res.welfare.total == pytest.approx(-0.8)
    assert res.welfare.spilled_kwh == pytest.approx(8.0)


def _mild_building_case(n: int) -> tuple[np.ndarray, list[tuple[Plant, Data]]]:
    """A building from 10:00 on (day setpoint), cool and cloudy: tracking is feasible
    (never more than the rating, never overheated by the sun)."""
    plant = heat_pump_building()
    start = 40
    ex = np.column_stack(
        [
            ambient_temperature_profile(start, n, mean_c=2.0),
            solar_profile(start, n, peak_kw_m2=0.05),
        ]
    )
    setpoint = 21.0 + 0.3 * np.sin(np.arange(n) / 3.0)
    return np.full(n, 1.0), [(plant, Data(ex, setpoint.reshape(-1, 1), np.array([21.0])))]


def test_huge_comfort_cost_tracks_the_setpoint_exactly() -> None:
    net, specs = _mild_building_case(16)
    costs = WelfareCosts(backup_cost=0.3, comfort_cost=1e4)
    nm = no_market_baseline(net, specs, costs)
    assert nm.welfare.comfort_cost == pytest.approx(0.0, abs=1e-9)  # tracking is feasible
    res = solve_planner(net, specs, costs)
    check_trajectories(res, net, specs)
    np.testing.assert_allclose(res.outputs[0][:, 0], specs[0][1].request[:, 0], atol=1e-7)
    # ... and then the planner heats exactly as the thermostat.
    np.testing.assert_allclose(res.inputs[0], nm.inputs[0], atol=1e-6)
    # With a cheap comfort it heats less and lets the temperature sag within the band.
    cheap = solve_planner(net, specs, WelfareCosts(backup_cost=0.3, comfort_cost=0.01))
    assert cheap.inputs[0][:, 0].sum() < res.inputs[0][:, 0].sum() - 0.1
    assert cheap.welfare.comfort_cost > 0


# --- upper bound -----------------------------------------------------------------------------


def test_planner_beats_no_market_on_random_scenarios() -> None:
    rng = np.random.default_rng(2024)
    for _ in range(40):
        net, specs = random_scenario(rng)
        costs = random_costs(rng)
        nm = no_market_baseline(net, specs, costs)
        assert feasibility_violation(nm.outcome, specs) < 1e-9
        res = solve_planner(net, specs, costs)
        check_trajectories(res, net, specs)
        assert feasibility_violation(res.outcome, specs) < 1e-6
        assert res.welfare.total >= nm.welfare.total - 1e-9


def _random_feasible_decisions(
    rng: np.random.Generator, plant: Plant, data: Data, N: int
) -> np.ndarray | None:
    """A random decision sequence respecting bounds, ramps and output bounds."""
    ss = plant.model
    w = np.asarray(data.w_init, dtype=float).copy()
    dec = np.zeros((N, len(plant.decision_inputs)))
    prev = None
    for j in range(N):
        if plant.name == "heat_pump_building":
            u = np.zeros(plant.n_inputs)
            u[1:] = data.exogenous[j]
            free = float(ss.C[0] @ w + ss.D[0] @ u)
            b0 = ss.D[0, 0]
            lo = max(plant.u_min[0], (plant.v_min[0] - free) / b0)
            hi = min(plant.u_max[0], (plant.v_max[0] - free) / b0)
            if prev is not None:
                lo, hi = max(lo, prev[0] - plant.u_delta[0]), min(hi, prev[0] + plant.u_delta[0])
            if lo > hi:
                return None
            u[0] = rng.uniform(lo, hi)
            dec[j] = u[0]
        elif plant.name == "battery":
            a, eta_c, inv_d = ss.A[0, 0], ss.B[0, 1], -ss.B[0, 2]
            soc = a * w[0]
            c_lo = max(0.0, (plant.v_min[0] - soc) / eta_c)
            c_hi = min(plant.u_max[1], (plant.v_max[0] - soc) / eta_c)
            d_hi = min(plant.u_max[2], (soc - plant.v_min[0]) / inv_d)
            if c_lo > 0 or rng.random() < 0.5:
                c, d = rng.uniform(c_lo, max(c_lo, c_hi)), 0.0
            else:
                c, d = 0.0, rng.uniform(0.0, max(d_hi, 0.0))
            dec[j] = [c - d, c, d]
            u = plant.full_inputs(dec[j : j + 1], None)[0]
        else:  # gas turbine
            lo, hi = plant.u_min[1], plant.u_max[1]
            if prev is not None:
                lo, hi = max(lo, prev[1] - plant.u_delta[1]), min(hi, prev[1] + plant.u_delta[1])
            g = rng.uniform(lo, hi)
            dec[j] = [-g, g]
            u = plant.full_inputs(dec[j : j + 1], None)[0]
        w = ss.A @ w + ss.B @ u
        prev = dec[j]
    return dec


def test_planner_beats_random_feasible_outcomes() -> None:
    rng = np.random.default_rng(7)
    compared = 0
    for _ in range(15):
        net, specs = random_scenario(rng)
        N = len(net)
        costs = random_costs(rng)
        res = solve_planner(net, specs, costs)
        assert res.ok
        for _ in range(8):
            decisions = [_random_feasible_decisions(rng, p, d, N) for p, d in specs]
            if any(dd is None for dd in decisions):
                continue
            outcome, _ = simulate_outcome(net, specs, [dd for dd in decisions if dd is not None])
            assert feasibility_violation(outcome, specs) < 1e-9
            assert res.welfare.total >= welfare_of(outcome, specs, costs).total - 1e-9
            compared += 1
    assert compared >= 80


def test_planner_beats_rhpo_plans() -> None:
    # An RHPO plan over the whole horizon (any prices) is a feasible outcome.
    rng = np.random.default_rng(5)
    for _ in range(10):
        net, specs = random_scenario(rng)
        N = len(net)
        costs = random_costs(rng)
        decisions = []
        for plant, data in specs:
            ask = rng.uniform(0.1, 0.5, N)
            plan = solve_rhpo(
                plant,
                Weights(q=0.01, o=float(rng.uniform(0.1, 2.0))),
                bid=ask - 0.05,
                ask=ask,
                position=np.zeros(N),
                request=np.asarray(data.request)[:N] if plant.tracked_outputs else None,
                w0=data.w_init,
                exogenous=np.asarray(data.exogenous)[:N] if plant.exogenous_inputs else None,
                short_price=1.0,
            )
            assert plan.ok
            decisions.append(plan.u[:, list(plant.decision_inputs)])
        outcome, _ = simulate_outcome(net, specs, decisions)
        assert feasibility_violation(outcome, specs) < 1e-6
        res = solve_planner(net, specs, costs)
        assert res.welfare.total >= welfare_of(outcome, specs, costs).total - 1e-9


# --- backends, aggregation, the default scenario ---------------------------------------------


def test_backends_agree_on_random_scenarios() -> None:
    rng = np.random.default_rng(99)
    for _ in range(4):
        net, specs = random_scenario(rng, n_units=8)
        costs = random_costs(rng)
        h = solve_planner(net, specs, costs, backend="highs")
        p = solve_planner(net, specs, costs, backend="pyomo")
        assert h.backend == "highs" and p.backend == "pyomo"
        check_trajectories(p, net, specs)
        assert h.objective == pytest.approx(p.objective, abs=1e-6)


def test_identical_plants_are_aggregated_exactly() -> None:
    rng = np.random.default_rng(3)
    net, specs = random_scenario(rng, n_plants=3, n_units=10)
    net = 3 * net
    # Repeat the same objects (as build_plants does) next to distinct copies.
    repeated = [specs[0], specs[1], specs[0], specs[2], specs[0], specs[1]]
    costs = random_costs(rng)
    agg = solve_planner(net, repeated, costs)
    full = solve_planner(net, repeated, costs, aggregate_identical=False)
    check_trajectories(agg, net, repeated)
    assert agg.objective == pytest.approx(full.objective, abs=1e-6)
    np.testing.assert_array_equal(agg.inputs[0], agg.inputs[2])
    assert agg.inputs[0] is not agg.inputs[2]


def test_default_scenario() -> None:
    cfg = RexConfig()
    net = uncontrollable_net_kwh(cfg)
    specs = [(p, d) for _, p, d in build_plants(cfg)]
    costs = WelfareCosts(backup_cost=cfg.imbalance.backup_cost, comfort_cost=0.1)
    res = solve_planner(net, specs, costs)
    check_trajectories(res, net, specs)
    assert res.outcome is not None
    assert feasibility_violation(res.outcome, specs) < 1e-6
    nm = no_market_baseline(net, specs, costs)
    assert res.welfare.total > nm.welfare.total


def test_n_units_uses_the_first_rows_and_pyomo_constraints_are_documented() -> None:
    import pyomo.environ as pyo

    net, specs = _mild_building_case(12)
    costs = WelfareCosts(backup_cost=0.3, comfort_cost=0.5)
    res = solve_planner(np.concatenate([net, [99.0, 99.0]]), specs, costs, n_units=12)
    ref = solve_planner(net, specs, costs)
    assert res.objective == pytest.approx(ref.objective)
    assert res.inputs[0].shape == (12, 3)
    m = build_planner_model(net, specs, costs)
    cons = list(m.component_objects(pyo.Constraint, descend_into=True))
    assert len(cons) >= 7 and all(c.doc for c in cons)
    with pytest.raises(ValueError, match=r"^n_units"):
        solve_planner(net, specs, costs, n_units=13)
