"""The same-information planner and the re-solved window LP: hand-computed cases,
brute-force references (fresh models, ``forecast_at``) and invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_accounting import empty_data, random_costs, random_scenario

from rex_cli.plants import gas_turbine
from rex_cli.stochastic.forecast import CtbaParams, simulate_ctba
from rex_cli.welfare.accounting import WelfareCosts, feasibility_violation
from rex_cli.welfare.evaluate import allocate
from rex_cli.welfare.planner import PlannerLP, solve_planner
from rex_cli.welfare.same_info import (
    forecasts_in_force,
    same_info_planner,
    window_units,
)


def windows(net: np.ndarray, K: int) -> np.ndarray:
    """Perfect forecasts: row j holds the realisations of units j..j+K−1 (NaN beyond)."""
    N = len(net)
    out = np.full((N, K), np.nan)
    for j in range(N):
        part = net[j : j + K]
        out[j, : len(part)] = part
    return out


# --- the window -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lead", "expected"), [(0.0, 16), (15.0, 16), (20.0, 15), (30.0, 15), (31.0, 14), (240.0, 1)]
)
def test_window_units_are_those_open_at_the_decision_time(lead: float, expected: int) -> None:
    # κ = 16, ε = 15: at jε − L the units j .. ⌊j + 16 − L/15⌋ are open (at most 16).
    assert window_units(16, 15.0, lead) == expected


@pytest.mark.parametrize("lead", [-1.0, 240.5, math.nan])
def test_window_units_refuses_a_lead_outside_the_horizon(lead: float) -> None:
    with pytest.raises(ValueError, match=r"^lead_minutes"):
        window_units(16, 15.0, lead)


@pytest.mark.parametrize("lead", [0.0, 15.0, 22.5, 45.0])
def test_forecasts_in_force_match_forecast_at(lead: float) -> None:
    # Brute-force reference: ForecastPaths.forecast_at at every decision time.
    rng = np.random.default_rng(4)
    n_clients, N, kappa, eps, lot = 3, 12, 4, 15.0, 0.1
    real = rng.integers(0, 30, size=(n_clients, N))
    paths = simulate_ctba(
        CtbaParams(sigma0_lots=4.0, tau_scale_min=20.0),
        [np.random.default_rng(i) for i in range(n_clients)],
        real,
        unit_minutes=eps,
        horizon_units=kappa,
    )
    K = window_units(kappa, eps, lead)
    fc = forecasts_in_force(paths, lot_kwh=lot, lead_minutes=lead, n_units=N, window=K)
    assert fc.shape == (N, K)
    for j in range(N):
        ref = paths.forecast_at(j * eps - lead)
        n = min(K, N - j)
        np.testing.assert_array_equal(fc[j, :n], ref[:, j : j + n].sum(axis=0) * lot)
        assert np.all(np.isnan(fc[j, n:]))
    # At gate closure (lead 0) the forecast of the unit itself is its realisation.
    if lead == 0.0:
        np.testing.assert_array_equal(fc[:, 0], real.sum(axis=0) * lot)


# --- the re-solved window LP ----------------------------------------------------------------


def test_window_lp_re_solves_like_fresh_models() -> None:
    # One model re-solved with new data (warm start), and a shorter window on the same
    # model, give the optimum of a model built for that data alone.
    rng = np.random.default_rng(12)
    for _ in range(6):
        net, specs = random_scenario(rng, n_units=10)
        costs = random_costs(rng)
        plants = [p for p, _ in specs]
        lp = PlannerLP(plants, [1] * len(plants), 6, costs, 0.25)
        for start, n in ((0, 6), (2, 6), (4, 3), (1, 6), (7, 1)):
            data = {
                "net": net[start : start + n],
                "w0": [d.w_init for _, d in specs],
                "exogenous": [np.asarray(d.exogenous)[start : start + n] for _, d in specs],
                "request": [np.asarray(d.request)[start : start + n] for _, d in specs],
            }
            reused = lp.solve(**data, n_units=n)
            fresh = PlannerLP(plants, [1] * len(plants), n, costs, 0.25).solve(**data)
            assert reused.status == fresh.status
            if fresh.ok:
                assert reused.objective == pytest.approx(fresh.objective, abs=1e-7)
                assert all(d.shape[0] == n for d in reused.decisions)
        assert lp.n_solves == 5


def test_window_lp_first_ramp_links_to_the_previous_input() -> None:
    # Turbine (ramp 4 kW = 1 kWh per unit) at 0.05/kWh, backup 0.3, need 4 kWh in each
    # unit. From g_prev = 1 the window can reach only 2, 3: backup 2 + 1 = 3 kWh.
    plant = gas_turbine(p_max_kw=20.0, ramp_kw=4.0, marginal_cost=0.05)
    lp = PlannerLP([plant], [1], 2, WelfareCosts(backup_cost=0.3, comfort_cost=0.0), 0.25)
    kw = {"net": [4.0, 4.0], "w0": [[1.0]], "exogenous": [np.zeros((2, 0))],
          "request": [np.zeros((2, 0))]}  # fmt: skip
    sol = lp.solve(**kw, u_prev=[np.array([-1.0, 1.0])])
    np.testing.assert_allclose(sol.decisions[0][:, 1], [2.0, 3.0], atol=1e-9)
    assert sol.objective == pytest.approx(-(0.05 * 5 + 0.3 * 3))
    free = lp.solve(**kw)  # no previous input: no first ramp row
    np.testing.assert_allclose(free.decisions[0][:, 1], [4.0, 4.0], atol=1e-9)


# --- the rolling planner ----------------------------------------------------------------------


def test_same_info_hand_computed_turbine() -> None:
    # Window of one unit, turbine at 0.1/kWh without ramp limit, backup 0.3/kWh.
    # Realised x = [3, 2, 5], forecast in force f = [4, 1, 5]: it generates g = f,
    # spills 1 in unit 0 and covers 1 kWh by backup in unit 1:
    # welfare −(0.1 × 10 + 0.3 × 1) = −1.3; the planner generates x: −1.0.
    plant = gas_turbine(p_max_kw=40.0, ramp_kw=math.inf, marginal_cost=0.1)
    specs = [(plant, empty_data(3))]
    costs = WelfareCosts(backup_cost=0.3, comfort_cost=0.0)
    real = np.array([3.0, 2.0, 5.0])
    res = same_info_planner(np.array([[4.0], [1.0], [5.0]]), real, specs, costs)
    assert res.ok and res.n_solves == 3 and res.window == 1
    np.testing.assert_allclose(res.decisions[0][:, 1], [4.0, 1.0, 5.0], atol=1e-9)
    assert res.welfare.fuel_cost == pytest.approx(1.0)
    assert res.welfare.backup_kwh == pytest.approx(1.0)
    assert res.welfare.spilled_kwh == pytest.approx(1.0)
    assert res.welfare.total == pytest.approx(-1.3)
    assert solve_planner(real, specs, costs).welfare.total == pytest.approx(-1.0)


def test_same_info_with_the_whole_period_in_view_is_the_planner() -> None:
    # Window = N and perfect forecasts: by the principle of optimality each re-solve
    # continues an optimal plan, so the welfare is the planner's (to solver tolerance).
    rng = np.random.default_rng(21)
    for _ in range(12):
        net, specs = random_scenario(rng)
        costs = random_costs(rng)
        pl = solve_planner(net, specs, costs)
        si = same_info_planner(windows(net, len(net)), net, specs, costs)
        assert pl.ok and si.ok
        assert si.welfare.total == pytest.approx(pl.welfare.total, abs=1e-7)


def test_same_info_never_beats_the_planner_and_stays_feasible() -> None:
    rng = np.random.default_rng(8)
    checked = 0
    for _ in range(20):
        net, specs = random_scenario(rng)
        N = len(net)
        costs = random_costs(rng)
        K = int(rng.integers(1, N + 1))
        noisy = windows(net + rng.normal(0.0, 2.0, N), K)  # forecasts with errors
        si = same_info_planner(noisy, net, specs, costs)
        if not si.ok:  # a short window may walk a building out of its band
            assert si.failed_unit is not None
            continue
        pl = solve_planner(net, specs, costs)
        assert si.outcome is not None
        assert feasibility_violation(si.outcome, specs) < 1e-6
        assert si.welfare.total <= pl.welfare.total + 1e-9
        checked += 1
    assert checked >= 15


def test_identical_plants_are_planned_once_with_their_multiplicity() -> None:
    rng = np.random.default_rng(5)
    net, specs = random_scenario(rng, n_plants=2, n_units=8)
    repeated = [specs[0], specs[1], specs[0], specs[0]]
    costs = random_costs(rng)
    fc = windows(3 * net, 3)
    agg = same_info_planner(fc, 3 * net, repeated, costs)
    assert agg.ok
    np.testing.assert_array_equal(agg.decisions[0], agg.decisions[2])
    pl = solve_planner(3 * net, repeated, costs)
    assert agg.welfare.total <= pl.welfare.total + 1e-9


# --- allocation of system costs -------------------------------------------------------------


def test_allocate_hand_computed_and_exact() -> None:
    cost = np.array([1.0, 2.0, 0.6, 0.0])
    short = np.array([[1.0, 0.0, 0.0, 0.0], [3.0, 0.0, 0.0, 0.0]])
    draw = np.array([[0.0, 1.0, 1.0, 0.0], [0.0, 1.0, 2.0, 0.0]])
    # unit 0: by shortfall 1:3; units 1, 2: nobody short, by draw 1:1 and 1:2.
    got = allocate(cost, short, draw)
    np.testing.assert_allclose(got, [[0.25, 1.0, 0.2, 0.0], [0.75, 1.0, 0.4, 0.0]])
    np.testing.assert_allclose(got.sum(axis=0), cost)
    rng = np.random.default_rng(0)
    for _ in range(50):
        A, N = 5, 7
        s = np.maximum(rng.normal(0, 1, (A, N)), 0) * (rng.random((A, N)) < 0.3)
        d = np.maximum(rng.normal(0.5, 1, (A, N)), 0) + 1e-3
        c = rng.uniform(0, 2, N)
        np.testing.assert_allclose(allocate(c, s, d).sum(axis=0), c, rtol=1e-12)


@pytest.mark.parametrize("seed", [1, 2])
def test_default_scenario_with_perfect_forecasts_is_the_planner(seed: int) -> None:
    # forecast=perfect: the forecasts in force are the realisations. In the default
    # scenario the 4-hour window sees far enough: same-info = perfect planner.
    import dataclasses

    from rex_cli.config.schema import RexConfig
    from rex_cli.scenario.build import build_plants, uncontrollable_net_kwh

    cfg = dataclasses.replace(RexConfig(), seed=seed)
    net = uncontrollable_net_kwh(cfg)
    specs = [(p, d) for _, p, d in build_plants(cfg)]
    costs = WelfareCosts(backup_cost=0.3, comfort_cost=0.1, stored_energy_price=0.12)
    K = window_units(cfg.market.horizon_units, cfg.market.unit_minutes, 15.0)
    si = same_info_planner(windows(net, K), net, specs, costs)
    pl = solve_planner(net, specs, costs)
    assert si.ok and pl.ok and K == 16
    assert si.welfare.total == pytest.approx(pl.welfare.total, abs=1e-9)
