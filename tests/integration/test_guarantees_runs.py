"""What Rex guarantees, checked on real runs: signals, full disks, verify, exit codes.

Real signals are sent to real ``rex`` processes; full disks are small tmpfs mounts
(skipped unless this process may mount, i.e. root).
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from typer.testing import CliRunner

from rex_cli.cli.main import app
from rex_cli.records.rundir import mark_stopped, read_meta, write_json
from rex_cli.scenario.limits import estimate_size

runner = CliRunner()
TINY = ["debug=tiny", "duration_hours=2", "output.figures=false"]


def _one_line_error(result, code):
    assert result.exit_code == code, result.output
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    return err


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "tiny"
    result = runner.invoke(app, ["run", *TINY, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


# ---------------------------------------------------------------- 3. verify


def _copy(run, tmp_path):
    dst = tmp_path / "copy"
    shutil.copytree(run, dst)
    return dst


@pytest.mark.parametrize(
    "table", ["trades", "plants", *[pytest.param(t, marks=pytest.mark.slow) for t in
                                    ("settlement", "quotes", "gate", "depth")]]
)  # fmt: skip
def test_verify_fails_on_a_missing_canonical_table(tiny_run, tmp_path, table):
    run = _copy(tiny_run, tmp_path)
    (run / "records" / f"{table}.parquet").unlink()
    result = runner.invoke(app, ["verify", str(run)])
    assert result.exit_code == 1, result.output
    assert f"table {table}: missing" in result.stderr


def _bump(path, column):
    df = pd.read_parquet(path)
    df.loc[0, column] = df.loc[0, column] + 1
    df.to_parquet(path, index=False)


@pytest.mark.parametrize(
    ("what", "damage"),
    [
        ("table units", lambda r: _bump(r / "records" / "units.parquet", "trades")),
        pytest.param("table agents", lambda r: _bump(r / "records" / "agents.parquet", "net_cost"),
                     marks=pytest.mark.slow),
        ("table welfare", lambda r: _bump(r / "records" / "welfare.parquet", "total")),
        ("summary volume_kwh", lambda r: _edit_summary(r, "volume_kwh", 1e6)),
        pytest.param("summary extra", lambda r: _edit_summary(r, "extra", 1),
                     marks=pytest.mark.slow),
        ("table bogus: not written", lambda r: shutil.copy(r / "records" / "gate.parquet",
                                                           r / "records" / "bogus.parquet")),
    ],
)  # fmt: skip
def test_verify_catches_damage_to_any_deterministic_output(tiny_run, tmp_path, what, damage):
    run = _copy(tiny_run, tmp_path)
    damage(run)
    result = runner.invoke(app, ["verify", str(run)])
    assert result.exit_code == 1, result.output
    assert what in result.stderr


def _edit_summary(run, key, value):
    path = run / "summary.json"
    summary = json.loads(path.read_text())
    summary[key] = value
    path.write_text(json.dumps(summary))


def test_verify_ignores_timing_only(tiny_run, tmp_path):
    run = _copy(tiny_run, tmp_path)
    (run / "timing.json").write_text(json.dumps({"wall_time_s": 1e9}))
    result = runner.invoke(app, ["verify", str(run)])
    assert result.exit_code == 0, result.output
    assert "identical" in result.stdout


def test_the_size_estimate_is_near_the_real_event_count(tiny_run):
    from rex_cli.pipeline import load_run_config

    est = estimate_size(load_run_config(tiny_run)).events
    real = json.loads((tiny_run / "summary.json").read_text())["events_processed"]
    assert 0.5 * real <= est <= 2.0 * real, (est, real)


# ---------------------------------------------------------------- 7. exit codes


@pytest.mark.parametrize("replications", [1, 2])
def test_any_status_but_complete_exits_non_zero(tmp_path, monkeypatch, replications):
    import rex_cli.pipeline as pipeline

    real = pipeline.analyse_run

    def leaky(*args, **kw):  # an energy residual the run would not conserve
        summary = real(*args, **kw)
        summary["energy_residual_kwh"] = 0.5
        return summary

    monkeypatch.setattr(pipeline, "analyse_run", leaky)
    out = tmp_path / "r"
    ov = [*TINY, "duration_hours=1", f"replications={replications}"]
    err = _one_line_error(runner.invoke(app, ["run", *ov, "--out", str(out)]), code=1)
    assert "run failed" in err and "energy_residual_kwh=0.5" in err
    assert read_meta(out)["status"] == "failed"


# ---------------------------------------------------------------- 12. replications


@pytest.mark.slow
def test_verify_and_report_a_replications_folder(tmp_path):
    out = tmp_path / "reps"
    ok = runner.invoke(app, ["run", *TINY, "duration_hours=1", "replications=2", "--out", str(out)])
    assert ok.exit_code == 0, ok.output
    result = runner.invoke(app, ["verify", str(out)])
    assert result.exit_code == 0, result.output
    assert "in 2 runs" in result.stdout
    before = (out / "replications.csv").read_text()
    result = runner.invoke(app, ["report", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "rep_001" / "report.md").is_file()
    assert (out / "replications.csv").read_text() == before
    (out / "rep_001" / "records" / "realisations.parquet").unlink()
    err = _one_line_error(runner.invoke(app, ["report", str(out)]), code=2)
    assert "missing records realisations" in err
    result = runner.invoke(app, ["verify", str(out)])
    assert result.exit_code == 1 and "rep_001: table realisations: missing" in result.stderr


# ---------------------------------------------------------------- 1, 3. sweeps


def test_a_sweep_with_values_in_scientific_notation_keeps_every_job(tmp_path):
    out = tmp_path / "sw"
    args = ["sweep", *TINY, "duration_hours=1", "market.tick=0.001,0.00005",
            "hydra/launcher=basic", "--out", str(out)]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    jobs = pd.read_parquet(out / "sweep_jobs.parquet")
    assert sorted(jobs["market.tick"]) == [0.00005, 0.001]
    assert "wall_time_s" not in jobs.columns
    assert json.loads((out / "sweep.json").read_text())["status"] == "complete"
    summary = (out / "sweep_summary.csv").read_bytes()
    report = runner.invoke(app, ["report", str(out)])
    assert report.exit_code == 0 and "2/2 jobs complete" in report.stderr
    assert (out / "sweep_summary.csv").read_bytes() == summary  # re-aggregation is stable


# ---------------------------------------------------------------- 2, 5. real signals


def _start(args, cwd):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "rex_cli.cli", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,  # a signal to the group reaches launcher workers too
    )


def _wait_running(path, proc, timeout=90.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if path.is_file() and proc.poll() is None:
            try:
                meta = json.loads(path.read_text())
            except ValueError:
                meta = {}
            if meta.get("status") == "running" and "started" in meta:
                return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    pytest.fail(f"{path} never showed a running run")


# A few seconds of simulation in which to deliver the signal.
SLOW = ["debug=tiny", "market.lot_kwh=0.004", "--no-progress"]


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_stops_a_run_within_a_second_marked_interrupted(tmp_path, sig, code):
    out = tmp_path / "run"
    proc = _start(["run", *SLOW, "--out", str(out)], tmp_path)
    _wait_running(out / "meta.json", proc)
    time.sleep(0.5)
    t0 = time.monotonic()
    os.killpg(proc.pid, sig)
    _, err = proc.communicate(timeout=30)
    elapsed = time.monotonic() - t0
    assert proc.returncode == code, err
    lines = [x for x in err.splitlines() if x.startswith("error")]
    assert lines == ["error: interrupted" + (" (SIGTERM)" if sig == signal.SIGTERM else "")]
    assert "Traceback" not in err
    meta = json.loads((out / "meta.json").read_text())
    assert meta["status"] == "interrupted"
    assert not list(out.rglob("*.tmp"))
    assert elapsed < 1.0, f"took {elapsed:.2f} s"


@pytest.mark.slow
def test_sigterm_stops_a_sweep_and_every_job_reads_interrupted(tmp_path):
    out = tmp_path / "sw"
    proc = _start(["sweep", *SLOW[:-1], "seed=1,2", "-j", "2", "--out", str(out)], tmp_path)
    deadline = time.time() + 120
    while not list(out.glob("job_*/meta.json")) and time.time() < deadline:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    _wait_running(next(out.glob("job_*/meta.json")), proc)
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert [x for x in err.splitlines() if x.startswith("error")] == [
        "error: interrupted (SIGTERM)"
    ]
    info = json.loads((out / "sweep.json").read_text())
    assert info["status"] == "interrupted"
    jobs = pd.read_csv(out / "sweep_jobs.csv")
    assert len(jobs) >= 1 and set(jobs["status"]) <= {"interrupted", "complete"}
    for job in out.glob("job_*"):
        assert read_meta(job)["status"] in ("interrupted", "complete")


# ---------------------------------------------------------------- 11. full disks


@pytest.fixture
def small_disk(tmp_path):
    """A real, tiny file system (tmpfs); yields a function that mounts one of a size."""
    mounts = []

    def mount(size):
        where = tmp_path / f"disk{len(mounts)}"
        where.mkdir()
        res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                             capture_output=True)  # fmt: skip
        if res.returncode:
            pytest.skip("cannot mount a small file system here (needs root)")
        mounts.append(where)
        return where

    if not shutil.which("mount") or os.geteuid() != 0:
        pytest.skip("cannot mount a small file system here (needs root)")
    yield mount
    for where in mounts:
        subprocess.run(["umount", str(where)], check=False)


@pytest.mark.parametrize("size", ["96k", "400k", pytest.param("800k", marks=pytest.mark.slow)])
def test_a_full_disk_never_leaves_a_run_looking_alive_or_complete(small_disk, size):
    disk = small_disk(size)
    out = disk / "run"
    result = runner.invoke(app, ["run", "debug=tiny", "duration_hours=2", "--out", str(out)])
    if result.exit_code == 0:
        pytest.skip(f"{size} was enough for the run")
    err = _one_line_error(result, code=result.exit_code)
    assert (result.exit_code in (1, 2) and "No space left" in err) or "cannot create" in err, err
    if out.exists():
        status = read_meta(out).get("status")
        assert status in ("failed", None), status  # never running, never complete
        assert not list(out.rglob("*.tmp"))
        assert not (out / "digest.txt").exists()


def test_a_stopped_run_is_marked_even_when_the_disk_is_full(small_disk):
    disk = small_disk("64k")
    run = disk / "run"
    run.mkdir()
    meta = {"status": "running", "versions": {f"pkg{i}": "1.0.0" for i in range(40)}}
    write_json(run / "meta.json", meta)
    with pytest.raises(OSError), (disk / "filler").open("wb") as f:  # fill every block
        while True:
            f.write(b"\0" * 4096)
            f.flush()
    with pytest.raises(OSError):
        write_json(run / "other.json", {"x": 1})
    assert not list(disk.rglob("*.tmp"))
    meta.update(status="failed", reason="OSError: no space")
    assert mark_stopped(run / "meta.json", meta)
    assert read_meta(run)["status"] == "failed"
    assert not list(disk.rglob("*.tmp"))
