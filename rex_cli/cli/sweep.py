"""``rex sweep``: run a parameter grid (or a named study) through Hydra's multirun."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from rex_cli.cli.errors import fail, friendly_errors
from rex_cli.cli.run import MAX_EVENTS_HELP, MAX_MEMORY_HELP
from rex_cli.cli.stdout import to_stderr
from rex_cli.records.rundir import check_out_path
from rex_cli.scenario.limits import DEFAULT_MAX_EVENTS, DEFAULT_MAX_MEMORY_GB, Limits
from rex_cli.sweep import load_study, run_sweep, studies_dir


def _stamp_dir() -> Path:
    return Path("outputs/sweeps") / dt.datetime.now().strftime("%Y-%m-%d_%H-%M-%S.%f")


def sweep(
    args: Annotated[
        list[str] | None,
        typer.Argument(
            help="A study (a shipped name such as horizon, or a path to a study .yaml) "
            "and/or overrides; a comma sweeps: "
            "market.tick=0.001,0.002 seed=1,2,3 hydra/launcher=ray."
        ),
    ] = None,
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            help="Sweep folder, new or empty (default: a stamped folder under outputs/sweeps/).",
        ),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume", help="Continue the sweep in --out (same grid): skip its complete jobs."
        ),
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", help="Parallel jobs of the joblib launcher (default: cores)."),
    ] = None,
    max_events: Annotated[
        float, typer.Option("--max-events", help=MAX_EVENTS_HELP + " Per job.")
    ] = DEFAULT_MAX_EVENTS,
    max_memory_gb: Annotated[
        float, typer.Option("--max-memory-gb", help=MAX_MEMORY_HELP + " Per job.")
    ] = DEFAULT_MAX_MEMORY_GB,
) -> None:
    """Run every point of a grid as its own run folder, then aggregate over seeds.

    Jobs run on Hydra's joblib launcher (one per core) unless hydra/launcher=... is
    given. Sweeps default to output=minimal (no order events, no figures). The sweep
    folder gets sweep_jobs.csv/.parquet (one row per job), sweep_summary.csv/.parquet
    (per grid point: mean, std and 95% CI over seeds) and response figures. Stdout holds
    one line, the sweep folder; everything else goes to stderr. Every grid point is
    validated, and checked against the size limits, before anything runs. Exits 1
    unless every job completes (130/143 if interrupted).
    """
    with friendly_errors(), to_stderr():
        items = list(args or [])
        overrides: list[str] = []
        for item in items:
            if "=" not in item:
                overrides += load_study(item)
            else:
                overrides.append(item)
        if resume and out is None:
            fail("--resume needs --out DIR (the sweep folder to resume)")
        if out is not None and not (Path(out) / "sweep.json").is_file():
            check_out_path(out)  # fail fast; run_sweep checks again as it claims the folder
        sweep_dir = Path(out) if out is not None else _stamp_dir()
        limits = Limits(max_events=max_events, max_memory_gb=max_memory_gb)
        result = run_sweep(overrides, sweep_dir, resume=resume, n_jobs=jobs, limits=limits)
        from rex_cli.plots.sweep import draw_responses

        draw_responses(result.jobs, result.summary, sweep_dir / "figures")
        ok = int((result.jobs["status"] == "complete").sum()) if len(result.jobs) else 0
        total = len(result.grid)
        typer.echo(
            f"{ok}/{total} jobs complete in {result.wall_time_s:.1f} s "
            f"(shipped studies: {studies_dir()})",
            err=True,
        )
    typer.echo(str(sweep_dir))  # the one line on stdout
    if ok < total:
        fail(f"sweep partial: {ok}/{total} jobs complete; see {sweep_dir}/sweep_jobs.csv, "
             "then --resume to re-run the others", code=1)  # fmt: skip
