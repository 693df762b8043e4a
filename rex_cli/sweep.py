"""Parameter sweeps through Hydra's own multirun machinery.

``run_sweep`` composes ``conf/`` with grid overrides (``market.tick=0.001,0.002
seed=1,2,3``) and hands the jobs to a Hydra launcher: joblib by default (one job per
core), or any ``hydra/launcher=...`` given (``ray``, ``submitit_slurm``). Each job is a
complete run folder ``<sweep>/<override_dirname>``; it records its own status, so one
failing job never loses the others, and ``resume`` skips jobs already complete (and
refuses a grid other than the saved one). After the launcher returns, or is
interrupted, ``aggregate`` reads every job's ``summary.json`` into ``sweep_jobs.*`` (one
row per job) and ``sweep_summary.*`` (per grid point and metric: n, mean, std and the
Student-t interval over seeds); wall-clock figures go to ``sweep_timing.csv``, so two
identical sweeps give byte-identical summaries. Parameter values are read back with
Hydra's own grammar (``5e-05`` is the number it was on the command line).

Studies (``rex_cli/studies/NAME.yaml``, shipped with the package, or any study file
given by path) are Hydra overlays (``# @package _global_``):
their ``hydra.sweeper.params`` are the grid, ``defaults: - override /group: option``
entries pick config options and every other key is a fixed override.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import yaml
from hydra import initialize_config_dir
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from omegaconf import DictConfig

from rex_cli.analysis.replications import replication_table
from rex_cli.config.load import ConfigError, config_dir, package_dir, validate, validate_many
from rex_cli.records import tables as T
from rex_cli.records.rundir import (
    RunFolderError,
    check_out_path,
    claim_file,
    mark_stopped,
    process_alive,
    process_tag,
    read_meta,
    write_json,
    write_text,
)
from rex_cli.scenario.limits import Limits
from rex_cli.signals import terminate_as_interrupt

__all__ = [
    "SweepResult",
    "aggregate",
    "expand_grid",
    "launcher_options",
    "load_study",
    "read_sweep",
    "run_sweep",
    "slurm_script",
    "studies_dir",
    "study_path",
]

log = logging.getLogger(__name__)

# Overrides a sweep adds unless the user gives their own.
SWEEP_DEFAULTS = ("output=minimal",)
# Wall-clock figures: kept out of sweep_jobs and sweep_summary (in sweep_timing.csv).
TIMING_KEYS = ("wall_time_s", "simulation_s", "rhpo_solve_ms_median", "rhpo_solve_ms_p95")


@dataclass(frozen=True)
class SweepResult:
    """What a finished sweep returns."""

    sweep_dir: Path
    jobs: pd.DataFrame
    summary: pd.DataFrame
    wall_time_s: float
    grid: list[list[str]]


def studies_dir() -> Path:
    """The folder of the shipped studies, ``rex_cli/studies``."""
    return package_dir() / "studies"


def study_path(name: str) -> Path:
    """The study file of ``name``: a shipped study's name, or a path to a YAML file.

    Raises:
        ConfigError: Neither a shipped study nor an existing ``.yaml`` file.
    """
    given = Path(name).expanduser()
    if given.suffix in (".yaml", ".yml"):
        if given.is_file():
            return given
        raise ConfigError(f"study file {name}: no such file")
    path = studies_dir() / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in studies_dir().glob("*.yaml"))
        raise ConfigError(
            f"study '{name}': no such study (shipped: {', '.join(known)}; "
            "or give a path to a study .yaml)"
        )
    return path


def _flatten(prefix: str, node: Any, out: list[str]) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out)
    elif isinstance(node, list):
        out.append(f"{prefix}=[{','.join(map(str, node))}]")
    else:
        value = "null" if node is None else str(node).lower() if isinstance(node, bool) else node
        out.append(f"{prefix}={value}")


def load_study(name: str) -> list[str]:
    """Overrides (fixed and grid) of a study: a shipped name or a path (``study_path``).

    Raises:
        ConfigError: No such study, or a study file of the wrong shape.
    """
    path = study_path(name)
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: a study must be a YAML mapping")
    out: list[str] = []
    for entry in doc.pop("defaults", []) or []:
        if not isinstance(entry, dict) or len(entry) != 1:
            raise ConfigError(f"{path}: defaults entries must be 'override /group: option'")
        ((key, option),) = entry.items()
        group = str(key).replace("override", "").strip().lstrip("/")
        out.append(f"{group}={option}")
    grid = ((doc.pop("hydra", None) or {}).get("sweeper") or {}).get("params") or {}
    _flatten("", doc, out)
    out += [f"{k}={v}" for k, v in grid.items()]
    return out


def expand_grid(overrides: Sequence[str]) -> list[list[str]]:
    """The jobs of a grid, in Hydra's own order (its BasicSweeper's expansion).

    Raises:
        ConfigError: An override that cannot be parsed.
    """
    try:
        parsed = OverridesParser.create().parse_overrides(list(overrides))
    except Exception as exc:  # hydra raises its own OverrideParseException
        raise ConfigError(f"cannot parse sweep overrides: {' '.join(str(exc).split())}") from exc
    batches = BasicSweeper.split_arguments(parsed, max_batch_size=None)
    return [list(job) for batch in batches for job in batch]


def _warm_worker() -> int:
    """Import what every job needs, once per worker process (see ``_warm_workers``).

    Then ``gc.freeze()``: the ~100,000 objects of those imports live as long as the
    worker, and the loky worker runs a full ``gc.collect()`` after every job longer than
    a second (when psutil is not installed); frozen, they are no longer traversed (about
    0.05 s of CPU per job, more under load). Nothing a job computes depends on it.
    """
    import gc

    import hydra_plugins.hydra_joblib_launcher._core  # noqa: F401  (runs each job)

    import rex_cli.pipeline  # noqa: F401  (what _job_task imports)

    gc.collect()
    gc.freeze()
    return os.getpid()


# The keyword arguments Hydra's joblib launcher gives ``joblib.Parallel`` (its
# ``hydra/launcher=joblib`` defaults, backend forced to loky). The same arguments make
# joblib hand the launcher the very executor, with its workers, that ``_warm_workers``
# started.
_LAUNCHER_PARALLEL_KWARGS: dict[str, Any] = {
    "backend": "loky",
    "prefer": "processes",
    "require": None,
    "verbose": 0,
    "timeout": None,
    "pre_dispatch": "2*n_jobs",
    "batch_size": "auto",
    "temp_folder": None,
    "max_nbytes": None,
    "mmap_mode": "r",
}


def _warm_workers(n_jobs: int) -> threading.Thread:
    """Start the joblib launcher's worker processes now, in a background thread.

    A new worker spends about a second importing numpy, pandas, HiGHS and the
    simulator before its first job. Started here, while this process still validates
    the grid, the workers import during that time instead of after it, and the launcher
    reuses them (joblib's reusable loky executor, same arguments). Best effort: if
    anything goes wrong the launcher simply starts its own workers.
    """

    def warm() -> None:
        try:
            from joblib import Parallel, delayed

            Parallel(n_jobs=n_jobs, **_LAUNCHER_PARALLEL_KWARGS)(
                delayed(_warm_worker)() for _ in range(n_jobs)
            )
        except Exception as exc:  # never fatal: the launcher starts its own workers
            log.debug("could not warm the joblib workers: %s", exc)

    thread = threading.Thread(target=warm, name="rex-warm-workers", daemon=True)
    thread.start()
    return thread


def _stop_warm_workers() -> None:
    """Kill the workers ``_warm_workers`` started (the sweep stops before launching)."""
    from joblib.externals.loky import reusable_executor

    executor = getattr(reusable_executor, "_executor", None)
    if executor is not None:
        executor.shutdown(wait=False, kill_workers=True)


def _job_task(cfg: DictConfig, *, resume: bool, parent_pid: int) -> dict[str, Any]:
    """Run one job into Hydra's job folder; never raise (the status says what happened).

    In a worker process, SIGTERM or Ctrl-C marks the job ``interrupted`` and returns;
    in the sweep's own process (``hydra/launcher=basic``) the interrupt propagates and
    stops the sweep.
    """
    from rex_cli.pipeline import execute_run  # imported in the worker process

    hc = HydraConfig.get()
    out = Path(hc.runtime.output_dir)
    overrides = [o for o in hc.overrides.task]
    meta = read_meta(out)
    if resume and meta.get("status") == "complete":
        return {"dir": str(out), "status": "skipped"}
    try:
        with terminate_as_interrupt():
            rcfg = validate(cfg)
            execute_run(rcfg, cfg, out, overrides=overrides)
        return {"dir": str(out), "status": read_meta(out).get("status", "missing")}
    except KeyboardInterrupt as exc:
        if os.getpid() == parent_pid:
            raise
        _mark_job(out, "interrupted", str(exc) or "interrupted", overrides)
        return {"dir": str(out), "status": "interrupted"}
    except Exception as exc:  # recorded in meta.json by execute_run, or here
        reason = f"{type(exc).__name__}: {exc}"
        _mark_job(out, "failed", reason, overrides)
        log.error("job %s failed: %s", out.name, exc)
        return {"dir": str(out), "status": "failed", "reason": reason}


def _mark_job(out: Path, status: str, reason: str, overrides: list[str]) -> None:
    """Mark a job folder stopped unless ``execute_run`` already did."""
    if read_meta(out).get("status") in (None, "running"):
        meta = {"status": status, "reason": reason, "overrides": overrides}
        mark_stopped(out / "meta.json", meta)


def read_sweep(sweep_dir: Path) -> dict[str, Any]:
    """Read ``sweep.json``; a ``running`` sweep whose process is gone reads ``interrupted``."""
    path = Path(sweep_dir) / "sweep.json"
    if not path.is_file():
        return {}
    info = dict(json.loads(path.read_text(encoding="utf-8")))
    if info.get("status") == "running" and process_alive(info.get("process")) is False:
        info.update(status="interrupted", reason="its process is gone")
    return info


def _grid_key(jobs: Sequence[Sequence[str]]) -> list[list[str]]:
    return sorted(sorted(job) for job in jobs)


def _prepare_folder(sweep_dir: Path, *, resume: bool, grid: list[list[str]]) -> None:
    """Check and claim the sweep folder; on resume, the grid must be the saved one.

    Raises:
        RunFolderError: Not usable: a file, a run folder, inside a run or sweep folder,
            a folder holding something else, a sweep without ``--resume``, a sweep still
            running, or (with ``--resume``) a different grid.
    """
    info = read_sweep(sweep_dir)
    if not info:
        check_out_path(sweep_dir)
        try:
            sweep_dir.mkdir(parents=True, exist_ok=True)
            claim_file(sweep_dir / "sweep.json", {"status": "running", "process": process_tag()})
        except FileExistsError:
            raise RunFolderError(f"--out {sweep_dir}: another sweep claimed this folder") from None
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise RunFolderError(f"--out {sweep_dir}: cannot create ({reason})") from None
        return
    if not resume:
        raise RunFolderError(
            f"--out {sweep_dir}: already holds a sweep; pass --resume to continue it"
        )
    if info.get("status") == "running":
        pid = (info.get("process") or {}).get("pid")
        raise RunFolderError(f"--out {sweep_dir}: the sweep is still running (pid {pid})")
    saved = info.get("grid")
    if saved is None and info.get("overrides") is not None:
        saved = _task_grid(list(info["overrides"]))[0]
    if saved is not None and _grid_key(saved) != _grid_key(grid):
        was = " ".join(info.get("overrides") or [])
        raise RunFolderError(
            f"--resume: the grid differs from the one saved in {sweep_dir / 'sweep.json'} "
            f"({len(saved)} jobs: {was}); resume with the same overrides, or use a new --out"
        )


def _task_grid(user: list[str]) -> tuple[list[list[str]], list[str], list[str]]:
    """The jobs of a sweep (task overrides per job), its task and its hydra overrides."""
    keys = {o.split("=", 1)[0].lstrip("+~") for o in user}
    ov = [d for d in SWEEP_DEFAULTS if d.split("=", 1)[0] not in keys] + user
    task_ov = [o for o in ov if not o.startswith("hydra")]
    hydra_ov = [o for o in ov if o.startswith("hydra")]
    return expand_grid(task_ov), task_ov, hydra_ov


def _settle_jobs(sweep_dir: Path, wait_s: float = 2.0) -> None:
    """Mark job folders stopped by an interrupt: process gone, or no meta.json yet.

    Waits up to ``wait_s`` for the launcher's workers to exit first.
    """
    deadline = time.monotonic() + wait_s
    for job in sorted(p for p in sweep_dir.glob("job_*") if p.is_dir()):
        path = job / "meta.json"
        if not path.is_file():  # stopped before its run began
            mark_stopped(path, {"status": "interrupted", "reason": "stopped before it began"})
            continue
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("status") != "running":
            continue
        while process_alive(raw.get("process")) and time.monotonic() < deadline:
            time.sleep(0.05)
        meta = read_meta(job)
        if meta.get("status") == "interrupted":
            mark_stopped(path, meta)


def run_sweep(
    overrides: Sequence[str],
    sweep_dir: Path,
    *,
    resume: bool = False,
    n_jobs: int | None = None,
    limits: Limits | None = None,
) -> SweepResult:
    """Validate every grid point, launch the jobs through Hydra, aggregate.

    Args:
        overrides: Fixed and grid overrides (Hydra syntax, comma = sweep).
        sweep_dir: The sweep folder: new or empty, or with ``resume`` a sweep folder
            with the same grid (its complete jobs are skipped).
        resume: Skip jobs whose folder is already complete.
        n_jobs: Parallel jobs of the default joblib launcher (default: CPU count).
        limits: Size limits every job must meet (default limits when ``None``).

    Raises:
        ConfigError: A grid point that does not compose or validate, reads a bad series
            or exceeds a size limit (nothing is launched).
        RunFolderError: ``sweep_dir`` cannot be used (see ``_prepare_folder``).
    """
    from rex_cli.scenario.build import preflight

    user = list(overrides)
    jobs, task_ov, hydra_ov = _task_grid(user)
    launcher = [o for o in hydra_ov if o.startswith("hydra/launcher=")]
    workers = n_jobs or os.cpu_count() or 1
    warming = None
    if not launcher and workers > 1 and len(jobs) > 1:
        if not any(o.startswith("hydra.launcher.") for o in hydra_ov):
            warming = _warm_workers(workers)  # imports while the grid is validated
    try:
        # Every grid point must be valid, readable and within the limits before anything runs.
        for cfg in validate_many(jobs):
            preflight(cfg, limits)
        for o in launcher:
            _check_launcher(o.split("=", 1)[1])
        sweep_dir = Path(sweep_dir)
        _prepare_folder(sweep_dir, resume=resume, grid=jobs)
    except BaseException:
        if warming is not None:
            _stop_warm_workers()
        raise
    if not launcher:
        hydra_ov = ["hydra/launcher=joblib", f"hydra.launcher.n_jobs={workers}", *hydra_ov]
    t0 = time.perf_counter()
    info: dict[str, Any] = {
        "status": "running",
        "process": process_tag(),
        "overrides": user,
        "jobs": len(jobs),
        "grid": jobs,
        "resume": resume,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    write_json(sweep_dir / "sweep.json", info)
    hydra_args = [
        *task_ov,
        *hydra_ov,
        f"hydra.sweep.dir={sweep_dir.resolve()}",
        "hydra.sweep.subdir=job_${hydra.job.override_dirname}",
        "hydra.job.chdir=false",
    ]
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(
            config_dir=str(config_dir()), version_base="1.3", job_name="rex"
        ):
            _multirun(
                functools.partial(_job_task, resume=resume, parent_pid=os.getpid()),
                hydra_args,
                validated=jobs,
                # The launcher must find the warm executor, not race it.
                before_launch=warming.join if warming is not None else None,
            )
    except BaseException as exc:
        # Nothing already done is lost: settle the jobs, aggregate what completed.
        interrupted = isinstance(exc, KeyboardInterrupt)
        info.update(status="interrupted" if interrupted else "failed",
                    reason=(str(exc) or "interrupted by the user") if interrupted
                    else f"{type(exc).__name__}: {exc}")  # fmt: skip
        try:
            _settle_jobs(sweep_dir)
            _finish(sweep_dir, info, t0, final=False)
        except Exception as inner:  # the original error is what the user must see
            log.error("could not aggregate %s: %s", sweep_dir, inner)
            mark_stopped(sweep_dir / "sweep.json", info)
        raise
    finally:
        GlobalHydra.instance().clear()
    jobs_df, summary, wall = _finish(sweep_dir, info, t0, final=True)
    return SweepResult(
        sweep_dir=sweep_dir, jobs=jobs_df, summary=summary, wall_time_s=wall, grid=jobs
    )


def _multirun(
    task_function: Any,
    overrides: list[str],
    *,
    validated: list[list[str]],
    before_launch: Any = None,
) -> None:
    """Hydra's ``multirun`` (``hydra._internal.hydra.Hydra.multirun``), step by step.

    The same composition, callbacks, sweeper and launcher, with two differences:

    - Hydra's sweeper composes every job's config once more in this process, one after
      the other, before it launches anything (``validate_batch_is_legal``: about 0.15 s
      per job, 1.2 s for eight, while the workers wait). ``run_sweep`` has just composed
      and validated every one of these jobs (``validate_many``), so when the sweeper is
      Hydra's basic sweeper and its jobs are exactly ``validated`` (no
      ``hydra.sweeper.params`` adding others), that second check is skipped. Each job
      is still composed by Hydra where it runs.
    - ``before_launch`` is called after the composition, just before the sweeper
      launches (``run_sweep`` waits there for the warm workers, so that this process
      composes while they import).
    """
    from hydra._internal.callbacks import Callbacks
    from hydra.core.plugins import Plugins
    from hydra.types import HydraContext, RunMode
    from omegaconf import OmegaConf

    hydra = GlobalHydra.instance().hydra
    assert hydra is not None
    cfg = hydra.compose_config(
        config_name="config",
        overrides=overrides,
        with_log_configuration=True,
        run_mode=RunMode.MULTIRUN,
    )
    callbacks = Callbacks(cfg)
    callbacks.on_multirun_start(config=cfg, config_name="config")
    sweeper = Plugins.instance().instantiate_sweeper(
        config=cfg,
        hydra_context=HydraContext(config_loader=hydra.config_loader, callbacks=callbacks),
        task_function=task_function,
    )
    task_overrides = OmegaConf.to_container(cfg.hydra.overrides.task, resolve=False)
    assert isinstance(task_overrides, list)
    # By name: Hydra's plugin scan executes the plugin modules again (new class objects).
    kind = f"{type(sweeper).__module__}.{type(sweeper).__qualname__}"
    if kind == _BASIC_SWEEPER and not getattr(sweeper, "params", None):
        parsed = OverridesParser.create().parse_overrides([str(o) for o in task_overrides])
        batches = BasicSweeper.split_arguments(parsed, getattr(sweeper, "max_batch_size", None))
        if _grid_key([job for batch in batches for job in batch]) == _grid_key(validated):
            setattr(sweeper, "validate_batch_is_legal", _already_validated)  # noqa: B010
    if before_launch is not None:
        before_launch()
    sweeper.sweep(arguments=task_overrides)
    callbacks.on_multirun_end(config=cfg, config_name="config")


_BASIC_SWEEPER = f"{BasicSweeper.__module__}.{BasicSweeper.__qualname__}"


def _already_validated(batch: Sequence[Sequence[str]]) -> None:
    """Stands in for the sweeper's check of jobs ``validate_many`` has checked."""


