"""Shipped plants: the seed's building, battery, gas turbine, uncontrollable; helpers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rex_cli.plants import (
    InputRole,
    OutputRole,
    ambient_temperature_profile,
    battery,
    default_setpoint_schedule,
    gas_turbine,
    heat_pump_building,
    solar_profile,
    uncontrollable,
)


@pytest.mark.parametrize("unit_minutes", [5.0, 15.0, 60.0])
def test_building_matches_the_seed_coefficients(unit_minutes: float) -> None:
    p = heat_pump_building(unit_minutes=unit_minutes, cop=1.0)
    dt = unit_minutes / 60.0
    a = math.log(p.model.A[0, 0]) / dt  # continuous pole, 1/h
    assert a == pytest.approx(-0.0913, abs=1e-4)
    # ZOH column = (e^{a dt} − 1)/a × continuous column; the u* column is Φ_h/dt.
    g = (math.exp(a * dt) - 1.0) / a
    b_cont = p.model.B[0] / g
    assert b_cont[0] * dt == pytest.approx(0.4831, abs=1e-4)  # 1/C (COP = 1)
    assert b_cont[1] == pytest.approx(0.0913, abs=1e-4)  # 1/(R C)
    assert b_cont[2] == pytest.approx(3.8116, abs=1e-4)  # A_w/C
    assert p.is_stable()


def test_building_roles_bounds_units() -> None:
    p = heat_pump_building(unit_minutes=30.0, p_max_kw=3.0, t_min_c=19.0, t_max_c=24.0)
    assert p.input_roles == (InputRole.MARKET, InputRole.EXOGENOUS, InputRole.EXOGENOUS)
    assert p.output_roles == (OutputRole.TRACKED,)
    assert p.u_min[0] == 0.0 and p.u_max[0] == pytest.approx(1.5)  # kWh per half hour
    assert (p.v_min[0], p.v_max[0]) == (19.0, 24.0)
    assert p.input_units[0] == "kWh"


@pytest.mark.parametrize(
    ("p_el", "t_a", "phi_s"), [(1.0, 0.0, 0.0), (0.5, 5.0, 0.2), (0.0, -3.0, 0.1)]
)
def test_building_steady_state_is_analytic(p_el: float, t_a: float, phi_s: float) -> None:
    r, c, aw, cop = 5.29, 2.07, 7.89, 3.2
    p = heat_pump_building(unit_minutes=15.0, r_ia=r, c_i=c, a_w=aw, cop=cop)
    u = np.array([p_el * p.dt, t_a, phi_s])  # u* is energy per unit
    t_ss = t_a + r * (cop * p_el + aw * phi_s)  # 0 = −(T − T_a)/(R C) + (Φ_h + A_w Φ_s)/C
    assert p.model.steady_state(u)[0] == pytest.approx(t_ss, rel=1e-9)
    # The end-of-unit output equals the state at steady state.
    W, V = p.model.simulate([t_ss], np.tile(u, (5, 1)))
    np.testing.assert_allclose(W[:, 0], t_ss, rtol=1e-9)
    np.testing.assert_allclose(V[:, 0], t_ss, rtol=1e-9)


def test_building_output_is_end_of_unit_temperature() -> None:
    p = heat_pump_building()
    U = np.array([[0.6, 5.0, 0.0], [0.0, 5.0, 0.1], [0.3, 4.0, 0.2]])
    W, V = p.model.simulate([20.0], U)
    np.testing.assert_allclose(V[:, 0], W[1:, 0])


def test_building_heating_raises_temperature_by_cop_energy_over_capacity() -> None:
    # Over a very short unit the heat stays in: ΔT ≈ COP · E / C.
    p = heat_pump_building(unit_minutes=0.01, cop=3.0)
    w1, _ = p.model.step([20.0], [0.001, 20.0, 0.0])
    assert w1[0] - 20.0 == pytest.approx(3.0 * 0.001 / 2.07, rel=1e-4)


def test_battery_dynamics_and_balance() -> None:
    p = battery(
        unit_minutes=60.0,
        capacity_kwh=10,
        soc_min_kwh=1,
        soc_max_kwh=9,
        eta_charge=0.9,
        eta_discharge=0.8,
        p_charge_max_kw=4,
        p_discharge_max_kw=3,
        degradation_cost=0.02,
    )
    assert p.input_roles == (InputRole.MARKET, InputRole.COSTLY, InputRole.COSTLY)
    assert p.output_roles == (OutputRole.BOUNDED, OutputRole.BALANCE)
    np.testing.assert_allclose(p.u_min, [-3.0, 0.0, 0.0])
    np.testing.assert_allclose(p.u_max, [4.0, 4.0, 3.0])
    np.testing.assert_allclose(p.input_cost, [0.0, 0.02, 0.02])
    np.testing.assert_allclose((p.v_min, p.v_max), ([1.0, 0.0], [9.0, 0.0]))
    # Charge 2 kWh: SoC +1.8; discharge 1.6 kWh: SoC −2.
    W, V = p.model.simulate([5.0], [[2.0, 2.0, 0.0], [-1.6, 0.0, 1.6]])
    np.testing.assert_allclose(W[:, 0], [5.0, 6.8, 4.8])
    np.testing.assert_allclose(V[:, 0], [6.8, 4.8])  # SoC at end of unit
    np.testing.assert_allclose(V[:, 1], [0.0, 0.0])  # u* − c + d


def test_battery_self_discharge() -> None:
    p = battery(unit_minutes=60.0, self_discharge_per_h=0.1)
    w1, v = p.model.step([5.0], [0.0, 0.0, 0.0])
    assert w1[0] == pytest.approx(5.0 * math.exp(-0.1))
    assert v[0] == pytest.approx(w1[0])


def test_gas_turbine() -> None:
    p = gas_turbine(
        unit_minutes=30.0, p_min_kw=10.0, p_max_kw=100.0, ramp_kw=40.0, marginal_cost=0.07
    )
    np.testing.assert_allclose(p.u_min, [-50.0, 5.0])
    np.testing.assert_allclose(p.u_max, [0.0, 50.0])
    assert p.u_delta[0] == math.inf and p.u_delta[1] == pytest.approx(20.0)
    np.testing.assert_allclose(p.input_cost, [0.0, 0.07])
    assert p.output_roles == (OutputRole.BALANCE,)
    w1, v = p.model.step([7.0], [-30.0, 30.0])
    assert w1[0] == 30.0  # state carries the previous generation
    assert v[0] == 0.0  # u* + g
    assert p.is_stable()


def test_uncontrollable_balance() -> None:
    p = uncontrollable()
    _, v = p.model.step([0.0], [1.5, 1.5])
    assert v[0] == 0.0
    assert p.exogenous_inputs == (1,)


@pytest.mark.parametrize(
    ("builder", "kwargs", "field"),
    [
        (heat_pump_building, dict(cop=0.0), "cop"),
        (heat_pump_building, dict(unit_minutes=0.0), "unit_minutes"),
        (heat_pump_building, dict(t_min_c=25.0), "t_min_c"),
        (heat_pump_building, dict(ramp_kw=-1.0), "ramp_kw"),
        (battery, dict(eta_charge=1.5), "eta_charge"),
        (battery, dict(soc_max_kwh=20.0), "soc_min_kwh"),
        (battery, dict(degradation_cost=-0.1), "degradation_cost"),
        (gas_turbine, dict(p_min_kw=200.0), "p_min_kw"),
        (gas_turbine, dict(p_max_kw=0.0), "p_max_kw"),
        (gas_turbine, dict(marginal_cost=math.nan), "marginal_cost"),
    ],
)
def test_builder_validation(builder, kwargs: dict, field: str) -> None:
    with pytest.raises(ValueError) as exc:
        builder(**kwargs)
    assert str(exc.value).startswith(field)


def test_setpoint_schedule_day_night() -> None:
    x = default_setpoint_schedule(0, 96, unit_minutes=15.0)
    assert x.shape == (96,)
    assert x[0] == 19.0 and x[4 * 12] == 21.0 and x[4 * 23] == 19.0
    # Units wrap around the day.
    np.testing.assert_array_equal(default_setpoint_schedule(96, 96), x)


def test_ambient_and_solar_profiles() -> None:
    t = ambient_temperature_profile(
        0, 24, unit_minutes=60.0, mean_c=5.0, amplitude_c=4.0, peak_hour=15.0
    )
    assert int(np.argmax(t)) in (14, 15)
    assert t.max() <= 9.0 and t.min() >= 1.0
    s = solar_profile(0, 24, unit_minutes=60.0, peak_kw_m2=0.3)
    assert np.all(s >= 0.0) and s.max() <= 0.3
    assert s[2] == 0.0 and s[22] == 0.0 and s[12] > 0.25
