"""``rex report``: rebuild tables, summary and figures of a run from its saved records."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rex_cli.cli.errors import fail, friendly_errors
from rex_cli.pipeline import analyse_run, load_run_config
from rex_cli.records.rundir import read_meta
from rex_cli.report import write_report


def report(
    run_dir: Annotated[Path, typer.Argument(help="A run folder written by `rex run`.")],
) -> None:
    """Rebuild RUN_DIR's tables, summary and figures from its saved records; write reports.

    Never re-simulates. Writes report.md and a self-contained report.html (figures
    embedded) with the headline table. Given a sweep folder, re-aggregates its jobs
    (sweep_jobs, sweep_summary) and redraws the response figures.
    """
    with friendly_errors():
        if (run_dir / "sweep.json").is_file():
            _report_sweep(run_dir)
            return
        if not (run_dir / "config.yaml").is_file():
            fail(f"{run_dir}: not a run folder (no config.yaml)")
        status = read_meta(run_dir).get("status")
        if status != "complete":
            fail(f"{run_dir}: run status is {status!r}, not 'complete'")
        cfg = load_run_config(run_dir)
        analyse_run(run_dir, cfg, figures=True)
        md, page = write_report(run_dir)
        typer.echo(f"wrote {md.name} and {page.name}", err=True)
        typer.echo(str(run_dir))


def _report_sweep(sweep_dir: Path) -> None:
    from rex_cli.plots.sweep import draw_responses
    from rex_cli.sweep import aggregate

    jobs, summary = aggregate(sweep_dir)
    figs = draw_responses(jobs, summary, sweep_dir / "figures")
    ok = int((jobs["status"] == "complete").sum()) if len(jobs) else 0
    typer.echo(f"{ok}/{len(jobs)} jobs complete; {len(figs)} response figures", err=True)
    typer.echo(str(sweep_dir))