def _finish(
    sweep_dir: Path, info: dict[str, Any], t0: float, *, final: bool
) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """Aggregate and write ``sweep.json``: complete only when every grid job is."""
    try:
        jobs_df, summary = aggregate(sweep_dir)
    except BaseException as exc:
        info.update(status="failed", reason=f"aggregation failed: {type(exc).__name__}: {exc}")
        mark_stopped(sweep_dir / "sweep.json", info)
        raise
    wall = time.perf_counter() - t0
    n_ok = int((jobs_df["status"] == "complete").sum()) if len(jobs_df) else 0
    info.update(
        complete_jobs=n_ok,
        failed_jobs=int((jobs_df["status"] == "failed").sum()) if len(jobs_df) else 0,
        wall_time_s=round(wall, 3),
    )
    if final:
        info["status"] = "complete" if n_ok == info["jobs"] else "partial"
    write_json(sweep_dir / "sweep.json", info)
    return jobs_df, summary, wall


def launcher_options() -> list[str]:
    """Hydra launchers installed here (``hydra/launcher`` options)."""
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
            loader = GlobalHydra.instance().config_loader()
            return sorted(loader.get_group_options("hydra/launcher"))
    finally:
        GlobalHydra.instance().clear()


def _check_launcher(name: str) -> None:
    options = launcher_options()
    if name not in options:
        extra = " (pip install 'rex-cli[ray]' for ray)" if name == "ray" else ""
        raise ConfigError(
            f"hydra/launcher: no launcher '{name}' (installed: {', '.join(options)}){extra}"
        )


