"""Measured series as inputs: wind=csv and load=csv, and their errors."""

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from rex_cli.cli.main import app
from rex_cli.config.load import ConfigError, load_config
from rex_cli.scenario.build import (
    household_energy_kwh,
    preflight,
    seed_tree,
    unit_weather,
    wind_speed_ms,
)

runner = CliRunner()


def test_wind_csv_is_resampled_to_units_and_shared_by_farms():
    cfg, _ = load_config(["wind=csv", "duration_hours=6"])
    speed = wind_speed_ms(cfg, seed_tree(cfg))
    cfg_path = _shipped("wind_speed.csv")
    series = pd.read_csv(cfg_path)["speed_ms"].to_numpy()
    # 10-minute samples, 15-minute units: unit j averages the samples stamped inside it.
    t = np.arange(len(series)) * 10.0
    expected = [series[(t >= 15 * j) & (t < 15 * (j + 1))].mean() for j in range(cfg.n_units)]
    assert speed.shape == (cfg.population.wind_farms.count, cfg.n_units)
    assert np.allclose(speed[0], expected) and np.allclose(speed[1], speed[0])
    assert cfg_path.is_file()


def test_load_csv_scales_the_series_per_household():
    cfg, _ = load_config(["load=csv", "duration_hours=6"])
    e = household_energy_kwh(cfg, seed_tree(cfg))
    ratios = e / e[0]
    assert np.allclose(ratios, ratios[:, :1])  # each household is a multiple of the series
    assert e.shape == (cfg.population.households.count, cfg.n_units) and (e > 0).all()


def _shipped(name):
    from rex_cli.config.load import config_dir

    return config_dir().parent / "data" / "examples" / name


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("time,wrong\n0,1\n10,2\n", "speed_ms"),
        ("time,speed_ms\n0,1\n10,2\n100,3\n", "gap of 90 min .* missing data"),
    ],
)
def test_bad_csv_is_refused_before_any_folder(tmp_path, content, needle):
    bad = tmp_path / "bad.csv"
    bad.write_text(content)
    cfg, _ = load_config(["wind=csv", f"wind.path={bad}", "duration_hours=1"])
    with pytest.raises(ConfigError, match=needle):
        preflight(cfg)
    out = tmp_path / "run"
    result = runner.invoke(app, ["run", "wind=csv", f"wind.path={bad}", "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: wind.path")
    assert not out.exists()


def test_missing_file_names_the_key(tmp_path):
    cfg, _ = load_config(["load=csv", f"load.path={tmp_path / 'nope.csv'}"])
    with pytest.raises(ConfigError, match=r"^load\.path"):
        preflight(cfg)


def test_hourly_wind_csv_is_interpolated_not_refused(tmp_path):
    hourly = tmp_path / "hourly.csv"
    speeds = [4.0, 8.0, 6.0, 10.0, 2.0, 5.0, 7.0, 9.0]
    hourly.write_text(
        "time,speed_ms\n" + "".join(f"2025-01-13T{h:02d}:00,{v}\n" for h, v in enumerate(speeds))
    )
    cfg, _ = load_config(["wind=csv", f"wind.path={hourly}", "duration_hours=6"])
    preflight(cfg)
    speed = wind_speed_ms(cfg, seed_tree(cfg))
    # unit j: the mean of the linear interpolant over [15 j, 15 j + 15) minutes
    t = np.arange(len(speeds)) * 60.0
    fine = np.linspace(0, 360, 360 * 60, endpoint=False) + 0.5 / 60
    expected = np.interp(fine, t, speeds).reshape(24, -1).mean(axis=1)
    assert np.allclose(speed[0], expected, atol=1e-6)


def test_weather_csv_matches_the_try2010_it_was_cut_from():
    # The shipped example is TRY2010 region 4 from 14 July, hourly (CET, +01:00).
    tr, _ = load_config(["weather=try2010", "calendar.start=2025-07-14", "duration_hours=24"])
    cs, _ = load_config(["weather=csv", "calendar.start=2025-07-14", "duration_hours=24"])
    a, b = unit_weather(tr, 96), unit_weather(cs, 96)
    assert a.start == b.start
    # interior units (the CSV has no neighbours beyond its first and last hour)
    for name in ("temperature_c", "wind_ms", "direct_w_m2", "diffuse_w_m2"):
        assert np.allclose(getattr(a, name)[4:-4], getattr(b, name)[4:-4]), name
