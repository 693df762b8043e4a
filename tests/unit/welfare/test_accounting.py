"""Welfare accounting and the no-market baseline: hand-computed cases and invariants.

The module-level helpers (``Data``, ``toy_building``, ``random_scenario``, ...)
are shared with ``test_planner.py``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import pytest

from rex_cli.agents.simple import AgentKind
from rex_cli.config.schema import RexConfig
from rex_cli.plants import (
    CostKind,
    InputRole,
    OutputRole,
    Plant,
    StateSpace,
    ambient_temperature_profile,
    battery,
    default_setpoint_schedule,
    gas_turbine,
    heat_pump_building,
    solar_profile,
)
from rex_cli.scenario.build import build_plants, build_world, seed_tree, uncontrollable_net_kwh
from rex_cli.welfare.accounting import (
    Outcome,
    WelfareBreakdown,
    WelfareCosts,
    account,
    feasibility_violation,
    simulate_outcome,
    system_balance,
    welfare_of,
)
from rex_cli.welfare.no_market import no_market_baseline

# --- shared helpers -----------------------------------------------------------------------


@dataclass(frozen=True)
class Data:
    """Duck-typed PlantData: exogenous, request, w_init."""

    exogenous: np.ndarray
    request: np.ndarray
    w_init: np.ndarray


def toy_building(t_min: float = 19.0, t_max: float = 24.0) -> Plant:
    """T+ = 0.9 T + 2 u* + 0.1 Ta (dt = 1 h); output = T at the end of the unit
    (C = A, D = B), tracked within [t_min, t_max]; u* in [0, 2] kWh."""
    A = [[0.9]]
    B = [[2.0, 0.1]]
    return Plant(
        name="toy_building",
        model=StateSpace(A, B, A, B, 1.0),
        input_roles=(InputRole.MARKET, InputRole.EXOGENOUS),
        output_roles=(OutputRole.TRACKED,),
        u_min=np.array([0.0, -np.inf]),
        u_max=np.array([2.0, np.inf]),
        v_min=np.array([t_min]),
        v_max=np.array([t_max]),
    )


def toy_data(setpoint: list[float], t0: float = 20.0) -> Data:
    n = len(setpoint)
    return Data(np.zeros((n, 1)), np.array(setpoint).reshape(-1, 1), np.array([t0]))


def empty_data(n: int, w0: float = 0.0) -> Data:
    return Data(np.zeros((n, 0)), np.zeros((n, 0)), np.array([w0]))


def hand_battery() -> Plant:
    """1-hour units, SoC in [1, 9] kWh, 5 kW, η = 0.9 both ways, 0.01/kWh throughput."""
    return battery(
        unit_minutes=60.0,
        capacity_kwh=10.0,
        soc_min_kwh=1.0,
        soc_max_kwh=9.0,
        p_charge_max_kw=5.0,
        p_discharge_max_kw=5.0,
        eta_charge=0.9,
        eta_discharge=0.9,
        degradation_cost=0.01,
    )


def random_scenario(
    rng: np.random.Generator, n_plants: int | None = None, n_units: int | None = None
) -> tuple[np.ndarray, list[tuple[Plant, Data]]]:
    """Random net demand (kWh per 15 minutes) and 1-4 plants from the builders.

    Buildings are mild enough (ambient 0-10 °C, >= 2.5 kW) for the rule thermostat
    to stay in the comfort band, so the no-market outcome is feasible.
    """
    P = int(rng.integers(1, 5)) if n_plants is None else n_plants
    N = int(rng.integers(4, 17)) if n_units is None else n_units
    start = int(rng.integers(0, 96))
    net = rng.normal(0.5, 3.0, N)
    specs: list[tuple[Plant, Data]] = []
    for _ in range(P):
        kind = rng.choice(["building", "battery", "turbine"], p=[0.45, 0.3, 0.25])
        if kind == "building":
            plant = heat_pump_building(
                cop=float(rng.uniform(2.5, 4.0)),
                p_max_kw=float(rng.uniform(2.5, 5.0)),
                r_ia=float(rng.uniform(3.0, 8.0)),
                c_i=float(rng.uniform(1.0, 4.0)),
                ramp_kw=float(rng.choice([np.inf, 4.0])),
            )
            ex = np.column_stack(
                [
                    ambient_temperature_profile(start, N, mean_c=float(rng.uniform(0, 10))),
                    solar_profile(start, N),
                ]
            )
            req = default_setpoint_schedule(start, N).reshape(-1, 1) + rng.uniform(0.0, 1.0)
            data = Data(ex, req, np.array([float(rng.uniform(19.5, 22.0))]))
        elif kind == "battery":
            cap = float(rng.uniform(5.0, 20.0))
            plant = battery(
                capacity_kwh=cap,
                soc_min_kwh=0.1 * cap,
                soc_max_kwh=0.9 * cap,
                p_charge_max_kw=float(rng.uniform(1.0, 6.0)),
                p_discharge_max_kw=float(rng.uniform(1.0, 6.0)),
                eta_charge=float(rng.uniform(0.85, 1.0)),
                eta_discharge=float(rng.uniform(0.85, 1.0)),
                degradation_cost=float(rng.uniform(0.0, 0.03)),
                self_discharge_per_h=float(rng.choice([0.0, 0.01])),
            )
            data = empty_data(N, float(rng.uniform(0.2, 0.8) * cap))
        else:
            pmax = float(rng.uniform(5, 40))
            plant = gas_turbine(
                p_min_kw=float(rng.choice([0.0, 0.2 * pmax])),
                p_max_kw=pmax,
                ramp_kw=float(rng.uniform(0.2, 1.0) * pmax),
                marginal_cost=float(rng.uniform(0.05, 0.5)),
            )
            data = empty_data(N, float(rng.uniform(plant.u_min[1], plant.u_max[1])))
        specs.append((plant, data))
    return net, specs


def random_costs(rng: np.random.Generator) -> WelfareCosts:
    backup = float(rng.uniform(0.05, 0.6))
    cap = float(rng.choice([np.inf, rng.uniform(2.0, 20.0)]))
    return WelfareCosts(
        backup_cost=backup,
        comfort_cost=float(rng.uniform(0.0, 1.0)),
        value_of_lost_load=backup + float(rng.uniform(0.0, 5.0)),
        backup_capacity_kw=cap,
        stored_energy_price=float(rng.choice([0.0, rng.uniform(0.0, backup)])),
    )


# --- WelfareCosts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        (dict(backup_cost=-0.1, comfort_cost=0.1), "backup_cost"),
        (dict(backup_cost=math.nan, comfort_cost=0.1), "backup_cost"),
        (dict(backup_cost=0.3, comfort_cost=-1.0), "comfort_cost"),
        (dict(backup_cost=0.3, comfort_cost=math.inf), "comfort_cost"),
        (dict(backup_cost=0.3, comfort_cost=0.1, value_of_lost_load=-1.0), "value_of_lost_load"),
        (dict(backup_cost=0.3, comfort_cost=0.1, value_of_lost_load=0.2), "value_of_lost_load"),
        (dict(backup_cost=0.3, comfort_cost=0.1, backup_capacity_kw=0.0), "backup_capacity_kw"),
        (dict(backup_cost=0.3, comfort_cost=0, backup_capacity_kw=math.nan), "backup_capacity_kw"),
    ],
)
def test_welfare_costs_validation_names_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(ValueError, match=f"^{field}"):
        WelfareCosts(**kwargs)


def test_welfare_costs_defaults() -> None:
    c = WelfareCosts(backup_cost=0.3, comfort_cost=0.1)
    assert c.backup_capacity_kw == math.inf
    assert c.value_of_lost_load >= c.backup_cost


# --- welfare_of ---------------------------------------------------------------------------


def _hand_outcome(curtailed: list[float] | None = None) -> tuple[Outcome, list]:
    """Turbine, battery and toy building over two 1-hour units.

    turbine  g = [3, 1]            u* = [-3, -1]   fuel 0.1/kWh
    battery  c = [0, 2], d = [1, 0] u* = [-1, 2]   degradation 0.02/kWh
    building u* = [1.5, 0.5], T_end = [21, 19.4], setpoint [21, 20]
    uncontrollable x = [4, -5]
    """
    turbine = gas_turbine(unit_minutes=60.0, p_max_kw=10.0, marginal_cost=0.1)
    bat = battery(unit_minutes=60.0, degradation_cost=0.02)
    specs = [
        (turbine, empty_data(2)),
        (bat, empty_data(2, 5.0)),
        (toy_building(), toy_data([21.0, 20.0])),
    ]
    outcome = Outcome(
        net_uncontrollable_kwh=np.array([4.0, -5.0]),
        inputs=(
            np.array([[-3.0, 3.0], [-1.0, 1.0]]),
            np.array([[-1.0, 0.0, 1.0], [2.0, 2.0, 0.0]]),
            np.array([[1.5, 0.0], [0.5, 0.0]]),
        ),
        outputs=(np.zeros((2, 1)), np.array([[4.0, 0.0], [6.0, 0.0]]), np.array([[21.0], [19.4]])),
        curtailed_kwh=np.zeros(2) if curtailed is None else np.array(curtailed),
    )
    return outcome, specs


def test_welfare_of_hand_computed() -> None:
    outcome, specs = _hand_outcome()
    costs = WelfareCosts(backup_cost=0.3, comfort_cost=0.5)
    w = welfare_of(outcome, specs, costs)
    # net = x + Σ u* = [4 - 3 - 1 + 1.5, -5 - 1 + 2 + 0.5] = [1.5, -3.5]
    # backup 1.5 kWh × 0.3 = 0.45; spilled 3.5 kWh
    # fuel (3 + 1) × 0.1 = 0.4; degradation (0 + 1 + 2 + 0) × 0.02 = 0.06
    # comfort 0.5 × (|21 - 21| + |19.4 - 20|) = 0.3
    # total = -(0.45 + 0.4 + 0.06 + 0.3) = -1.21
    np.testing.assert_allclose(outcome.net_kwh, [1.5, -3.5])
    assert w.backup_kwh == pytest.approx(1.5)
    assert w.spilled_kwh == pytest.approx(3.5)
    assert w.unserved_kwh == 0.0
    assert w.backup_cost == pytest.approx(0.45)
    assert w.fuel_cost == pytest.approx(0.4)
    assert w.degradation_cost == pytest.approx(0.06)
    assert w.comfort_cost == pytest.approx(0.3)
    assert w.unserved_cost == 0.0
    assert w.total == pytest.approx(-1.21)
    assert set(w.as_dict()) == set(WelfareBreakdown.__dataclass_fields__)


def test_welfare_of_limited_backup_and_curtailment() -> None:
    outcome, specs = _hand_outcome()
    costs = WelfareCosts(
        backup_cost=0.3, comfort_cost=0.5, value_of_lost_load=5.0, backup_capacity_kw=1.0
    )
    w = welfare_of(outcome, specs, costs)
    # unit 0 needs 1.5 kWh, backup gives 1 kW × 1 h = 1 kWh: 0.3; unserved 0.5 × 5 = 2.5
    # total = -(0.3 + 2.5 + 0.4 + 0.06 + 0.3) = -3.56
    assert (w.backup_kwh, w.unserved_kwh) == pytest.approx((1.0, 0.5))
    assert w.unserved_cost == pytest.approx(2.5)
    assert w.total == pytest.approx(-3.56)
    # Curtailing 1 kWh of plant output in unit 0 adds it to the need and to the spill:
    # net = [2.5, -3.5]: backup 2.5 × 0.3 = 0.75, spilled 3.5 + 1 = 4.5
    outcome, specs = _hand_outcome(curtailed=[1.0, 0.0])
    w = welfare_of(outcome, specs, WelfareCosts(backup_cost=0.3, comfort_cost=0.5))
    assert (w.backup_kwh, w.spilled_kwh) == pytest.approx((2.5, 4.5))
    assert w.total == pytest.approx(-(0.75 + 0.4 + 0.06 + 0.3))


def test_welfare_of_ignores_missing_requests_and_checks_shapes() -> None:
    outcome, specs = _hand_outcome()
    plant, _ = specs[2]
    specs[2] = (plant, toy_data([21.0, math.nan]))
    w = welfare_of(outcome, specs, WelfareCosts(backup_cost=0.3, comfort_cost=0.5))
    assert w.comfort_cost == 0.0
    with pytest.raises(ValueError, match="plants has 2 entries"):
        welfare_of(outcome, specs[:2], WelfareCosts(backup_cost=0.3, comfort_cost=0.5))
    with pytest.raises(ValueError, match="outputs\\[0\\]"):
        Outcome(
            net_uncontrollable_kwh=np.zeros(2),
            inputs=(np.zeros((2, 2)),),
            outputs=(np.zeros((3, 1)),),
        )


def test_stored_energy_is_valued_alike_and_warm_up_cuts_every_term() -> None:
    # The hand outcome's battery (η = 0.95, 1-hour units) starts at 5 kWh:
    # SoC1 = 5 − 1/0.95 = 3.94737, SoC2 = SoC1 + 0.95·2 = 5.84737.
    outcome, specs = _hand_outcome()
    costs = WelfareCosts(backup_cost=0.3, comfort_cost=0.5, stored_energy_price=0.1)
    w = welfare_of(outcome, specs, costs)
    assert w.stored_change_kwh == pytest.approx(-1 / 0.95 + 1.9)
    assert w.storage_cost == pytest.approx(-0.1 * (-1 / 0.95 + 1.9))  # filled: a credit
    assert w.total == pytest.approx(-1.21 - w.storage_cost)
    # Warm-up of one unit: only unit 1 counts (net -3.5: no backup), fuel 1 × 0.1,
    # wear 2 × 0.02, comfort 0.5 × 0.6, storage from SoC1 to SoC2: −0.1 × 1.9.
    cut = welfare_of(outcome, specs, costs, first_unit=1)
    assert cut.backup_cost == 0.0 and cut.backup_kwh == 0.0
    assert cut.spilled_kwh == pytest.approx(3.5)
    assert (cut.fuel_cost, cut.degradation_cost) == pytest.approx((0.1, 0.04))
    assert cut.comfort_cost == pytest.approx(0.3)
    assert cut.storage_cost == pytest.approx(-0.19)
    assert cut.total == pytest.approx(-(0.1 + 0.04 + 0.3 - 0.19))
    with pytest.raises(ValueError, match=r"^first_unit"):
        welfare_of(outcome, specs, costs, first_unit=2)


def test_plant_costs_add_up_to_the_breakdown() -> None:
    outcome, specs = _hand_outcome()
    costs = WelfareCosts(backup_cost=0.3, comfort_cost=0.5, stored_energy_price=0.07)
    acc = account(outcome, specs, costs)
    for first in (0, 1):
        per = acc.plant_costs(first)
        w = acc.breakdown(first)
        for term, values in per.items():
            assert values.sum() == pytest.approx(getattr(w, term), abs=1e-15)
    per = acc.plant_costs()
    # turbine: fuel only; battery: wear and storage only; building: comfort only.
    np.testing.assert_allclose(per["fuel_cost"], [0.4, 0.0, 0.0])
    np.testing.assert_allclose(per["degradation_cost"], [0.0, 0.06, 0.0])
    np.testing.assert_allclose(per["comfort_cost"], [0.0, 0.0, 0.3])
    assert per["storage_cost"][0] == 0.0 and per["storage_cost"][2] == 0.0


def test_costs_follow_the_cost_kind_not_the_name() -> None:
    # A storage plant not named "battery" still has wear; a "battery" with fuel has fuel.
    bat = battery(unit_minutes=60.0, degradation_cost=0.02)
    store = dataclasses.replace(bat, name="flywheel")
    odd = dataclasses.replace(
        bat, name="battery_gen", cost_kinds=(None, CostKind.FUEL, CostKind.FUEL)
    )
    u = np.array([[-1.0, 0.0, 1.0], [2.0, 2.0, 0.0]])
    v = np.array([[4.0, 0.0], [6.0, 0.0]])
    costs = WelfareCosts(backup_cost=0.3, comfort_cost=0.0)
    for plant, fuel, wear in ((store, 0.0, 0.06), (odd, 0.06, 0.0)):
        out = Outcome(net_uncontrollable_kwh=np.zeros(2), inputs=(u,), outputs=(v,))
        w = welfare_of(out, [(plant, empty_data(2, 5.0))], costs)
        assert (w.fuel_cost, w.degradation_cost) == pytest.approx((fuel, wear))


def test_system_balance_splits_the_need() -> None:
    costs = WelfareCosts(backup_cost=0.3, comfort_cost=0.0, backup_capacity_kw=4.0)
    b, u, s = system_balance(np.array([-2.0, 0.5, 3.0]), costs, 0.25)
    np.testing.assert_allclose(b, [0.0, 0.5, 1.0])
    np.testing.assert_allclose(u, [0.0, 0.0, 2.0])
    np.testing.assert_allclose(s, [2.0, 0.0, 0.0])
    np.testing.assert_allclose(b + u - s, [-2.0, 0.5, 3.0])


# --- no-market baseline -------------------------------------------------------------------


def test_no_market_thermostat_hand_computed() -> None:
    # Toy building, T0 = 20 °C, ambient 0, setpoint [21, 23], x = [-1, 0.5] kWh.
    # unit 0: u* = (21 - 0.9·20)/2 = 1.5 -> T1 = 21
    # unit 1: u* = (23 - 0.9·21)/2 = 2.05, clipped to 2 -> T2 = 18.9 + 4 = 22.9
    # net = [-1 + 1.5, 0.5 + 2] = [0.5, 2.5]: backup 3 kWh × 0.3 = 0.9
    # comfort 1 × |22.9 - 23| = 0.1; welfare = -1.0; tariff cash 0.25 × 3 = 0.75
    specs = [(toy_building(), toy_data([21.0, 23.0]))]
    costs = WelfareCosts(backup_cost=0.3, comfort_cost=1.0)
    res = no_market_baseline([-1.0, 0.5], specs, costs, tariff=0.25)
    np.testing.assert_allclose(res.inputs[0][:, 0], [1.5, 2.0])
    np.testing.assert_allclose(res.outputs[0][:, 0], [21.0, 22.9])
    np.testing.assert_allclose(res.states[0][:, 0], [20.0, 21.0, 22.9])
    np.testing.assert_allclose(res.backup_kwh, [0.5, 2.5])
    assert res.welfare.backup_cost == pytest.approx(0.9)
    assert res.welfare.comfort_cost == pytest.approx(0.1)
    assert res.welfare.total == pytest.approx(-1.0)
    assert res.operator_energy_kwh == pytest.approx(3.0)
    assert res.tariff_cash == pytest.approx(0.75)
    assert feasibility_violation(res.outcome, specs) < 1e-12


def test_no_market_thermostat_without_request_holds_lower_bound() -> None:
    specs = [(toy_building(), toy_data([math.nan, math.nan]))]
    res = no_market_baseline([0.0, 0.0], specs, WelfareCosts(backup_cost=0.3, comfort_cost=1.0))
    np.testing.assert_allclose(res.outputs[0][:, 0], [19.0, 19.0])
    assert res.welfare.comfort_cost == 0.0


def test_no_market_battery_idle_hand_computed() -> None:
    # Idle battery: x = [-3, 4]: spill 3, backup 4 × 0.3 = 1.2, welfare -1.2.
    specs = [(hand_battery(), empty_data(2, 1.0))]
    res = no_market_baseline([-3.0, 4.0], specs, WelfareCosts(backup_cost=0.3, comfort_cost=0.0))
    np.testing.assert_array_equal(res.inputs[0], np.zeros((2, 3)))
    np.testing.assert_allclose(res.states[0][:, 0], [1.0, 1.0, 1.0])
    assert res.welfare.total == pytest.approx(-1.2)
    assert res.welfare.spilled_kwh == pytest.approx(3.0)
    assert res.welfare.degradation_cost == 0.0


@pytest.mark.parametrize("producers_spill", [True, False])
def test_no_market_turbine_at_minimum(producers_spill: bool) -> None:
    # 15-minute units, minimum 8 kW -> g = 2 kWh per unit at 0.1/kWh.
    plant = gas_turbine(p_min_kw=8.0, p_max_kw=20.0, marginal_cost=0.1)
    specs = [(plant, empty_data(3, 2.0))]
    costs = WelfareCosts(backup_cost=0.3, comfort_cost=0.0)
    res = no_market_baseline([3.0, 1.0, -1.0], specs, costs, producers_spill=producers_spill)
    np.testing.assert_allclose(res.inputs[0], [[-2.0, 2.0]] * 3)
    np.testing.assert_allclose(res.outputs[0], np.zeros((3, 1)))
    assert res.welfare.fuel_cost == pytest.approx(0.6)
    if producers_spill:
        # Nobody buys the turbine's energy: backup 3 + 1 = 4 kWh; spilled 1 + 3 × 2 = 7.
        assert res.welfare.backup_kwh == pytest.approx(4.0)
        assert res.welfare.spilled_kwh == pytest.approx(7.0)
        np.testing.assert_allclose(res.outcome.curtailed_kwh, [2.0, 2.0, 2.0])
    else:
        # It offsets the need: net = [1, -1, -3]: backup 1, spilled 4.
        assert res.welfare.backup_kwh == pytest.approx(1.0)
        assert res.welfare.spilled_kwh == pytest.approx(4.0)
    assert res.welfare.total == pytest.approx(-(0.3 * res.welfare.backup_kwh + 0.6))


def test_no_market_turbine_off_when_minimum_is_zero() -> None:
    plant = gas_turbine(p_min_kw=0.0, marginal_cost=0.01)
    res = no_market_baseline(
        [5.0, 5.0], [(plant, empty_data(2))], WelfareCosts(backup_cost=0.3, comfort_cost=0.0)
    )
    np.testing.assert_array_equal(res.inputs[0], np.zeros((2, 2)))
    assert res.welfare.total == pytest.approx(-3.0)


def test_no_market_default_scenario_is_feasible_and_consistent() -> None:
    cfg = RexConfig()
    net = uncontrollable_net_kwh(cfg)
    built = build_plants(cfg)
    specs = [(p, d) for _, p, d in built]
    costs = WelfareCosts(backup_cost=cfg.imbalance.backup_cost, comfort_cost=0.1)
    res = no_market_baseline(net, specs, costs)
    assert feasibility_violation(res.outcome, specs) < 1e-9
    # Re-simulating the rule's decision inputs gives the same outcome and welfare.
    dec = [u[:, list(p.decision_inputs)] for (p, _), u in zip(specs, res.inputs, strict=True)]
    again, states = simulate_outcome(net, specs, dec, curtailed_kwh=res.outcome.curtailed_kwh)
    for a, b in zip(again.outputs, res.outputs, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-12)
    for a, b in zip(states, res.states, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-12)
    assert welfare_of(again, specs, costs).total == pytest.approx(res.welfare.total)
    # Buildings on the thermostat, batteries idle, turbine off (its minimum is 0).
    for (kind, plant, _), u in zip(built, res.inputs, strict=True):
        if kind is AgentKind.heat_pump_building:
            assert np.all(u[:, 0] >= 0) and np.all(u[:, 0] <= plant.u_max[0] + 1e-12)
        else:
            np.testing.assert_array_equal(u, 0.0)
    assert res.welfare.backup_kwh == pytest.approx(float(res.backup_kwh.sum()))


def test_uncontrollable_net_matches_the_world_realisation() -> None:
    cfg = RexConfig()
    world = build_world(cfg, seed_tree(cfg))
    rows = [
        a.agent_id for a in world.agents if a.kind in (AgentKind.household, AgentKind.wind_farm)
    ]
    expected = world.realised_lots[rows].sum(axis=0) * cfg.market.lot_kwh
    np.testing.assert_allclose(uncontrollable_net_kwh(cfg), expected, atol=1e-9)


def test_feasibility_violation_detects_each_kind_of_breach() -> None:
    plant = gas_turbine(p_max_kw=20.0, ramp_kw=8.0)  # g <= 5 kWh, ramp 2 kWh per unit
    specs = [(plant, empty_data(3))]
    ok, _ = simulate_outcome(np.zeros(3), specs, [np.array([[-1.0, 1.0], [-3.0, 3.0], [-4, 4]])])
    assert feasibility_violation(ok, specs) == 0.0
    ramp, _ = simulate_outcome(np.zeros(3), specs, [np.array([[-1.0, 1.0], [-4.0, 4.0], [-4, 4]])])
    assert feasibility_violation(ramp, specs) == pytest.approx(1.0)
    bound, _ = simulate_outcome(np.zeros(3), specs, [np.array([[-1.0, 1.0], [-3, 3], [-5.5, 5.5]])])
    assert feasibility_violation(bound, specs) == pytest.approx(0.5)
    balance, _ = simulate_outcome(np.zeros(3), specs, [np.array([[0.0, 1.0], [0, 1], [0, 1]])])
    assert feasibility_violation(balance, specs) == pytest.approx(1.0)
    wrong = Outcome(
        net_uncontrollable_kwh=np.zeros(3),
        inputs=ok.inputs,
        outputs=(ok.outputs[0] + 0.25,),
    )
    assert feasibility_violation(wrong, specs) == pytest.approx(0.25)


def test_random_no_market_outcomes_are_feasible() -> None:
    rng = np.random.default_rng(11)
    for _ in range(30):
        net, specs = random_scenario(rng)
        res = no_market_baseline(net, specs, random_costs(rng))
        assert feasibility_violation(res.outcome, specs) < 1e-9
        w = res.welfare
        parts = w.backup_cost + w.fuel_cost + w.degradation_cost + w.comfort_cost
        assert w.total == pytest.approx(-(parts + w.unserved_cost + w.storage_cost))
        # Idle batteries lose only what self-discharge takes: never a credit.
        assert w.storage_cost >= -1e-12
