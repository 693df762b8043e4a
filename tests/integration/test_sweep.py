"""Sweeps through Hydra's multirun: grid, aggregation, failures, resume, launchers."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from rex_cli.cli.main import app
from rex_cli.config.load import ConfigError
from rex_cli.sweep import aggregate, expand_grid, load_study, run_sweep

runner = CliRunner()
BASE = ["debug=tiny", "duration_hours=2"]


def test_grid_expansion_follows_hydra():
    jobs = expand_grid(["a=1", "b=x,y", "seed=1,2,3"])
    assert len(jobs) == 6
    assert jobs[0] == ["a=1", "b=x", "seed=1"] and jobs[-1] == ["a=1", "b=y", "seed=3"]


def test_cli_sweep_runs_every_point_and_aggregates_over_seeds(tmp_path):
    out = tmp_path / "sw"
    result = runner.invoke(
        app, ["sweep", *BASE, "market.horizon_units=4,8", "seed=1,2", "--out", str(out), "-j", "2"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1] == str(out)
    jobs = pd.read_csv(out / "sweep_jobs.csv")
    assert len(jobs) == 4 and (jobs["status"] == "complete").all()
    summary = pd.read_csv(out / "sweep_summary.csv")
    vol = summary[summary["metric"] == "volume_kwh"].set_index("market.horizon_units")
    assert list(vol.index) == [4, 8] and (vol["n"] == 2).all()
    for k in (4, 8):
        mine = jobs.loc[jobs["market.horizon_units"] == k, "volume_kwh"]
        assert vol.loc[k, "mean"] == pytest.approx(mine.mean())
        assert vol.loc[k, "ci_low"] <= vol.loc[k, "mean"] <= vol.loc[k, "ci_high"]
    assert "market.horizon_units" not in set(summary["metric"])  # parameters are not metrics
    assert (out / "figures" / "response_volume_kwh.png").is_file()
    assert json.loads((out / "sweep.json").read_text())["status"] == "complete"
    # Each job is a complete, verifiable run folder.
    job = next(out.glob("job_*"))
    assert json.loads((job / "meta.json").read_text())["status"] == "complete"


def test_invalid_grid_point_is_refused_before_anything_runs(tmp_path):
    out = tmp_path / "bad"
    result = runner.invoke(app, ["sweep", *BASE, "market.tick=0.001,-1", "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("error: market.tick")
    assert not any(out.glob("job_*"))


def test_one_failing_job_loses_nothing_and_resume_reruns_only_it(tmp_path, monkeypatch):
    import rex_cli.pipeline as pipeline

    real = pipeline.execute_run

    def flaky(cfg, raw, run_dir, **kw):
        if cfg.seed == 2 and not (tmp_path / "fixed").exists():
            raise RuntimeError("boom")
        return real(cfg, raw, run_dir, **kw)

    monkeypatch.setattr(pipeline, "execute_run", flaky)
    out = tmp_path / "sw"
    ov = [*BASE, "seed=1,2,3", "hydra/launcher=basic"]  # in-process, so the patch applies
    res = run_sweep(ov, out)
    status = dict(zip(res.jobs["seed"], res.jobs["status"], strict=True))
    assert status == {1: "complete", 2: "failed", 3: "complete"}
    assert json.loads((out / "sweep.json").read_text())["status"] == "partial"
    done = {p.name: (p / "meta.json").stat().st_mtime_ns for p in out.glob("job_*")}
    (tmp_path / "fixed").touch()
    res = run_sweep(ov, out, resume=True)
    assert (res.jobs["status"] == "complete").all()
    for name, mtime in done.items():
        if "seed=2" not in name:  # complete jobs were skipped, not re-run
            assert (out / name / "meta.json").stat().st_mtime_ns == mtime


def test_interrupted_job_is_not_taken_as_complete(tmp_path):
    out = tmp_path / "sw"
    res = run_sweep([*BASE, "seed=1,2", "hydra/launcher=basic"], out)
    assert (res.jobs["status"] == "complete").all()
    victim = sorted(out.glob("job_*"))[0]
    meta = json.loads((victim / "meta.json").read_text())
    meta["status"] = "running"  # what a killed job leaves behind
    (victim / "meta.json").write_text(json.dumps(meta))
    jobs, _ = aggregate(out)
    assert sorted(jobs["status"]) == ["complete", "running"]
    res = run_sweep([*BASE, "seed=1,2", "hydra/launcher=basic"], out, resume=True)
    assert (res.jobs["status"] == "complete").all()


def test_named_studies_load(tmp_path):
    ov = load_study("horizon")
    assert any(o.startswith("market.horizon_units=") and "," in o for o in ov)
    with pytest.raises(ConfigError, match=r"study 'nope': no such study"):
        load_study("nope")


def test_report_re_aggregates_a_sweep_folder(tmp_path):
    out = tmp_path / "sw"
    run_sweep([*BASE, "market.horizon_units=4,8", "seed=1,2", "hydra/launcher=basic"], out)
    before = pd.read_csv(out / "sweep_summary.csv")
    (out / "sweep_summary.csv").unlink()
    result = runner.invoke(app, ["report", str(out)])
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(before, pd.read_csv(out / "sweep_summary.csv"))
    assert (out / "figures" / "response_volume_kwh.png").is_file()


def test_default_launcher_runs_the_jobs_on_the_workers_warmed_during_validation(
    tmp_path, monkeypatch
):
    from joblib.externals.loky import reusable_executor

    import rex_cli.sweep as sweep

    warm: set[int] = set()
    real = sweep._warm_workers

    def spy(n_jobs):
        thread = real(n_jobs)
        thread.join()
        warm.update(reusable_executor._executor._processes)
        return thread

    monkeypatch.setattr(sweep, "_warm_workers", spy)
    out = tmp_path / "sw"
    res = run_sweep([*BASE, "seed=1,2"], out, n_jobs=2)
    assert (res.jobs["status"] == "complete").all()
    pids = {json.loads(p.read_text())["process"]["pid"] for p in out.glob("job_*/meta.json")}
    assert len(warm) == 2 and pids and pids <= warm  # no worker started after the warm-up


def test_a_refused_sweep_folder_stops_the_warmed_workers(tmp_path):
    from joblib.externals.loky import reusable_executor

    from rex_cli.records.rundir import RunFolderError

    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("not a sweep")
    with pytest.raises(RunFolderError):
        run_sweep([*BASE, "seed=1,2"], taken, n_jobs=2)
    executor = reusable_executor._executor
    assert executor is None or executor._flags.shutdown


def test_each_job_is_composed_once_in_the_sweep_process(tmp_path, monkeypatch):
    # run_sweep validates every job (validate_many); Hydra's sweeper used to compose
    # each one again in this process before launching, one after the other.
    from hydra._internal.config_loader_impl import ConfigLoaderImpl

    real = ConfigLoaderImpl.load_sweep_config
    calls: list[list[str]] = []

    def counting(self, master_config, sweep_overrides):
        calls.append(list(sweep_overrides))
        return real(self, master_config, sweep_overrides)

    monkeypatch.setattr(ConfigLoaderImpl, "load_sweep_config", counting)
    res = run_sweep([*BASE, "seed=1,2", "hydra/launcher=basic"], tmp_path / "sw")
    assert (res.jobs["status"] == "complete").all()
    assert sorted(c[-1] for c in calls) == ["seed=1", "seed=2"]  # once each: to run it
