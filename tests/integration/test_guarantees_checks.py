"""What Rex guarantees, checked without simulating: validation, size limits, folders.

Every refusal here is one line naming the key or value, a non-zero exit and no folder;
the tests vary inputs (hypothesis) beyond the example each issue gave.
"""

import json
import os
import subprocess
import sys

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf
from typer.testing import CliRunner

from rex_cli.cli.main import app
from rex_cli.config.load import (
    ConfigError,
    _schema,
    compose_config,
    config_dir,
    group_options,
    load_config,
    validate,
)
from rex_cli.records.rundir import (
    RunFolderError,
    claim_file,
    new_run_dir,
    process_alive,
    process_tag,
    read_meta,
)
from rex_cli.scenario.build import preflight
from rex_cli.scenario.limits import Limits, SizeLimitError, check_size, estimate_size
from rex_cli.sweep import _parse_value, _prepare_folder, aggregate, read_sweep

runner = CliRunner()
FAST = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_BASES: dict = {}


def _cfg(*overrides, groups=()):
    """``load_config`` without re-composing: group choices composed once, values set on a copy."""
    key = tuple(groups)
    if key not in _BASES:
        _BASES[key] = compose_config(list(groups))
    raw = _BASES[key].copy()
    for o in overrides:
        k, v = o.split("=", 1)
        OmegaConf.update(raw, k, yaml_value(v), merge=True)
    return validate(raw)


def yaml_value(text):
    import yaml

    return yaml.safe_load(text) if text not in ("", "null") else None


def _one_line_error(result, code=2):
    assert result.exit_code == code, result.output
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    assert "Traceback" not in result.output
    return err


# ---------------------------------------------------------------- 4. documented keys


def _leaves(node, prefix=""):
    out = set()
    for k, v in node.items():
        key = f"{prefix}.{k}" if prefix else k
        out |= _leaves(v, key) if OmegaConf.is_dict(v) else {key}
    return out


def test_every_schema_key_is_settable_and_listed_under_every_option():
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    schema = _leaves(_schema())
    root = config_dir()
    groups = sorted(p.name for p in root.iterdir() if p.is_dir())
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(root), version_base="1.3"):
            for group in groups:
                for option in group_options(group):
                    composed = compose(config_name="config", overrides=[f"{group}={option}"])
                    missing = schema - _leaves(composed)
                    assert not missing, f"{group}={option} lacks {sorted(missing)}"
    finally:
        GlobalHydra.instance().clear()


@pytest.mark.parametrize("key", ["wind.column", "wind.time_column", "wind.path", "load.column"])
@pytest.mark.parametrize("choice", ["wind=csv", "wind=weibull_ar1", "load=csv"])
def test_documented_series_keys_can_be_set(key, choice):
    result = runner.invoke(app, ["config", "show", choice, f"{key}=my_col"])
    assert result.exit_code == 0, result.output
    assert "my_col" in result.stdout


# ---------------------------------------------------------------- 5. size limits


@pytest.mark.parametrize(
    "override",
    [
        "market.horizon_units=1000000",
        "market.unit_minutes=0.01",
        "duration_hours=1e9",
        "population.households.count=100000",
        "forecast.wind.sigma0_kwh=400",
    ],
)
def test_oversized_runs_are_refused_before_any_folder(tmp_path, override):
    # (a 0.01-minute unit also needs a same-info lead inside its 0.16-minute window)
    small = ["market.opening_auction=false", "baselines.same_info_lead_minutes=0.1"]
    extra = small if "unit_minutes" in override else []
    out = tmp_path / "big"
    err = _one_line_error(runner.invoke(app, ["run", override, *extra, "--out", str(out)]))
    assert "run too large" in err and ("--max-events" in err or "--max-memory-gb" in err)
    assert not out.exists()
    key, value = override.split("=")
    sweep = runner.invoke(app, ["sweep", f"{key}={value},{value}", *extra, "--out", str(out)])
    assert "run too large" in _one_line_error(sweep) and not out.exists()


