"""Real data through the config: load=bdew, wind=weather, weather=try2010, calendar.start."""

import datetime as dt
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from rex_cli.cli.main import app
from rex_cli.config.load import ConfigError, load_config
from rex_cli.plants import builders
from rex_cli.scenario.build import (
    build_plants,
    household_energy_kwh,
    preflight,
    seed_tree,
    unit_weather,
    wind_speed_ms,
)
from rex_cli.stochastic import bdew, weather
from rex_cli.stochastic.load import HouseholdLoadParams, simulate_household_load

runner = CliRunner()


def test_bdew_households_follow_the_profile_and_their_draws():
    cfg, _ = load_config(
        ["load=bdew", "population.households.noise_sd=0", "calendar.start=2025-07-14"]
    )
    e = household_energy_kwh(cfg, seed_tree(cfg))
    shape = bdew.slp_energy_kwh(
        bdew.SlpProfile.h25, start=dt.date(2025, 7, 14), n_units=cfg.n_units, unit_minutes=15.0
    )
    # without noise each household is its annual consumption times the profile
    annual = e.sum(axis=1) / shape.sum()
    assert np.allclose(e, annual[:, None] * shape)
    tree = seed_tree(cfg)
    first = bdew.draw_annual_kwh(tree.generator("load", 0), mean_kwh=3000.0, sigma=0.3)
    assert np.isclose(annual[0], first)


def test_wind_from_weather_reaches_hub_height_by_the_log_law():
    cfg, _ = load_config(["wind=weather", "weather.region=1", "wind.hub_height_m=100"])
    speed = wind_speed_ms(cfg, seed_tree(cfg))
    ten_m = unit_weather(cfg, cfg.n_units).wind_ms
    assert np.allclose(speed, np.log(1000) / np.log(100) * ten_m)  # z0 = 0.1 m
    assert speed.shape == (cfg.population.wind_farms.count, cfg.n_units)


def test_heat_pumps_see_the_weather_when_asked_and_the_profile_by_default():
    cfg, _ = load_config(["weather=try2010"])
    hp = build_plants(cfg)[0][2]
    w = unit_weather(cfg)
    assert np.allclose(hp.exogenous[:, 0], w.temperature_c)
    assert hp.exogenous[:, 0].mean() < 3.0  # mid-January in Potsdam
    night = hp.exogenous[:16, 1]
    assert (night == 0).all() and hp.exogenous[:, 1].max() > 0
    default, _ = load_config([])
    fixed = builders.ambient_temperature_profile(0, 112, unit_minutes=15.0, mean_c=5.0)
    assert np.array_equal(build_plants(default)[0][2].exogenous[:, 0], fixed)


def test_calendar_start_sets_the_synthetic_weekday():
    cfg, _ = load_config(["calendar.start=2025-01-18"])  # a Saturday
    e = household_energy_kwh(cfg, seed_tree(cfg))
    h = cfg.population.households
    rng = seed_tree(cfg).generator("load", 0)
    scale = math.exp(h.scale_sd * float(rng.standard_normal()))
    params = HouseholdLoadParams(
        base_kw=h.base_kw, morning_peak_kw=h.morning_peak_kw,
        evening_peak_kw=h.evening_peak_kw, noise_sd=h.noise_sd,
    )  # fmt: skip
    ref = simulate_household_load(
        params, rng, n_steps=96, step_hours=0.25, scale=scale, start_weekday=5
    )
    assert np.array_equal(e[0], ref)


def test_bad_calendar_and_region_name_the_key():
    with pytest.raises(ConfigError, match=r"^calendar\.start must be an ISO date"):
        load_config(["calendar.start=13.01.2025"])
    with pytest.raises(ConfigError, match=r"^weather\.region must be an integer in 1\.\.15"):
        load_config(["weather.region=16"])


def test_missing_demandlib_is_a_one_line_error(monkeypatch, tmp_path):
    from rex_cli.stochastic import demandlib_files

    monkeypatch.setattr(demandlib_files, "find_spec", lambda name: None)
    weather.read_try2010.cache_clear()
    bdew.read_slp.cache_clear()
    bdew._year_total_kwh.cache_clear()
    try:
        cfg, _ = load_config(["load=bdew"])
        with pytest.raises(ConfigError, match=r"^load\.model: .*pip install 'demandlib"):
            preflight(cfg)
        out = tmp_path / "run"
        result = runner.invoke(app, ["run", "weather=try2010", "--out", str(out)])
        assert result.exit_code == 2
        assert result.stderr.startswith("error: weather.model: the real-data inputs")
        assert len(result.stderr.strip().splitlines()) == 1 and not out.exists()
    finally:
        weather.read_try2010.cache_clear()
        bdew.read_slp.cache_clear()
        bdew._year_total_kwh.cache_clear()


@pytest.mark.parametrize("start", ["2025-01-13", "2025-07-14"])
def test_a_run_on_real_data_completes(tmp_path, start):
    out = tmp_path / "run"
    args = ["run", "debug=tiny", "weather=try2010", "wind=weather", "load=bdew",
            f"calendar.start={start}", "output.figures=false", "--out", str(out)]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (out / "summary.json").is_file()


def test_pv_forecasts_by_ctba_mmfe_stay_dark_at_night_and_end_at_the_realisation():
    from rex_cli.scenario.build import pv_forecast_params, pv_params
    from rex_cli.stochastic.forecast import simulate_forecasts
    from rex_cli.stochastic.pv import pv_energy_kwh, pv_max_energy_kwh

    cfg, _ = load_config(["calendar.start=2025-07-14"])
    w = unit_weather(cfg, cfg.n_units)
    p = pv_params(cfg)
    lot = cfg.market.lot_kwh
    realised = -np.rint(pv_energy_kwh(p, w) / lot).astype(np.int64)
    low = -np.ceil(pv_max_energy_kwh(p, w) / lot)
    tree = seed_tree(cfg)
    paths = simulate_forecasts(
        [pv_forecast_params(cfg)] * 3, [tree.generator("forecast", "pv", i) for i in range(3)],
        np.tile(realised, (3, 1)), unit_minutes=15.0, horizon_units=cfg.market.horizon_units,
        x_min_lots=np.tile(low, (3, 1)), x_max_lots=0.0,
    )  # fmt: skip
    assert np.array_equal(paths.final_matrix(), np.tile(realised, (3, 1)))
    lows = low[paths.target_unit]
    assert (paths.forecast_lots >= lows).all() and (paths.forecast_lots <= 0).all()
    dark = low == 0
    assert dark.sum() > 20
    assert (paths.forecast_lots[dark[paths.target_unit]] == 0).all()
    # the forecasts did err on lit units: not all initial forecasts equal the realisation
    init = paths.initial_matrix()
    assert (init[:, ~dark] != realised[~dark]).any()
