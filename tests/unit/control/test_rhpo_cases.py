"""Hand-computable RHPO cases, terminal condition, battery bounds, book sides."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rex_cli.control import (
    LpStatus,
    RhpoSolver,
    TerminalCondition,
    Weights,
    WeightShape,
    solve_rhpo,
    solve_rhpo_uc,
)
from rex_cli.plants import (
    InputRole,
    OutputRole,
    Plant,
    StateSpace,
    battery,
    gas_turbine,
    heat_pump_building,
)

BACKENDS = ["highs", "pyomo"]


def _store() -> Plant:
    """A toy thermal store: w+ = 0.5 w + u*, output at the end of the unit
    v = 0.5 w + u* (C = A, D = B), tracked; u* ∈ [0, 10] kWh."""
    return Plant(
        name="store",
        model=StateSpace([[0.5]], [[1.0]], [[0.5]], [[1.0]], 1.0),
        input_roles=(InputRole.MARKET,),
        output_roles=(OutputRole.TRACKED,),
        u_min=np.array([0.0]),
        u_max=np.array([10.0]),
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_step_case_by_hand(backend: str) -> None:
    # κ = 2, linear damping: d = [2/2, 1/2]; o = 2 -> O = [2, 1]; q = 0.1 -> Q = [0.1, 0.05].
    # w0 = 2, X = [3, 3]. Outputs: v1 = 0.5·2 + u1 = 1 + u1,
    #                              v2 = 0.5·w2 + u2 = 0.5(1 + u1) + u2 = 0.5 + 0.5 u1 + u2.
    # Book: unit 1 ask 0.2 / bid 0.1; unit 2 NO ask (cannot buy) / bid 0.5.
    # Position Y = [0, 1] (1 kWh already bought for unit 2); π = 2 both units.
    #
    # Unit 1: each kWh of u1 (bought at 0.2) cuts G⁻1 by 1 °C (worth O1 = 2) and
    #   G⁻2 by 0.5 °C (worth 0.5): heat until v1 = X1 -> u1 = 2, E⁺1 = 2.
    #   Beyond that, +δ costs 0.2δ + 2δ (G⁺1) and gains 0.5δ (G⁻2): net −1.7δ, stop.
    # Unit 2: use the reserved kWh: u2 = Y2 = 1 -> v2 = 0.5 + 1 + 1 = 2.5, G⁻2 = 0.5.
    #   More energy only via shortfall at π = 2 > O2·1 = 1: no. Selling part of Y2
    #   at 0.5 loses O2 = 1 per kWh: no. Surplus/shortfall H = S = 0.
    # Objective = −A1·E⁺1 − O2·G⁻2 = −0.2·2 − 1·0.5 = −0.9.
    # λ1 = 0.2: an extra kWh reserved for unit 1 saves buying it at the ask.
    # λ2 = 1.0: an extra kWh for unit 2 is heat, cutting G⁻2 by 1 °C, worth O2 = 1
    #   (between the bid 0.5 and π = 2: the plant's value, not a market price).
    w = Weights(q=0.1, o=2.0, r=1.0, l=1.0, shape=WeightShape.LINEAR)
    res = solve_rhpo(
        _store(),
        w,
        bid=[0.1, 0.5],
        ask=[0.2, None],
        position=[0.0, 1.0],
        request=[3.0, 3.0],
        w0=[2.0],
        short_price=2.0,
        backend=backend,
    )
    assert res.status is LpStatus.OPTIMAL
    assert res.objective == pytest.approx(-0.9, abs=1e-9)
    np.testing.assert_allclose(res.u[:, 0], [2.0, 1.0], atol=1e-9)
    np.testing.assert_allclose(res.buy, [2.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(res.sell, [0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(res.surplus, [0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(res.shortfall, [0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(res.v[:, 0], [3.0, 2.5], atol=1e-9)
    np.testing.assert_allclose(res.w[:, 0], [2.0, 3.0, 2.5], atol=1e-9)
    np.testing.assert_allclose(res.dual_balance, [0.2, 1.0], atol=1e-9)


def _building_case(terminal: TerminalCondition, backend: str = "highs"):
    K = 24  # 6 h of 15-minute units
    return solve_rhpo(
        heat_pump_building(),
        Weights(q=0.05, o=0.2, terminal=terminal),
        bid=0.25,
        ask=0.30,
        position=np.zeros(K),
        request=np.full(K, 21.0),
        w0=[21.0],
        exogenous=np.column_stack([np.full(K, 5.0), np.zeros(K)]),  # 5 °C, night
        short_price=1.0,
        backend=backend,
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_terminal_request_removes_the_end_coast(backend: str) -> None:
    none = _building_case(TerminalCondition.NONE, backend)
    req = _building_case(TerminalCondition.REQUEST, backend)
    assert none.ok and req.ok
    # Both hold the setpoint at the start of the horizon.
    np.testing.assert_allclose(none.v[:12, 0], 21.0, atol=1e-6)
    np.testing.assert_allclose(req.v[:12, 0], 21.0, atol=1e-6)
    # Without a terminal condition the damped plan stops heating near the end and
    # coasts down to the comfort bound (19 °C) in the last unit.
    assert none.v[-1, 0] == pytest.approx(19.0, abs=1e-6)
    assert np.all(np.diff(none.v[-5:, 0]) < -0.1)
    np.testing.assert_allclose(none.u[-4:, 0], 0.0, atol=1e-9)
    # With REQUEST the last output meets the request and the heat pump keeps running.
    assert req.v[-1, 0] == pytest.approx(21.0, abs=1e-6)
    np.testing.assert_allclose(req.v[:, 0], 21.0, atol=1e-6)
    assert np.all(req.u[-4:, 0] > 0.2)
    # The condition costs something.
    assert req.objective < none.objective


def test_terminal_tolerance_band() -> None:
    K = 24
    res = solve_rhpo(
        heat_pump_building(),
        Weights(q=0.05, o=0.2, terminal=TerminalCondition.REQUEST, terminal_tolerance=0.5),
        bid=0.25,
        ask=0.30,
        position=np.zeros(K),
        request=np.full(K, 21.0),
        w0=[21.0],
        exogenous=np.column_stack([np.full(K, 5.0), np.zeros(K)]),
        short_price=1.0,
    )
    assert res.v[-1, 0] == pytest.approx(20.5, abs=1e-6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_battery_plan_respects_soc_and_power_bounds(backend: str) -> None:
    # Cheap now, expensive later: the battery wants to charge fully, then sell.
    K = 8
    p = battery(
        unit_minutes=60.0,
        capacity_kwh=10,
        soc_min_kwh=1,
        soc_max_kwh=9,
        p_charge_max_kw=3,
        p_discharge_max_kw=4,
        eta_charge=0.9,
        eta_discharge=0.9,
    )
    ask = np.array([0.05, 0.05, 0.05, 0.05, 0.6, 0.6, 0.6, 0.6])
    res = solve_rhpo(
        p,
        Weights(q=0.01),
        bid=ask - 0.01,
        ask=ask,
        position=np.zeros(K),
        w0=[5.0],
        short_price=2.0,
        backend=backend,
    )
    assert res.ok
    soc_end = res.v[:, 0]
    assert np.all(soc_end >= 1.0 - 1e-7) and np.all(soc_end <= 9.0 + 1e-7)
    np.testing.assert_allclose(res.w[1:, 0], soc_end, atol=1e-7)
    assert soc_end.max() == pytest.approx(9.0, abs=1e-7)  # the bound binds
    assert soc_end[-1] == pytest.approx(1.0, abs=1e-7)  # emptied at the end
    assert np.all(res.u[:, 1] <= 3.0 + 1e-9) and np.all(res.u[:, 2] <= 4.0 + 1e-9)
    np.testing.assert_allclose(res.v[:, 1], 0.0, atol=1e-9)  # energy balance
    np.testing.assert_allclose(res.u[:, 0], res.u[:, 1] - res.u[:, 2], atol=1e-9)
    np.testing.assert_allclose(res.net_trade, res.u[:, 0], atol=1e-9)


@pytest.mark.parametrize("backend", BACKENDS)
def test_empty_book_side_forbids_the_trade(backend: str) -> None:
    # The gas turbine would sell everything at 0.5 > marginal cost 0.08, but unit 2
    # has no bid (it only delivers the 3 kWh already sold) and unit 3 a capped bid
    # depth (4 kWh).
    p = gas_turbine(unit_minutes=60.0, p_max_kw=10.0, ramp_kw=math.inf, marginal_cost=0.08)
    bid = [0.5, math.nan, 0.5, 0.5]
    res = solve_rhpo(
        p,
        Weights(q=0.0, shape=WeightShape.FLAT),
        bid=bid,
        ask=[0.6, 0.6, None, 0.6],
        position=[0.0, -3.0, 0.0, 0.0],
        w0=[0.0],
        short_price=1.0,
        bid_depth=[None, None, 4.0, None],
        backend=backend,
    )
    assert res.ok
    np.testing.assert_allclose(res.sell, [10.0, 0.0, 4.0, 10.0], atol=1e-9)
    np.testing.assert_allclose(res.u[:, 1], [10.0, 3.0, 4.0, 10.0], atol=1e-9)
    np.testing.assert_allclose(res.buy, 0.0, atol=1e-9)
    # λ: units 1 and 4 sell freely at the bid, so an extra kWh reserved is sold at
    # 0.5 with the turbine unchanged. In units 2 and 3 the turbine is the margin:
    # an extra kWh reserved lets it generate one kWh less, worth the marginal
    # cost 0.08.
    np.testing.assert_allclose(res.dual_balance, [0.5, 0.08, 0.08, 0.5], atol=1e-9)
    # With no ask anywhere the turbine never buys, even when it is short.
    res2 = solve_rhpo(
        p,
        Weights(q=0.0),
        bid=None,
        ask=None,
        position=[-5.0, -5.0, 0.0, 0.0],
        w0=[0.0],
        short_price=1.0,
        backend=backend,
    )
    assert res2.ok
    np.testing.assert_allclose(res2.buy, 0.0)
    np.testing.assert_allclose(res2.sell, 0.0)
    np.testing.assert_allclose(
        res2.u[:, 1], [5.0, 5.0, 0.0, 0.0], atol=1e-9
    )  # delivers what it sold


@pytest.mark.parametrize("backend", BACKENDS)
def test_infeasible_returns_status_and_nans(backend: str) -> None:
    # The heat pump cannot lift 10 °C to the 19 °C comfort bound in one unit.
    res = solve_rhpo(
        heat_pump_building(),
        Weights(),
        bid=0.2,
        ask=0.3,
        position=np.zeros(4),
        request=np.full(4, 21.0),
        w0=[10.0],
        exogenous=np.zeros((4, 2)),
        short_price=1.0,
        backend=backend,
    )
    assert not res.ok
    assert res.status in (LpStatus.INFEASIBLE, LpStatus.INFEASIBLE_OR_UNBOUNDED)
    assert math.isnan(res.objective)
    assert res.u.shape == (4, 3) and np.all(np.isnan(res.u))
    assert np.all(np.isnan(res.dual_balance))


@pytest.mark.parametrize("backend", BACKENDS)
def test_unbounded_short_selling_is_reported(backend: str) -> None:
    # Bid above the shortfall price with no depth cap: selling short pays without end.
    res = solve_rhpo_uc(
        Weights(),
        bid=2.0,
        ask=2.1,
        position=[0.0],
        forecast=[1.0],
        short_price=1.0,
        backend=backend,
    )
    assert res.status in (LpStatus.UNBOUNDED, LpStatus.INFEASIBLE_OR_UNBOUNDED)
    # A depth cap makes it bounded again.
    res = solve_rhpo_uc(
        Weights(),
        bid=2.0,
        ask=2.1,
        position=[0.0],
        forecast=[1.0],
        short_price=1.0,
        bid_depth=3.0,
        backend=backend,
    )
    assert res.ok and res.sell[0] == pytest.approx(3.0)
    # Short 1 + 3 kWh: an extra kWh reserved saves the short price, not the bid.
    assert res.shortfall[0] == pytest.approx(4.0)
    assert res.dual_balance[0] == pytest.approx(1.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_uncontrollable_lambda_from_imbalance_prices(backend: str) -> None:
    # Unit 1: short (forecast 2, position 0.5) with an empty book: λ = π = 0.9.
    # Unit 2: long (forecast 1, position 3), no bid: λ = ρ − Q2 = 0.02 − 0.05 (flat).
    # Unit 3: short with an ask 0.3 < π: buy the gap, λ = ask.
    w = Weights(q=0.05, shape=WeightShape.FLAT)
    res = solve_rhpo_uc(
        w,
        bid=[None, None, 0.25],
        ask=[None, 0.3, 0.3],
        position=[0.5, 3.0, 0.0],
        forecast=[2.0, 1.0, 1.5],
        short_price=0.9,
        long_price=0.02,
        backend=backend,
    )
    assert res.ok
    np.testing.assert_allclose(res.u[:, 0], [2.0, 1.0, 1.5])
    np.testing.assert_allclose(res.shortfall, [1.5, 0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(res.surplus, [0.0, 2.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(res.buy, [0.0, 0.0, 1.5], atol=1e-9)
    np.testing.assert_allclose(res.dual_balance, [0.9, 0.02 - 0.05, 0.3], atol=1e-9)
    assert res.objective == pytest.approx(-0.9 * 1.5 + (0.02 - 0.05) * 2.0 - 0.3 * 1.5)


def test_ramp_limits_and_u_prev() -> None:
    # Turbine at 0 before the horizon, ramp 2 kWh per unit: 2, 4, 6, 8 at most.
    p = gas_turbine(unit_minutes=60.0, p_max_kw=10.0, ramp_kw=2.0, marginal_cost=0.1)
    kw = dict(bid=0.5, ask=0.6, position=np.zeros(4), w0=[0.0], short_price=1.0)
    for backend in BACKENDS:
        res = solve_rhpo(p, Weights(q=0.0), u_prev=[0.0, 0.0], backend=backend, **kw)
        np.testing.assert_allclose(res.u[:, 1], [2.0, 4.0, 6.0, 8.0], atol=1e-9)
        free = solve_rhpo(p, Weights(q=0.0), u_prev=None, backend=backend, **kw)
        np.testing.assert_allclose(free.u[:, 1], 10.0, atol=1e-9)


def test_nan_request_leaves_unit_untracked() -> None:
    K = 4
    x = np.array([21.0, np.nan, np.nan, 21.0])
    kw = dict(
        bid=0.2,
        ask=0.3,
        position=np.zeros(K),
        w0=[21.0],
        exogenous=np.column_stack([np.full(K, 5.0), np.zeros(K)]),
        short_price=1.0,
    )
    for backend in BACKENDS:
        res = solve_rhpo(
            heat_pump_building(),
            Weights(o=5.0, shape=WeightShape.FLAT),
            request=x,
            backend=backend,
            **kw,
        )
        assert res.ok
        assert res.v[0, 0] == pytest.approx(21.0, abs=1e-6)
        assert res.v[1, 0] < 21.0 - 1e-3  # not tracked: allowed to drift


def test_shapes_and_validation() -> None:
    p = heat_pump_building()
    K = 3
    good = dict(
        bid=0.2,
        ask=0.3,
        position=np.zeros(K),
        request=np.full(K, 21.0),
        w0=[21.0],
        exogenous=np.zeros((K, 2)),
        short_price=1.0,
    )
    res = solve_rhpo(p, Weights(), **good)
    assert res.u.shape == (K, 3) and res.v.shape == (K, 1) and res.w.shape == (K + 1, 1)
    assert res.buy.shape == res.sell.shape == res.dual_balance.shape == (K,)
    for key, bad, start in [
        ("exogenous", None, "exogenous"),
        ("exogenous", np.zeros((K, 3)), "exogenous"),
        ("request", np.zeros((K + 1, 1)), "request"),
        ("bid", [0.1, 0.2], "bid"),
        ("ask", [np.inf] * K, "ask"),
        ("w0", [1.0, 2.0], "w0"),
        ("short_price", np.nan, "short_price"),
        ("position", [0.0, np.nan, 0.0], "position"),
    ]:
        with pytest.raises(ValueError) as exc:
            solve_rhpo(p, Weights(), **(good | {key: bad}))
        assert str(exc.value).startswith(start), (key, str(exc.value))
    solver = RhpoSolver(p, Weights(), K)
    with pytest.raises(ValueError, match=r"^position"):
        solver.solve(**(good | {"position": np.zeros(K + 1)}))
    with pytest.raises(ValueError, match=r"^kappa"):
        RhpoSolver(p, Weights(), 0)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("bid", "sigma", "sells"),
    [
        (0.13, 0.0, True),  # stored energy worthless after the window: sell it all
        (0.13, 0.12, False),  # 0.13 < 0.12/0.95 + 0.01 = 0.1363: keep it
        (0.14, 0.12, True),  # 0.14 > 0.1363: sell
    ],
)
def test_stored_value_sets_the_battery_sell_threshold(
    backend: str, bid: float, sigma: float, sells: bool
) -> None:
    # A battery (η = 0.95 each way, wear 0.01/kWh) at 5 kWh, one open unit, a bid with
    # 1 kWh of depth and no ask. Selling 1 kWh draws 1/0.95 kWh from the store, worth
    # σ/0.95 after the window, plus 0.01 of wear: it sells iff bid > σ/0.95 + 0.01.
    plant = battery()
    res = solve_rhpo(
        plant,
        Weights(),
        bid=[bid],
        ask=[None],
        bid_depth=[1.0],
        position=[0.0],
        w0=[5.0],
        short_price=0.4,
        stored_value=sigma,
        backend=backend,
    )
    assert res.status is LpStatus.OPTIMAL
    assert res.sell[0] == pytest.approx(1.0 if sells else 0.0, abs=1e-7)
    end = 5.0 - (1.0 / 0.95 if sells else 0.0)
    assert res.w[-1][0] == pytest.approx(end, abs=1e-7)
    # The objective counts the stored energy left: σ·w_{κ+1} (+ cash − wear).
    expected = sigma * end + (bid - 0.01 if sells else 0.0)
    assert res.objective == pytest.approx(expected, abs=1e-6)


def test_stored_value_highs_solver_resets_between_solves() -> None:
    # The HiGHS solver keeps its LP between solves: σ must not leak into a later solve.
    plant = battery()
    solver = RhpoSolver(plant, Weights(), 3)
    kw = dict(bid=[0.13] * 3, ask=[0.16] * 3, bid_depth=[1.0] * 3, ask_depth=[1.0] * 3,
              position=np.zeros(3), w0=[5.0], short_price=0.4)  # fmt: skip
    first = solver.solve(**kw, stored_value=0.3)
    again = solver.solve(**kw)
    fresh = RhpoSolver(plant, Weights(), 3).solve(**kw)
    assert first.buy.sum() > 0.0  # worth 0.3 after the window: buy at 0.16
    assert again.objective == pytest.approx(fresh.objective, abs=1e-9)
    np.testing.assert_allclose(again.sell, fresh.sell, atol=1e-9)


@pytest.mark.parametrize(("delta", "priced_at_storage"), [(0.1, True), (0.5, False)])
def test_one_sided_value_of_a_battery_needs_a_small_step(
    delta: float, priced_at_storage: bool
) -> None:
    # The coordinator's ask value λ⁻ = λ(Y − δ) moves all κ = 16 units at once. A battery
    # at 5 kWh (minimum 1) with no book, σ = 0.12: delivering 16·0.1 = 1.6 kWh draws
    # 1.68 kWh from the store, and each kWh given up is worth σ/η + wear = 0.1363;
    # 16·0.5 = 8 kWh needs 8.4 kWh, more than the 4 it holds, so λ⁻ reaches the
    # shortfall price 0.4 and the battery's asks would never fill.
    K = 16
    res = solve_rhpo(
        battery(),
        Weights(),
        bid=None,
        ask=None,
        position=np.full(K, -delta),
        w0=[5.0],
        short_price=0.4,
        stored_value=0.12,
    )
    assert res.status is LpStatus.OPTIMAL
    lam = res.dual_balance
    if priced_at_storage:
        np.testing.assert_allclose(lam, 0.12 / 0.95 + 0.01, atol=1e-9)
    else:
        assert lam.max() == pytest.approx(0.4, abs=1e-9)
