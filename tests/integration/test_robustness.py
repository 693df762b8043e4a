"""Bad input never gives a traceback or a folder marked complete; killed runs stay incomplete."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rex_cli.cli.main import app
from rex_cli.config.load import ConfigError, load_config
from rex_cli.sweep import slurm_script

runner = CliRunner()

KEYS = [
    "seed",
    "duration_hours",
    "market.tick",
    "market.lot_kwh",
    "market.horizon_units",
    "market.unit_minutes",
    "market.max_price",
    "market.opening_window_minutes",
    "imbalance.cap",
    "imbalance.long_discount",
    "population.households.count",
    "population.wind_farms.count",
    "population.wind_farms.capacity_kw",
    "population.heat_pumps.count",
    "population.coordinator.arrival_rate_per_hour",
    "population.rhpo.quote_kwh",
    "plant.battery.soc_min_kwh",
    "plant.battery.efficiency",
    "plant.heat_pump_building.t_max_c",
    "plant.gas_turbine.min_kw",
    "wind.rho",
    "wind.k",
    "forecast.step_lots",
    "forecast.wind.sigma0_kwh",
    "weights.q",
    "output.sample_units",
    "replications",
]
BAD_VALUES = st.one_of(
    st.integers(min_value=-(10**6), max_value=0).map(str),
    st.floats(max_value=0.0, allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["abc", "", "[1,2]", "{a: 1}", "null", "nan", "inf", "-inf", "1e999", "true"]),
)
UNKNOWN = st.from_regex(r"[a-z]{1,8}(\.[a-z]{1,8}){0,2}", fullmatch=True)


def _check_one_line(exc: ConfigError) -> str:
    msg = str(exc)
    assert "\n" not in msg and msg
    return msg


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=st.sampled_from(KEYS), value=BAD_VALUES)
def test_fuzzed_values_fail_cleanly_naming_the_key(key, value):
    try:
        load_config([f"{key}={value}"])
    except ConfigError as exc:  # the only exception allowed
        msg = _check_one_line(exc)
        assert key.split(".")[-1] in msg or key in msg, msg


@settings(max_examples=80, deadline=None)
@given(key=UNKNOWN, value=st.integers(-5, 5))
def test_fuzzed_unknown_keys_fail_cleanly(key, value):
    try:
        load_config([f"{key}={value}"])
    except ConfigError as exc:
        msg = _check_one_line(exc)
        assert key.split(".")[0] in msg, msg


def test_empty_population_is_refused():
    with pytest.raises(ConfigError, match="must be >= 2"):
        load_config(
            [
                f"population.{g}.count=0"
                for g in ("households", "wind_farms", "heat_pumps", "batteries", "gas_turbines")
            ]
        )


@pytest.mark.parametrize(
    "args",
    [
        ["run", "market.tick=abc"],
        ["run", "population.households.count=-3"],
        ["run", "nonsense.key=1"],
        ["run", "plant.battery.soc_init_kwh=50"],
        ["run", "market.tick=="],
        ["sweep", "market.tick=0.001,-1"],
        ["sweep", "debug=tiny", "hydra/launcher=nope"],
        ["sweep", "no_such_study"],
        ["report", "/nonexistent/folder"],
        ["verify", "/nonexistent/folder"],
    ],
)
def test_cli_bad_input_is_one_line_without_traceback(tmp_path, args):
    out = tmp_path / "out"
    extra = ["--out", str(out)] if args[0] in ("run", "sweep") else []
    result = runner.invoke(app, [*args, *extra])
    assert result.exit_code == 2, result.output
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    assert "Traceback" not in result.output
    assert not (out / "meta.json").exists() and not any(out.glob("job_*"))


def test_a_run_killed_part_way_stays_marked_incomplete(tmp_path):
    out = tmp_path / "killed"
    proc = subprocess.Popen(
        [sys.executable, "-m", "rex_cli.cli", "run", "--no-progress", "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while not (out / "meta.json").exists() and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    meta = json.loads((out / "meta.json").read_text())
    assert meta["status"] == "running"  # never "complete"
    assert not (out / "digest.txt").exists()
    result = runner.invoke(app, ["report", str(out)])
    assert result.exit_code == 2 and "not 'complete'" in result.stderr


def test_slurm_job_is_built_from_validated_launcher_config(tmp_path):
    text = slurm_script(
        [
            "hydra.launcher.partition=short",
            "hydra.launcher.timeout_min=30",
            "hydra.launcher.mem_gb=4",
        ],
        Path(tmp_path),
    )
    assert "#SBATCH --partition=short" in text
    assert "#SBATCH --time=30" in text
    assert "#SBATCH --mem=4GB" in text
    with pytest.raises(Exception, match="timeout_min"):
        slurm_script(["hydra.launcher.timeout_min=abc"], Path(tmp_path))