def slurm_script(overrides: Sequence[str], folder: Path) -> str:
    """The sbatch script a ``hydra/launcher=submitit_slurm`` sweep would submit (not submitted).

    Composes the launcher config with the given ``hydra.launcher.*`` overrides (so they
    are validated exactly as for a real sweep) and asks submitit to write the script.

    Raises:
        ConfigError: An override the launcher config refuses; the message names it.
    """
    from hydra import compose
    from submitit.slurm.slurm import _make_sbatch_string

    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(
            config_dir=str(config_dir()), version_base="1.3", job_name="rex"
        ):
            cfg = compose(
                config_name="config",
                overrides=["hydra/launcher=submitit_slurm", *overrides],
                return_hydra_config=True,
            )
    except HydraException as exc:  # e.g. hydra.launcher.timeout_min=abc
        raise ConfigError(f"hydra/launcher=submitit_slurm: {' '.join(str(exc).split())}") from exc
    finally:
        GlobalHydra.instance().clear()
    lc = cfg.hydra.launcher
    params: dict[str, Any] = {
        "time": int(lc.timeout_min),
        "nodes": int(lc.nodes),
        "ntasks_per_node": int(lc.tasks_per_node),
        "cpus_per_task": lc.cpus_per_task,
        "job_name": str(lc.name),
        "signal_delay_s": int(lc.signal_delay_s),
    }
    if lc.mem_gb is not None:
        params["mem"] = f"{lc.mem_gb}GB"
    for key in ("partition", "qos", "account", "constraint", "comment"):
        if lc.get(key) is not None:
            params[key] = str(lc[key])
    return str(_make_sbatch_string(command="rex sweep (one job)", folder=str(folder), **params))