def test_a_flag_raises_the_limits():
    cfg, _ = load_config(
        [
            "market.unit_minutes=0.01",
            "market.opening_auction=false",
            "baselines.same_info_lead_minutes=0.1",
        ]
    )
    with pytest.raises(SizeLimitError, match="--max-memory-gb"):
        preflight(cfg)
    preflight(cfg, Limits(max_events=1e9, max_memory_gb=1e3))
    tiny, _ = load_config(["debug=tiny"])
    with pytest.raises(SizeLimitError, match="--max-events"):
        check_size(tiny, Limits(max_events=10))
    assert runner.invoke(app, ["run", "debug=tiny", "--max-events", "10"]).exit_code == 2
    assert runner.invoke(app, ["run", "debug=tiny", "--max-events", "-1"]).exit_code == 2


@FAST
@given(
    horizon=st.integers(1, 10**7),
    unit=st.floats(0.001, 240.0),
    hours=st.floats(0.5, 1e7),
    lot=st.floats(1e-4, 10.0),
)
def test_the_size_estimate_grows_with_the_run_and_refuses_iff_over(horizon, unit, hours, lot):
    ov = [f"market.horizon_units={horizon}", f"market.unit_minutes={unit!r}",
          f"market.lot_kwh={lot!r}", "market.opening_auction=false"]  # fmt: skip
    try:
        cfg = _cfg(*ov, f"duration_hours={hours!r}")
    except ConfigError:
        return
    est = estimate_size(cfg)
    limits = Limits()
    over = est.events > limits.max_events or est.memory_bytes > limits.max_memory_gb * 1e9
    try:
        check_size(cfg, limits)
        assert not over
    except SizeLimitError as exc:
        assert over and "\n" not in str(exc)
    longer = _cfg(*ov, f"duration_hours={2 * hours!r}")
    assert estimate_size(longer).events > est.events
    assert estimate_size(longer).memory_bytes > est.memory_bytes


# ---------------------------------------------------------------- 6, 10. validation


@FAST
@given(lot=st.floats(1e-300, 5e-8))  # the gas turbine: 7.5 kWh a unit, 1e8 lots at most
def test_a_lot_grid_too_fine_is_refused_naming_market_lot_kwh(lot):
    cfg = _cfg(f"market.lot_kwh={lot!r}")
    with pytest.raises(ConfigError, match=r"^market\.lot_kwh="):
        preflight(cfg, Limits(max_events=1e300, max_memory_gb=1e300))


@pytest.mark.parametrize(
    "counts", [(0, 0, 1, 1, 0), (0, 0, 0, 1, 1), (0, 0, 2, 0, 0), (0, 0, 3, 2, 1)]
)
def test_a_population_of_plants_only_is_refused(tmp_path, counts):
    groups = ("households", "wind_farms", "heat_pumps", "batteries", "gas_turbines")
    ov = [f"population.{g}.count={c}" for g, c in zip(groups, counts, strict=True)]
    out = tmp_path / "run"
    err = _one_line_error(runner.invoke(app, ["run", "debug=tiny", *ov, "--out", str(out)]))
    assert "households.count + wind_farms.count must be >= 1" in err and not out.exists()


@FAST
@given(hours=st.floats(0.5, 48.0), unit=st.sampled_from([5.0, 15.0, 30.0, 60.0]),
       extra=st.integers(0, 50))  # fmt: skip
