"""Tests of the wind model (rex_cli.stochastic.wind)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from rex_cli.sim.rng import SeedTree
from rex_cli.stochastic.wind import (
    PowerCurve,
    WeibullAR1Params,
    simulate_latent_gaussian,
    simulate_wind_speed,
)


def _gens(seed: int, n_farms: int) -> tuple[np.random.Generator, list[np.random.Generator]]:
    tree = SeedTree(seed)
    return tree.generator("wind_common"), [tree.generator("wind", f) for f in range(n_farms)]


def test_weibull_marginal_ks_iid() -> None:
    # phi = 0 makes the sample i.i.d., which is what the KS test assumes. Under H0 the
    # p-value is uniform; with the seed fixed the test is deterministic, and a threshold of
    # 0.01 would reject a correct model for only 1% of seeds.
    params = WeibullAR1Params(k=2.1, c_ms=8.5, phi=0.0)
    common, farms = _gens(11, 1)
    v = simulate_wind_speed(
        params, common=common, farms=farms, n_steps=20_000, step_hours=0.25, rho=0.0
    )
    res = stats.kstest(v[:, 0], stats.weibull_min(c=2.1, scale=8.5).cdf)
    assert res.pvalue > 0.01


def test_weibull_marginal_ks_autocorrelated_thinned() -> None:
    # With phi = 0.9 the series is strongly autocorrelated; keeping every 60th value
    # leaves a lag correlation of 0.9**60 ≈ 0.002, close enough to i.i.d. for KS.
    params = WeibullAR1Params(k=1.8, c_ms=7.0, phi=0.9)
    common, farms = _gens(12, 1)
    v = simulate_wind_speed(
        params, common=common, farms=farms, n_steps=240_000, step_hours=0.25, rho=0.0
    )
    res = stats.kstest(v[::60, 0], stats.weibull_min(c=1.8, scale=7.0).cdf)
    assert res.pvalue > 0.01


def test_mean_speed_matches_weibull_mean() -> None:
    params = WeibullAR1Params(k=2.0, c_ms=8.0, phi=0.5)
    common, farms = _gens(13, 2)
    v = simulate_wind_speed(
        params, common=common, farms=farms, n_steps=100_000, step_hours=0.25, rho=0.3
    )
    # sd of one speed ≈ 3.7 m/s; with phi=0.5 the variance of the mean inflates by
    # (1+phi)/(1-phi)=3, so sd(mean) ≈ 3.7*sqrt(3/2e5) ≈ 0.015 m/s; allow 0.1 m/s.
    assert abs(v.mean() - params.mean_speed_ms()) < 0.1


def test_lag1_autocorrelation_matches_phi() -> None:
    phi = 0.9
    common, farms = _gens(21, 1)
    z = simulate_latent_gaussian(phi, common=common, farms=farms, n_steps=200_000, rho=0.0)[:, 0]
    r1 = np.corrcoef(z[:-1], z[1:])[0, 1]
    # sd of the lag-1 sample autocorrelation ≈ sqrt((1 - phi²)/n) ≈ 0.001; allow 0.005.
    assert abs(r1 - phi) < 0.005
    # Stationary start: unit variance and zero mean overall. sd(var) ≈ sqrt(2(1+φ²)/(1-φ²)/n)
    # ≈ 0.01; sd(mean) ≈ sqrt((1+φ)/(1-φ)/n) ≈ 0.01: allow 0.05.
    assert abs(z.var() - 1.0) < 0.05
    assert abs(z.mean()) < 0.05


def test_phi_rescales_with_step_length() -> None:
    params = WeibullAR1Params(k=2.0, c_ms=8.0, phi=0.97, phi_step_hours=0.25)
    assert params.phi_for(0.25) == pytest.approx(0.97)
    assert params.phi_for(1.0) == pytest.approx(0.97**4)
    from_tc = WeibullAR1Params.from_correlation_time(
        k=2.0, c_ms=8.0, correlation_time_h=params.correlation_time_h
    )
    assert from_tc.phi_for(0.25) == pytest.approx(0.97)


def test_cross_farm_correlation_matches_rho() -> None:
    rho = 0.6
    common, farms = _gens(31, 3)
    z = simulate_latent_gaussian(0.9, common=common, farms=farms, n_steps=200_000, rho=rho)
    c = np.corrcoef(z.T)
    # sd of a sample correlation between two AR(1) series with phi=0.9:
    # sqrt((1-rho²)² (1+phi²)/(1-phi²) / n) ≈ 0.0045; allow 0.025 (> 5 sd).
    for i in range(3):
        for j in range(i + 1, 3):
            assert abs(c[i, j] - rho) < 0.025


def test_rho_extremes() -> None:
    common, farms = _gens(32, 2)
    z = simulate_latent_gaussian(0.5, common=common, farms=farms, n_steps=100, rho=1.0)
    np.testing.assert_allclose(z[:, 0], z[:, 1])


def test_adding_a_farm_leaves_existing_farms_identical() -> None:
    params = WeibullAR1Params(k=2.0, c_ms=8.0, phi=0.95, diurnal_amplitude=0.2)
    common2, farms2 = _gens(41, 2)
    common3, farms3 = _gens(41, 3)
    v2 = simulate_wind_speed(
        params, common=common2, farms=farms2, n_steps=500, step_hours=0.25, rho=0.5
    )
    v3 = simulate_wind_speed(
        params, common=common3, farms=farms3, n_steps=500, step_hours=0.25, rho=0.5
    )
    np.testing.assert_array_equal(v2, v3[:, :2])


def test_longer_run_extends_shorter_run() -> None:
    params = WeibullAR1Params(k=2.0, c_ms=8.0, phi=0.95)
    common_a, farms_a = _gens(5, 2)
    common_b, farms_b = _gens(5, 2)
    a = simulate_wind_speed(
        params, common=common_a, farms=farms_a, n_steps=100, step_hours=0.25, rho=0.3
    )
    b = simulate_wind_speed(
        params, common=common_b, farms=farms_b, n_steps=300, step_hours=0.25, rho=0.3
    )
    # lfilter vs. the same recursion on a longer input: identical up to rounding.
    np.testing.assert_allclose(a, b[:100], rtol=1e-12)


def test_diurnal_modulation_peaks_at_configured_hour() -> None:
    params = WeibullAR1Params(
        k=2.0, c_ms=8.0, phi=0.0, diurnal_amplitude=0.3, diurnal_peak_hour=15.0
    )
    common, farms = _gens(51, 4)
    n_days = 400
    v = simulate_wind_speed(
        params, common=common, farms=farms, n_steps=24 * n_days, step_hours=1.0, rho=0.0
    )
    hourly = v.reshape(n_days, 24, 4).mean(axis=(0, 2))
    # Mean at hour h is mean_speed*(1 + 0.3 cos(...)): 11.9 m/s at 15h vs 5.3 at 3h, with
    # sd(hourly mean) ≈ 3.7/sqrt(1600) ≈ 0.1: the argmax is within one hour of the peak.
    assert abs(int(np.argmax(hourly)) + 0.5 - 15.0) <= 1.5
    assert hourly.max() > 1.8 * hourly.min()


def test_empty_and_single_step() -> None:
    params = WeibullAR1Params(k=2.0, c_ms=8.0, phi=0.9)
    common, farms = _gens(1, 2)
    assert simulate_wind_speed(
        params, common=common, farms=farms, n_steps=0, step_hours=0.25, rho=0.1
    ).shape == (0, 2)
    assert simulate_wind_speed(
        params, common=common, farms=[], n_steps=4, step_hours=0.25, rho=0.1
    ).shape == (4, 0)
    assert simulate_wind_speed(
        params, common=common, farms=farms, n_steps=1, step_hours=0.25, rho=0.1
    ).shape == (1, 2)


def test_power_curve_edges() -> None:
    pc = PowerCurve(cut_in_ms=3.0, rated_ms=12.0, cut_out_ms=25.0)
    v = np.array([0.0, 2.999, 3.0, 7.5, 12.0, 20.0, 25.0, 25.001, 40.0])
    f = pc.fraction(v)
    expected_mid = (7.5**3 - 27.0) / (12.0**3 - 27.0)
    np.testing.assert_allclose(f, [0, 0, 0, expected_mid, 1, 1, 1, 0, 0])
    ramp = pc.fraction(np.linspace(3.0, 12.0, 50))
    assert np.all(np.diff(ramp) > 0)
    assert np.all(
        (pc.fraction(np.linspace(0, 50, 1001)) >= 0) & (pc.fraction(np.linspace(0, 50, 1001)) <= 1)
    )


def test_power_curve_energy() -> None:
    pc = PowerCurve()
    e = pc.energy_kwh(np.array([[15.0, 0.0], [12.0, 30.0]]), np.array([2000.0, 1000.0]), 0.25)
    np.testing.assert_allclose(e, [[500.0, 0.0], [500.0, 0.0]])


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"k": -1.0, "c_ms": 8.0, "phi": 0.5}, "k"),
        ({"k": 2.0, "c_ms": 0.0, "phi": 0.5}, "c_ms"),
        ({"k": 2.0, "c_ms": 8.0, "phi": 1.0}, "phi"),
        ({"k": 2.0, "c_ms": 8.0, "phi": 0.5, "phi_step_hours": 0.0}, "phi_step_hours"),
        ({"k": 2.0, "c_ms": 8.0, "phi": 0.5, "diurnal_amplitude": 1.0}, "diurnal_amplitude"),
        ({"k": 2.0, "c_ms": 8.0, "phi": 0.5, "diurnal_peak_hour": 25.0}, "diurnal_peak_hour"),
        ({"k": math.nan, "c_ms": 8.0, "phi": 0.5}, "k"),
    ],
)
def test_params_validate(kwargs: dict[str, float], field: str) -> None:
    with pytest.raises(ValueError, match=f"^{field} "):
        WeibullAR1Params(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"cut_in_ms": -1.0}, "cut_in_ms"),
        ({"cut_in_ms": 5.0, "rated_ms": 5.0}, "rated_ms"),
        ({"rated_ms": 12.0, "cut_out_ms": 11.0}, "cut_out_ms"),
    ],
)
def test_power_curve_validates(kwargs: dict[str, float], field: str) -> None:
    with pytest.raises(ValueError, match=f"^{field} "):
        PowerCurve(**kwargs)


def test_run_arguments_validate() -> None:
    params = WeibullAR1Params(k=2.0, c_ms=8.0, phi=0.9)
    common, farms = _gens(1, 1)
    with pytest.raises(ValueError, match=r"^rho "):
        simulate_wind_speed(params, common=common, farms=farms, n_steps=3, step_hours=0.25, rho=1.5)
    with pytest.raises(ValueError, match=r"^n_steps "):
        simulate_wind_speed(
            params, common=common, farms=farms, n_steps=-3, step_hours=0.25, rho=0.5
        )
    with pytest.raises(ValueError, match=r"^step_hours "):
        simulate_wind_speed(params, common=common, farms=farms, n_steps=3, step_hours=0.0, rho=0.5)
