"""Tests of the household load model (rex_cli.stochastic.load)."""

from __future__ import annotations

import numpy as np
import pytest

from rex_cli.sim.rng import SeedTree
from rex_cli.stochastic.load import (
    HouseholdLoadParams,
    daily_profile_kw,
    draw_household_scales,
    simulate_household_load,
    simulate_household_loads,
)

PARAMS = HouseholdLoadParams()


def test_peaks_where_configured() -> None:
    hours = np.linspace(0.0, 24.0, 24 * 60, endpoint=False)  # one-minute grid
    weekday = daily_profile_kw(PARAMS, hours, False)
    morning = (hours > 3) & (hours < 12)
    evening = (hours > 14) & (hours < 23)
    # The other bump's tail at the peak is below 1e-6 kW: the argmax is on the grid point.
    assert hours[morning][np.argmax(weekday[morning])] == pytest.approx(7.5, abs=1 / 60)
    assert hours[evening][np.argmax(weekday[evening])] == pytest.approx(19.0, abs=1 / 60)
    assert weekday.max() == pytest.approx(PARAMS.base_kw + PARAMS.evening_peak_kw, rel=1e-6)
    weekend = daily_profile_kw(PARAMS, hours, True)
    assert hours[morning][np.argmax(weekend[morning])] == pytest.approx(9.0, abs=1 / 60)


def test_weekend_differs_from_weekday() -> None:
    hours = np.arange(0.0, 24.0, 0.25)
    wd = daily_profile_kw(PARAMS, hours, False)
    we = daily_profile_kw(PARAMS, hours, True)
    assert not np.allclose(wd, we)
    # At 3 a.m. the load is the base up to bump tails of ~1e-4 relative (the morning peak
    # moves on weekends), so the ratio is the weekend factor within 1e-3.
    assert we[12] == pytest.approx(PARAMS.weekend_factor * wd[12], rel=1e-3)


def test_simulated_week_uses_weekend_profile_on_saturday_and_sunday() -> None:
    p = HouseholdLoadParams(noise_sd=0.0)
    e = simulate_household_load(
        p, SeedTree(1).generator("load", 0), n_steps=7 * 96, step_hours=0.25, start_weekday=0
    )
    days = e.reshape(7, 96)
    np.testing.assert_allclose(days[0], days[4])  # Monday == Friday
    np.testing.assert_allclose(days[5], days[6])  # Saturday == Sunday
    assert not np.allclose(days[0], days[5])
    # Starting on a Saturday shifts the pattern by five days.
    e_sat = simulate_household_load(
        p, SeedTree(1).generator("load", 0), n_steps=96, step_hours=0.25, start_weekday=5
    )
    np.testing.assert_allclose(e_sat, days[5])


def test_non_negative_and_shape() -> None:
    p = HouseholdLoadParams(noise_sd=1.5, base_kw=0.0)
    e = simulate_household_load(
        p, SeedTree(2).generator("load", 0), n_steps=10_000, step_hours=0.25, scale=2.0
    )
    assert e.shape == (10_000,)
    assert np.all(e >= 0)


def test_mean_matches_profile() -> None:
    n_days = 2000
    rng = SeedTree(3).generator("load", 0)
    # Start on Monday, keep only weekdays via the calendar: compare per slot of day.
    e = simulate_household_load(PARAMS, rng, n_steps=n_days * 96, step_hours=0.25, scale=1.7)
    days = e.reshape(n_days, 96)
    weekday = (np.arange(n_days) % 7) < 5
    hours = (np.arange(96) + 0.5) * 0.25
    expected = 1.7 * 0.25 * daily_profile_kw(PARAMS, hours, False)
    ratio = days[weekday].mean(axis=0) / expected
    # Noise factor: mean 1, sd ≈ 0.25; days are ~independent at a fixed slot (correlation
    # time 0.5 h), so sd(ratio) ≈ 0.25/sqrt(1429) ≈ 0.0066 per slot; allow 0.035 (> 5 sd).
    assert np.max(np.abs(ratio - 1.0)) < 0.035
    # Pooled over all weekday steps: sd ≈ 0.25*sqrt((1+φ)/(1-φ)/137k) ≈ 0.0014 with
    # φ = exp(-0.5); allow 0.007.
    assert abs(days[weekday].sum() / (expected.sum() * weekday.sum()) - 1.0) < 0.007


def test_noise_is_autocorrelated_as_configured() -> None:
    p = HouseholdLoadParams(noise_sd=0.3, noise_correlation_h=1.0)
    e = simulate_household_load(
        p, SeedTree(4).generator("load", 0), n_steps=200_000, step_hours=0.25
    )
    hours = np.mod((np.arange(200_000) + 0.5) * 0.25, 24.0)
    weekend = (np.floor((np.arange(200_000) + 0.5) * 0.25 / 24) % 7) >= 5
    logf = np.log(e / (0.25 * daily_profile_kw(p, hours, weekend)))
    r1 = np.corrcoef(logf[:-1], logf[1:])[0, 1]
    # Lag-1 autocorrelation of the log-noise is exp(-0.25/1) ≈ 0.779; sd ≈ 0.0014; allow 0.01.
    assert abs(r1 - np.exp(-0.25)) < 0.01


def test_crn_and_prefix() -> None:
    tree = SeedTree(5)
    a = simulate_household_loads(
        PARAMS,
        [tree.generator("load", i) for i in range(2)],
        scales=[1.0, 2.0],
        n_steps=50,
        step_hours=0.25,
    )
    b = simulate_household_loads(
        PARAMS,
        [tree.generator("load", i) for i in range(3)],
        scales=[1.0, 2.0, 0.5],
        n_steps=80,
        step_hours=0.25,
    )
    np.testing.assert_allclose(a, b[:50, :2], rtol=1e-12)


def test_household_scales() -> None:
    s = draw_household_scales(SeedTree(6).generator("population"), 100_000, mean=1.2, sigma=0.4)
    assert np.all(s > 0)
    # Lognormal sd = 1.2*sqrt(exp(0.16)-1) ≈ 0.50; sd(mean) ≈ 0.0016; allow 0.01.
    assert abs(s.mean() - 1.2) < 0.01
    s3 = draw_household_scales(SeedTree(6).generator("population"), 3, mean=1.2, sigma=0.4)
    np.testing.assert_array_equal(s3, s[:3])


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"base_kw": -0.1}, "base_kw"),
        ({"morning_peak_kw": -1.0}, "morning_peak_kw"),
        ({"evening_hour": 25.0}, "evening_hour"),
        ({"morning_width_h": 0.0}, "morning_width_h"),
        ({"weekend_factor": 0.0}, "weekend_factor"),
        ({"noise_sd": -0.1}, "noise_sd"),
        ({"noise_correlation_h": float("nan")}, "noise_correlation_h"),
    ],
)
def test_params_validate(kwargs: dict[str, float], field: str) -> None:
    with pytest.raises(ValueError, match=f"^{field} "):
        HouseholdLoadParams(**kwargs)


def test_run_arguments_validate() -> None:
    rng = SeedTree(1).generator("load", 0)
    with pytest.raises(ValueError, match=r"^start_weekday "):
        simulate_household_load(PARAMS, rng, n_steps=4, step_hours=0.25, start_weekday=7)
    with pytest.raises(ValueError, match=r"^scale "):
        simulate_household_load(PARAMS, rng, n_steps=4, step_hours=0.25, scale=-1.0)
    with pytest.raises(ValueError, match=r"^n_steps "):
        simulate_household_load(PARAMS, rng, n_steps=-1, step_hours=0.25)