def test_warmup_not_below_the_number_of_units_is_refused(hours, unit, extra):
    units = int(hours * 60 // unit)
    ov = [f"duration_hours={hours!r}", f"market.unit_minutes={unit}",
          "market.opening_window_minutes=1"]  # fmt: skip
    if units < 1:
        return
    _cfg(*ov, f"analysis.warmup_units={units - 1}")
    with pytest.raises(ConfigError, match=r"^analysis\.warmup_units must be < "):
        _cfg(*ov, f"analysis.warmup_units={units + extra}")


def _series(tmp_path, name, column, values, iso=True):
    times = (
        pd.date_range("2026-01-05", periods=len(values), freq="10min", tz="UTC").strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        if iso
        else [10.0 * i for i in range(len(values))]
    )
    path = tmp_path / name
    pd.DataFrame({"time": times, column: values}).to_csv(path, index=False)
    return path


@FAST
@given(row=st.integers(0, 200), value=st.floats(-1e6, -1e-9), which=st.sampled_from(["w", "l"]))
def test_negative_series_values_are_refused_naming_the_file_line(tmp_path_factory, row, value,
                                                                 which):  # fmt: skip
    tmp = tmp_path_factory.mktemp("csv")
    column, group = ("speed_ms", "wind") if which == "w" else ("power_kw", "load")
    values = [1.0] * 240
    values[row] = value
    path = _series(tmp, "s.csv", column, values)
    cfg = _cfg(f"{group}.path={path}", groups=[f"{group}=csv"])
    with pytest.raises(ConfigError, match=rf"^{group}\.path: .*line {row + 2}: .* is below 0"):
        preflight(cfg)


@FAST
@given(power=st.floats(1e8, 1e300))
def test_huge_loads_are_refused_not_overflowed(tmp_path_factory, power):
    path = _series(tmp_path_factory.mktemp("csv"), "h.csv", "power_kw", [power] * 240)
    cfg = _cfg(f"load.path={path}", groups=["load=csv"])
    with pytest.raises(ConfigError, match=r"^market\.lot_kwh=.*load\.path"):
        preflight(cfg)


def test_csv_errors_give_file_lines_and_times_as_written(tmp_path):
    path = _series(tmp_path, "g.csv", "power_kw", [1.0] * 240)
    frame = pd.read_csv(path).drop(index=[10, 11, 12])
    frame.to_csv(path, index=False)
    cfg, _ = load_config(["load=csv", f"load.path={path}", "duration_hours=24"])
    with pytest.raises(ConfigError) as info:
        preflight(cfg)
    msg = str(info.value)
    assert "line 11 (2026-01-05T01:30:00Z) and line 12 (2026-01-05T02:10:00Z)" in msg, msg
    path = _series(tmp_path, "m.csv", "power_kw", [1.0] * 240, iso=False)
    frame = pd.read_csv(path)
    frame.loc[5, "time"] = 0.0
    frame.to_csv(path, index=False)
    cfg, _ = load_config(["load=csv", f"load.path={path}", "duration_hours=24"])
    with pytest.raises(ConfigError, match=r"line 7 \(0\.0\) follows line 6 \(40\.0\)"):
        preflight(cfg)


# ---------------------------------------------------------------- 9. output paths


def _targets(tmp_path):
    (tmp_path / "file").write_text("x")
    run = tmp_path / "a_run"
    run.mkdir()
    (run / "meta.json").write_text('{"status": "complete"}')
    sweep = tmp_path / "a_sweep"
    sweep.mkdir()
    (sweep / "sweep.json").write_text('{"status": "complete"}')
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    return {
        "empty": ("", "empty path"),
        "file": (str(tmp_path / "file"), "not a folder"),
        "run folder": (str(run), "already holds a run"),
        "inside a run": (str(run / "sub" / "deeper"), "inside the run folder"),
        "inside a sweep": (str(sweep / "x"), "inside the sweep folder"),
        "not empty": (str(busy), "not empty"),
    }


@pytest.mark.parametrize("command", ["run", "sweep"])
@pytest.mark.parametrize(
    "case", ["empty", "file", "run folder", "inside a run", "inside a sweep", "not empty"]
)
def test_unusable_out_paths_are_one_line_exit_2(tmp_path, monkeypatch, command, case):
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    target, needle = _targets(tmp_path)[case]
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    grid = ["seed=1,2"] if command == "sweep" else []
    result = runner.invoke(app, [command, "debug=tiny", *grid, "--out", target])
    assert needle in _one_line_error(result)
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before  # nothing written


def test_an_unwritable_out_is_one_line_exit_2(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    if os.geteuid() == 0:  # root ignores permissions: use a read-only mount
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(locked)],
                          capture_output=True).returncode:  # fmt: skip
            pytest.skip("cannot mount a read-only file system here")
    else:
        locked.chmod(0o555)
    try:
        for command in ("run", "sweep"):
            grid = ["seed=1,2"] if command == "sweep" else []
            result = runner.invoke(app, [command, "debug=tiny", *grid, "--out", str(locked / "x")])
            assert "cannot create" in _one_line_error(result)
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", str(locked)], check=False)
        else:
            locked.chmod(0o755)


