"""A wheel that runs: built, installed into a fresh virtual environment, run elsewhere.

Users install tools from wheels, not from a clone: the configs, studies, example
series and the lock must ship inside the package. The fresh environment gets the
wheel (no editable install anywhere on its path) and borrows the already installed
dependencies through a path file, so the test needs no network beyond the build.
Stdout of ``rex run`` and ``rex sweep`` is exactly the folder they wrote.
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    # Build from a copy of the sources: setuptools leaves build/ beside what it builds,
    # and a stale build/lib in the checkout would leak into later wheels.
    src = tmp / "src"
    shutil.copytree(ROOT / "rex_cli", src / "rex_cli", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    pip = [sys.executable, "-m", "pip"]
    subprocess.run(
        [*pip, "wheel", "-q", "--no-deps", "-w", str(tmp / "dist"), str(src)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    (wheel,) = (tmp / "dist").glob("rex_cli-*.whl")
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run(
        [*pip, "--python", str(py), "install", "-q", "--no-deps", str(wheel)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    site = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    # The dependencies of this environment, appended after the wheel's own site folder
    # (a plain path: the editable install's .pth files there are not processed).
    Path(site, "_rex_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return env_dir


def _rex(env_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REX_CONFIG_DIR", "PYTHONPATH")}
    return subprocess.run(
        [str(env_dir / "bin" / "rex"), *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def test_the_wheel_runs_a_scenario_and_a_sweep_from_an_unrelated_folder(wheel_env, tmp_path):
    where = subprocess.run(
        [str(wheel_env / "bin" / "python"), "-c", "import rex_cli; print(rex_cli.__file__)"],
        cwd=tmp_path, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert str(wheel_env) in where and str(ROOT) not in where

    # wind=csv and load=csv read the example series shipped inside the package
    args = ["debug=tiny", "duration_hours=2", "wind=csv", "load=csv", "--no-progress"]
    run = _rex(wheel_env, tmp_path, "run", *args)
    assert run.returncode == 0, run.stderr
    (line,) = run.stdout.splitlines()  # exactly one line on stdout: the run folder
    run_dir = tmp_path / line
    meta = json.loads((run_dir / "meta.json").read_text())
    assert meta["status"] == "complete"
    assert "locked" in meta["lock"]
    assert (run_dir / "records" / "trades.parquet").is_file()

    sweep = _rex(wheel_env, tmp_path, "sweep", "debug=tiny", "duration_hours=2", "seed=1,2")
    assert sweep.returncode == 0, sweep.stderr
    (line,) = sweep.stdout.splitlines()
    sweep_dir = tmp_path / line
    assert (sweep_dir / "sweep_summary.csv").is_file()
    assert len(list(sweep_dir.glob("job_*"))) == 2


def test_shipped_studies_and_a_user_config_folder(wheel_env, tmp_path):
    bad = _rex(wheel_env, tmp_path, "sweep", "no_such_study")
    assert bad.returncode == 2
    assert "horizon" in bad.stderr  # the shipped studies are listed

    mine = tmp_path / "myconf"
    exported = _rex(wheel_env, tmp_path, "config", "export", str(mine))
    assert exported.returncode == 0 and exported.stdout.strip() == str(mine)
    text = (mine / "config.yaml").read_text().replace("seed: 1\n", "seed: 42\n")
    (mine / "config.yaml").write_text(text)
    shown = _rex(wheel_env, tmp_path, "--config-dir", str(mine), "config", "show")
    assert shown.returncode == 0 and "seed: 42" in shown.stdout
    missing = _rex(wheel_env, tmp_path, "--config-dir", str(tmp_path), "config", "show")
    assert missing.returncode == 2 and "has no config.yaml" in missing.stderr
