"""Bad input never gives a traceback or a folder marked complete; killed runs stay incomplete.

Fuzzed config values and keys: ``tests/unit/config/test_validation_fuzz.py``.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rex_cli.cli.main import app
from rex_cli.config.load import ConfigError, load_config
from rex_cli.sweep import slurm_script

runner = CliRunner()


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
    with pytest.raises(ConfigError, match="timeout_min"):
        slurm_script(["hydra.launcher.timeout_min=abc"], Path(tmp_path))
