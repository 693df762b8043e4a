"""``rex report``: rebuild tables, summary and figures of a run from its saved records."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from rex_cli.cli.errors import fail, friendly_errors
from rex_cli.pipeline import analyse_run, load_run_config
from rex_cli.records import tables as T
from rex_cli.records.check import deterministic_summary, missing_records
from rex_cli.records.rundir import read_meta, write_json, write_text
from rex_cli.report import write_report


def report(
    run_dir: Annotated[
        Path,
        typer.Argument(help="A run folder written by `rex run` (or a replications/sweep one)."),
    ],
) -> None:
    """Rebuild RUN_DIR's tables, summary and figures from its saved records; write reports.

    Never re-simulates. Writes report.md and a self-contained report.html (figures
    embedded) with the headline table. Refuses a run that is not complete or misses a
    record it rebuilds from. Given a replications folder, reports every rep_NNN and
    rebuilds replications.csv/.parquet and per_run.csv; given a sweep folder,
    re-aggregates its jobs (sweep_jobs, sweep_summary) and redraws the response figures.
    """
    with friendly_errors():
        if not run_dir.is_dir():
            fail(f"{run_dir}: no such folder")
        if (run_dir / "sweep.json").is_file():
            _report_sweep(run_dir)
            return
        meta = read_meta(run_dir)
        if meta.get("kind") == "replications":
            _report_replications(run_dir, meta)
            return
        _report_one(run_dir)
        typer.echo("wrote report.md and report.html", err=True)
        typer.echo(str(run_dir))


def _report_one(run_dir: Path) -> None:
    if not (run_dir / "config.yaml").is_file():
        fail(f"{run_dir}: not a run folder (no config.yaml)")
    meta = read_meta(run_dir)
    status = meta.get("status")
    if status != "complete":
        fail(f"{run_dir}: run status is {status!r}, not 'complete'")
    cfg = load_run_config(run_dir)
    missing = missing_records(run_dir, cfg)
    if missing:
        fail(f"{run_dir}: missing records {', '.join(missing)} (records/<name>.parquet)")
    analyse_run(run_dir, cfg, figures=True)
    write_report(run_dir)


def _report_replications(folder: Path, meta: dict[str, Any]) -> None:
    if meta.get("status") != "complete":
        fail(f"{folder}: run status is {meta.get('status')!r}, not 'complete'")
    from rex_cli.analysis.replications import replication_table

    reps = sorted(p for p in folder.glob("rep_*") if p.is_dir())
    if len(reps) != meta.get("replications"):
        fail(f"{folder}: {len(reps)} rep_* folders, expected {meta.get('replications')}")
    for rep in reps:
        _report_one(rep)
    rows = [
        {"replication": i, "seed": read_meta(rep).get("seed"), **deterministic_summary(rep)}
        for i, rep in enumerate(reps)
    ]
    per_run = pd.DataFrame(rows)
    cfg = load_run_config(reps[0])
    table = replication_table(per_run, confidence=cfg.analysis.confidence)
    T.write_table(table, folder / "replications.parquet")
    write_text(folder / "replications.csv", table.to_csv(index=False))
    write_text(folder / "per_run.csv", per_run.to_csv(index=False))
    means = dict(zip(table["metric"], table["mean"], strict=True))
    summ: dict[str, Any] = {k: (None if pd.isna(v) else float(v)) for k, v in means.items()}
    summ["replications"] = len(reps)
    write_json(folder / "summary.json", summ)
    typer.echo(f"{len(reps)} replications reported; replications.csv rebuilt", err=True)
    typer.echo(str(folder))


def _report_sweep(sweep_dir: Path) -> None:
    from rex_cli.plots.sweep import draw_responses
    from rex_cli.sweep import aggregate, read_sweep

    jobs, summary = aggregate(sweep_dir)
    figs = draw_responses(jobs, summary, sweep_dir / "figures")
    status = jobs["status"].astype(str) if len(jobs) else pd.Series([], dtype=str)
    ok = int((status == "complete").sum())
    info = read_sweep(sweep_dir)
    total = max(int(info.get("jobs") or 0), len(jobs))
    counts = status[status != "complete"].value_counts()
    others: list[str] = [f"{int(n)} {s}" for s, n in counts.items()]
    if total > len(jobs):
        others.append(f"{total - len(jobs)} not started")
    detail = f" ({', '.join(others)})" if others else ""
    typer.echo(
        f"{ok}/{total} jobs complete{detail}; sweep {info.get('status', 'unknown')}; "
        f"{len(figs)} response figures",
        err=True,
    )
    typer.echo(str(sweep_dir))