def test_a_folder_is_claimed_exclusively(tmp_path):
    out = new_run_dir(tmp_path / "r")
    assert read_meta(out)["status"] == "running"
    with pytest.raises(RunFolderError, match="already holds a run"):
        new_run_dir(tmp_path / "r")
    with pytest.raises(FileExistsError):
        claim_file(out / "meta.json", {})
    empty = tmp_path / "empty"
    empty.mkdir()
    assert new_run_dir(empty) == empty  # an empty folder may be used, once


# ---------------------------------------------------------------- 11. dead processes


def _dead_pid():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_running_with_a_dead_process_reads_interrupted(tmp_path):
    tag = process_tag()
    cases = {
        "alive": (tag, "running"),
        "dead": ({**tag, "pid": _dead_pid(), "started": None}, "interrupted"),
        "pid reused": ({**tag, "started": (tag["started"] or 0) + 1}, "interrupted"),
        "rebooted": ({**tag, "boot_id": "another-boot"}, "interrupted"),
        "other host": ({**tag, "host": "elsewhere", "pid": _dead_pid()}, "running"),
        "no tag (old folder)": (None, "running"),
    }
    for name, (process, expected) in cases.items():
        folder = tmp_path / name.replace(" ", "_")
        folder.mkdir()
        (folder / "meta.json").write_text(json.dumps({"status": "running", "process": process}))
        if name == "pid reused" and tag["started"] is None:
            continue  # no /proc here
        assert read_meta(folder)["status"] == expected, name
    assert process_alive(tag) is True
    sweep = tmp_path / "sw"
    sweep.mkdir()
    (sweep / "sweep.json").write_text(
        json.dumps({"status": "running", "process": {**tag, "pid": _dead_pid(), "started": None}})
    )
    assert read_sweep(sweep)["status"] == "interrupted"


# ---------------------------------------------------------------- 1, 3, 8, 12. sweeps


def _job(sweep, name, overrides, status="complete", summary=None, timing=None):
    job = sweep / f"job_{name}"
    job.mkdir(parents=True)
    (job / "meta.json").write_text(json.dumps({"status": status, "overrides": overrides}))
    if summary is not None:
        (job / "summary.json").write_text(json.dumps(summary))
    if timing is not None:
        (job / "timing.json").write_text(json.dumps(timing))


@FAST
@given(value=st.floats(min_value=1e-12, max_value=1e12, allow_nan=False))
def test_swept_values_round_trip_whatever_their_form(value):
    for text in (repr(value), f"{value:.17e}", f"{value:.20f}".rstrip("0"), str(value)):
        if text.endswith("."):
            text += "0"
        assert _parse_value("market.tick", text) == pytest.approx(value, rel=1e-12), text
    assert _parse_value("population", "tiny") == "tiny"
    assert _parse_value("welfare.tariff", "null") is None
    assert _parse_value("output.figures", "true") is True
    assert _parse_value("seed", "7") == 7


