"""``rex run``: simulate one scenario into a run folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rex_cli.cli.errors import friendly_errors
from rex_cli.cli.stdout import to_stderr
from rex_cli.config.load import load_config
from rex_cli.pipeline import execute_replications, execute_run
from rex_cli.records.rundir import new_run_dir
from rex_cli.scenario.build import preflight


def run(
    overrides: Annotated[
        list[str] | None,
        typer.Argument(help="Hydra overrides, e.g. market.tick=0.01 population=tiny debug=tiny."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Run folder (default: a new stamped folder under outputs/runs/)."
        ),
    ] = None,
    progress: Annotated[
        bool | None,
        typer.Option(
            "--progress/--no-progress", help="Show a progress bar (default: output.progress)."
        ),
    ] = None,
) -> None:
    """Simulate one scenario and write its run folder; print the folder's path on stdout.

    Stdout holds that one line (dir=$(rex run ...) works); the summary line, progress
    and any library output go to stderr.

    The folder holds config.yaml, overrides.yaml, meta.json, records/*.parquet,
    summary.json and figures/*.png. With replications=N it holds one such folder per
    replication (rep_000, ...) and replications.csv/.parquet (mean, std, confidence
    interval per metric). Bad input exits 2 before any folder is created.
    """
    ov = list(overrides or [])
    with friendly_errors(), to_stderr():
        cfg, raw = load_config(ov)
        preflight(cfg)  # files the run reads, checked before any folder is made
        run_dir = new_run_dir(out)
        show = cfg.output.progress if progress is None else progress
        execute = execute_run if cfg.replications == 1 else execute_replications
        total = cfg.n_units * cfg.replications
        if show:
            bar = Progress(
                TextColumn("[bold]rex run[/bold] delivering units"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                transient=True,
                console=Console(stderr=True),
            )
            with bar:
                task = bar.add_task("units", total=total)
                result = execute(
                    cfg, raw, run_dir, overrides=ov,
                    progress=lambda done, total: bar.update(task, completed=done),
                )  # fmt: skip
        else:
            result = execute(cfg, raw, run_dir, overrides=ov)
        s = result.summary
        vwap = "n/a" if s.get("vwap_mean") is None else f"{s['vwap_mean']:.4f}"
        what = "" if cfg.replications == 1 else f"{cfg.replications} replications, mean "
        typer.echo(
            f"{what}{s['trades']:.0f} trades, {s['volume_kwh']:.1f} kWh, mean VWAP {vwap}/kWh, "
            f"imbalance {s['imbalance_kwh']:.1f} kWh, {result.wall_time_s:.1f} s",
            err=True,
        )
    typer.echo(str(result.run_dir))  # the one line on stdout