@functools.cache
def _parser() -> OverridesParser:
    return OverridesParser.create()


def _parse_value(key: str, text: str) -> Any:
    """A job's override value as Hydra gave it to the config (``5e-05`` is a float).

    Lists, dicts and anything Hydra does not read as one scalar stay text.
    """
    try:
        value = _parser().parse_overrides([f"{key}={text}"])[0].value()
    except Exception:
        return text
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else text
    return text


def _arrow_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Columns parquet cannot store (mixed types, nested values) as text; nothing dropped."""
    out = df.copy()
    for name in out.columns:
        col = out[name]
        if col.dtype != object:
            continue
        try:
            pa.array(col.tolist(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            out[name] = [
                None if v is None or (isinstance(v, float) and math.isnan(v)) else
                json.dumps(v) if isinstance(v, list | dict) else str(v)
                for v in col.tolist()
            ]  # fmt: skip
    return out


def aggregate(sweep_dir: Path, *, confidence: float = 0.95) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Collect every job of a sweep folder; write ``sweep_jobs.*`` and ``sweep_summary.*``.

    Returns:
        ``(jobs, summary)``: one row per job (status, swept parameters, every summary
        metric) and, per grid point (swept parameters other than ``seed``) and metric,
        ``n``, ``mean``, ``std``, ``ci_low``, ``ci_high`` over the complete jobs.
    """
    sweep_dir = Path(sweep_dir)
    rows = []
    timing_rows = []
    override_keys: set[str] = set()
    for job in sorted(p for p in sweep_dir.iterdir() if p.is_dir() and p.name.startswith("job_")):
        meta = read_meta(job)
        row: dict[str, Any] = {"job": job.name, "status": meta.get("status", "missing")}
        for o in meta.get("overrides") or []:
            key, _, value = o.partition("=")
            key = key.lstrip("+~")
            row[key] = _parse_value(key, value)
            override_keys.add(key)
        summ = job / "summary.json"
        if row["status"] == "complete" and summ.is_file():
            values = json.loads(summ.read_text(encoding="utf-8"))
            timing = {k: values.pop(k) for k in TIMING_KEYS if k in values}  # older folders
            if (job / "timing.json").is_file():
                timing.update(json.loads((job / "timing.json").read_text(encoding="utf-8")))
            row.update(values)
            timing_rows.append({"job": job.name, **timing})
        else:
            row["reason"] = meta.get("reason")
        rows.append(row)
    jobs = pd.DataFrame(rows)
    params = [c for c in swept_parameters(jobs, override_keys) if c != "seed"]
    done = jobs[jobs["status"] == "complete"] if len(jobs) else jobs
    metrics = [c for c in done.columns if c not in override_keys | {"job", "status", "reason"}]
    summary = (
        replication_table(done[params + metrics], by=params, confidence=confidence)
        if len(done)
        else pd.DataFrame()
    )
    write_text(sweep_dir / "sweep_timing.csv", pd.DataFrame(timing_rows).to_csv(index=False))
    for name, df in (("sweep_jobs", jobs), ("sweep_summary", summary)):
        write_text(sweep_dir / f"{name}.csv", df.to_csv(index=False))
        T.write_table(_arrow_safe(df), sweep_dir / f"{name}.parquet")
    return jobs, summary


def swept_parameters(jobs: pd.DataFrame, override_keys: set[str]) -> list[str]:
    """Override keys that take more than one value across the jobs, in column order."""
    return [c for c in jobs.columns if c in override_keys and jobs[c].astype(str).nunique() > 1]