@FAST
@given(
    values=st.lists(
        st.one_of(
            st.floats(1e-9, 1e9).map(repr),
            st.floats(1e-9, 1e-4).map(lambda v: f"{v:.3e}"),
            st.sampled_from(["tiny", "null", "'1e3'", "[1,2]", "true", "abc"]),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_aggregation_never_loses_a_completed_job(tmp_path_factory, values):
    sweep = tmp_path_factory.mktemp("sweep")
    for i, v in enumerate(values):
        _job(sweep, f"{i}", [f"market.tick={v}", f"seed={i}"], summary={"volume_kwh": 1.0 + i},
             timing={"wall_time_s": 0.1 * i})  # fmt: skip
    _job(sweep, "failed", ["market.tick=1", "seed=99"], status="failed")
    jobs, summary = aggregate(sweep)
    assert sorted(jobs["status"]) == ["complete"] * len(values) + ["failed"]
    back = pd.read_parquet(sweep / "sweep_jobs.parquet")
    assert len(back) == len(values) + 1 and (sweep / "sweep_summary.parquet").is_file()
    assert "wall_time_s" not in jobs.columns and "wall_time_s" not in set(summary.get("metric", []))
    assert len(pd.read_csv(sweep / "sweep_timing.csv")) == len(values)


def test_identical_jobs_give_byte_identical_summaries_whatever_their_timing(tmp_path):
    texts = []
    for k, wall in enumerate((1.5, 99.0)):
        sweep = tmp_path / f"s{k}"
        for seed in (1, 2):
            summary = {"volume_kwh": 10.0 + seed, "wall_time_s": wall}  # older folders
            _job(sweep, f"{seed}", ["market.tick=5e-05", f"seed={seed}"], summary=summary,
                 timing={"wall_time_s": wall * seed, "rhpo_solve_ms_median": wall})  # fmt: skip
        aggregate(sweep)
        texts.append(
            ((sweep / "sweep_summary.csv").read_bytes(), (sweep / "sweep_jobs.csv").read_bytes())
        )
    assert texts[0] == texts[1]


@FAST
@given(seeds=st.lists(st.integers(1, 50), min_size=1, max_size=5, unique=True),
       other=st.integers(51, 99))  # fmt: skip
def test_resume_accepts_the_saved_grid_in_any_order_and_refuses_another(tmp_path_factory, seeds,
                                                                        other):  # fmt: skip
    sweep = tmp_path_factory.mktemp("sweep") / "sw"
    sweep.mkdir()
    grid = [["output=minimal", "debug=tiny", f"seed={s}"] for s in seeds]
    (sweep / "sweep.json").write_text(json.dumps({"status": "partial", "grid": grid}))
    _prepare_folder(sweep, resume=True, grid=list(reversed(grid)))
    with pytest.raises(RunFolderError, match="grid differs"):
        _prepare_folder(sweep, resume=True, grid=[*grid, ["output=minimal", "debug=tiny",
                                                          f"seed={other}"]])  # fmt: skip
    with pytest.raises(RunFolderError, match="grid differs"):
        _prepare_folder(sweep, resume=True, grid=grid[:-1] or [["seed=0"]])
    with pytest.raises(RunFolderError, match="pass --resume"):
        _prepare_folder(sweep, resume=False, grid=grid)


def test_resume_refuses_another_grid_and_a_live_sweep_on_the_command_line(tmp_path):
    sweep = tmp_path / "sw"
    sweep.mkdir()
    info = {"status": "partial", "overrides": ["debug=tiny", "seed=1,2,3,4"], "jobs": 4}
    (sweep / "sweep.json").write_text(json.dumps(info))
    err = _one_line_error(
        runner.invoke(app, ["sweep", "debug=tiny", "seed=5", "--out", str(sweep), "--resume"])
    )
    assert "grid differs" in err and not any(sweep.glob("job_*"))
    info.update(status="running", process=process_tag())
    (sweep / "sweep.json").write_text(json.dumps(info))
    args = ["sweep", "debug=tiny", "seed=1,2,3,4", "--out", str(sweep), "--resume"]
    assert "still running" in _one_line_error(runner.invoke(app, args))


def test_a_partial_sweep_report_counts_the_true_grid(tmp_path):
    sweep = tmp_path / "sw"
    sweep.mkdir()
    (sweep / "sweep.json").write_text(json.dumps({"status": "interrupted", "jobs": 4}))
    for seed in (1, 2):
        _job(sweep, f"{seed}", [f"seed={seed}"], summary={"volume_kwh": float(seed)})
    _job(sweep, "3", ["seed=3"], status="failed")
    result = runner.invoke(app, ["report", str(sweep)])
    assert result.exit_code == 0, result.output
    assert "2/4 jobs complete (1 failed, 1 not started)" in result.stderr


@pytest.mark.parametrize("command", ["verify", "report"])
def test_verify_and_report_name_a_missing_or_foreign_folder(tmp_path, command):
    err = _one_line_error(runner.invoke(app, [command, str(tmp_path / "nope")]))
    assert "no such folder" in err
    assert "not a run folder" in _one_line_error(runner.invoke(app, [command, str(tmp_path)]))
