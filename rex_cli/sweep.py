"""Parameter sweeps through Hydra's own multirun machinery.

``run_sweep`` composes ``conf/`` with grid overrides (``market.tick=0.001,0.002
seed=1,2,3``) and hands the jobs to a Hydra launcher: joblib by default (one job per
core), or any ``hydra/launcher=...`` given (``ray``, ``submitit_slurm``). Each job is a
complete run folder ``<sweep>/<override_dirname>``; it records its own status, so one
failing job never loses the others, and ``resume`` skips jobs already complete. After
the launcher returns, ``aggregate`` reads every job's ``summary.json`` into
``sweep_jobs.*`` (one row per job) and ``sweep_summary.*`` (per grid point and metric:
n, mean, std and the Student-t interval over seeds).

Studies (``rex_cli/studies/NAME.yaml``, shipped with the package, or any study file
given by path) are Hydra overlays (``# @package _global_``):
their ``hydra.sweeper.params`` are the grid, ``defaults: - override /group: option``
entries pick config options and every other key is a fixed override.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
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
from rex_cli.records.rundir import read_meta, write_json, write_text

__all__ = [
    "SweepResult",
    "aggregate",
    "expand_grid",
    "launcher_options",
    "load_study",
    "run_sweep",
    "slurm_script",
    "studies_dir",
    "study_path",
]

log = logging.getLogger(__name__)

# Overrides a sweep adds unless the user gives their own.
SWEEP_DEFAULTS = ("output=minimal",)


@dataclass(frozen=True)
class SweepResult:
    """What a finished sweep returns."""

    sweep_dir: Path
    jobs: pd.DataFrame
    summary: pd.DataFrame
    wall_time_s: float


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


def _job_task(cfg: DictConfig, *, resume: bool) -> dict[str, Any]:
    """Run one job into Hydra's job folder; never raise (the status says what happened)."""
    from rex_cli.pipeline import execute_run  # imported in the worker process

    hc = HydraConfig.get()
    out = Path(hc.runtime.output_dir)
    overrides = [o for o in hc.overrides.task]
    meta = read_meta(out)
    if resume and meta.get("status") == "complete":
        return {"dir": str(out), "status": "skipped"}
    try:
        rcfg = validate(cfg)
        execute_run(rcfg, cfg, out, overrides=overrides)
        return {"dir": str(out), "status": read_meta(out).get("status", "missing")}
    except Exception as exc:  # recorded in meta.json by execute_run, or here
        if read_meta(out).get("status") in (None, "running"):
            reason = f"{type(exc).__name__}: {exc}"
            write_json(
                out / "meta.json", {"status": "failed", "reason": reason, "overrides": overrides}
            )
        log.error("job %s failed: %s", out.name, exc)
        return {"dir": str(out), "status": "failed", "reason": f"{type(exc).__name__}: {exc}"}


def run_sweep(
    overrides: Sequence[str],
    sweep_dir: Path,
    *,
    resume: bool = False,
    n_jobs: int | None = None,
) -> SweepResult:
    """Validate every grid point, launch the jobs through Hydra, aggregate.

    Args:
        overrides: Fixed and grid overrides (Hydra syntax, comma = sweep).
        sweep_dir: The sweep folder (created; with ``resume`` it may hold earlier jobs).
        resume: Skip jobs whose folder is already complete.
        n_jobs: Parallel jobs of the default joblib launcher (default: CPU count).

    Raises:
        ConfigError: A grid point that does not compose or validate (nothing is launched).
    """
    user = list(overrides)
    keys = {o.split("=", 1)[0].lstrip("+~") for o in user}
    ov = [d for d in SWEEP_DEFAULTS if d.split("=", 1)[0] not in keys] + user
    task_ov = [o for o in ov if not o.startswith("hydra")]
    hydra_ov = [o for o in ov if o.startswith("hydra")]
    jobs = expand_grid(task_ov)
    validate_many(jobs)  # every grid point must be valid before anything runs
    launcher = [o for o in hydra_ov if o.startswith("hydra/launcher=")]
    for o in launcher:
        _check_launcher(o.split("=", 1)[1])
    if not launcher:
        hydra_ov = [
            "hydra/launcher=joblib",
            f"hydra.launcher.n_jobs={n_jobs or os.cpu_count() or 1}",
            *hydra_ov,
        ]
    sweep_dir = Path(sweep_dir)
    sweep_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    info = {
        "status": "running",
        "overrides": user,
        "jobs": len(jobs),
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
            hydra = GlobalHydra.instance().hydra
            assert hydra is not None
            hydra.multirun(
                config_name="config",
                task_function=functools.partial(_job_task, resume=resume),
                overrides=hydra_args,
            )
    except BaseException as exc:
        info.update(status="interrupted" if isinstance(exc, KeyboardInterrupt) else "failed",
                    reason=f"{type(exc).__name__}: {exc}")  # fmt: skip
        write_json(sweep_dir / "sweep.json", info)
        raise
    finally:
        GlobalHydra.instance().clear()
    jobs_df, summary = aggregate(sweep_dir)
    wall = time.perf_counter() - t0
    n_ok = int((jobs_df["status"] == "complete").sum()) if len(jobs_df) else 0
    info.update(
        status="complete" if n_ok == len(jobs) else "partial",
        complete_jobs=n_ok,
        failed_jobs=int((jobs_df["status"] == "failed").sum()) if len(jobs_df) else 0,
        wall_time_s=round(wall, 3),
    )
    write_json(sweep_dir / "sweep.json", info)
    return SweepResult(sweep_dir=sweep_dir, jobs=jobs_df, summary=summary, wall_time_s=wall)


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


def _parse_value(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def aggregate(sweep_dir: Path, *, confidence: float = 0.95) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Collect every job of a sweep folder; write ``sweep_jobs.*`` and ``sweep_summary.*``.

    Returns:
        ``(jobs, summary)``: one row per job (status, swept parameters, every summary
        metric) and, per grid point (swept parameters other than ``seed``) and metric,
        ``n``, ``mean``, ``std``, ``ci_low``, ``ci_high`` over the complete jobs.
    """
    sweep_dir = Path(sweep_dir)
    rows = []
    override_keys: set[str] = set()
    for job in sorted(p for p in sweep_dir.iterdir() if p.is_dir() and p.name.startswith("job_")):
        meta = read_meta(job)
        row: dict[str, Any] = {"job": job.name, "status": meta.get("status", "missing")}
        for o in meta.get("overrides") or []:
            key, _, value = o.partition("=")
            row[key.lstrip("+")] = _parse_value(value)
            override_keys.add(key.lstrip("+"))
        summ = job / "summary.json"
        if row["status"] == "complete" and summ.is_file():
            row.update(json.loads(summ.read_text(encoding="utf-8")))
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
    for name, df in (("sweep_jobs", jobs), ("sweep_summary", summary)):
        write_text(sweep_dir / f"{name}.csv", df.to_csv(index=False))
        tmp = sweep_dir / f"{name}.parquet.tmp"
        df.to_parquet(tmp, index=False)
        os.replace(tmp, sweep_dir / f"{name}.parquet")
    return jobs, summary


def swept_parameters(jobs: pd.DataFrame, override_keys: set[str]) -> list[str]:
    """Override keys that take more than one value across the jobs, in column order."""
    return [c for c in jobs.columns if c in override_keys and jobs[c].astype(str).nunique() > 1]
