"""``rex run``: simulate one scenario into a run folder."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from rex_cli.cli.errors import allow_fast_exit, fail, friendly_errors
from rex_cli.cli.stdout import to_stderr
from rex_cli.config.load import load_config
from rex_cli.pipeline import execute_replications, execute_run
from rex_cli.records.rundir import new_run_dir
from rex_cli.scenario.build import preflight
from rex_cli.scenario.limits import DEFAULT_MAX_EVENTS, DEFAULT_MAX_MEMORY_GB, Limits

MAX_EVENTS_HELP = (
    "Refuse runs estimated to process more engine events than this "
    f"(default {DEFAULT_MAX_EVENTS:.0e})."
)
MAX_MEMORY_HELP = (
    f"Refuse runs estimated to need more memory than this, GB (default {DEFAULT_MAX_MEMORY_GB:g})."
)


def run(
    overrides: Annotated[
        list[str] | None,
        typer.Argument(help="Hydra overrides, e.g. market.tick=0.01 population=tiny debug=tiny."),
    ] = None,
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            help="Run folder, new or empty (default: a new stamped folder under outputs/runs/).",
        ),
    ] = None,
    progress: Annotated[
        bool | None,
        typer.Option(
            "--progress/--no-progress", help="Show a progress bar (default: output.progress)."
        ),
    ] = None,
    max_events: Annotated[
        float, typer.Option("--max-events", help=MAX_EVENTS_HELP)
    ] = DEFAULT_MAX_EVENTS,
    max_memory_gb: Annotated[
        float, typer.Option("--max-memory-gb", help=MAX_MEMORY_HELP)
    ] = DEFAULT_MAX_MEMORY_GB,
) -> None:
    """Simulate one scenario and write its run folder; print the folder's path on stdout.

    Stdout holds that one line (dir=$(rex run ...) works); the summary line, progress
    and any library output go to stderr.

    The folder holds config.yaml, overrides.yaml, meta.json, records/*.parquet,
    summary.json and figures/*.png. With replications=N it holds one such folder per
    replication (rep_000, ...) and replications.csv/.parquet (mean, std, confidence
    interval per metric). Bad input, and a run estimated to exceed the size limits,
    exit 2 before any folder is created. Exits 1 if the run ends failed, 130 on Ctrl-C
    and 143 on SIGTERM (the folder is then marked interrupted).
    """
    ov = list(overrides or [])
    allow_fast_exit()
    with friendly_errors(), to_stderr():
        cfg, raw = load_config(ov)
        # Files the run reads, quantities and size: checked before any folder is made.
        preflight(cfg, Limits(max_events=max_events, max_memory_gb=max_memory_gb))
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
                TimeRemainingColumn(),  # a 10k day takes ~10 min
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
        if result.status == "complete":
            s = result.summary
            vwap = "n/a" if s.get("vwap_mean") is None else f"{s['vwap_mean']:.4f}"
            what = "" if cfg.replications == 1 else f"{cfg.replications} replications, mean "
            typer.echo(
                f"{what}{s['trades']:.0f} trades, {s['volume_kwh']:.1f} kWh, "
                f"mean VWAP {vwap}/kWh, imbalance {s['imbalance_kwh']:.1f} kWh, "
                f"{result.wall_time_s:.1f} s",
                err=True,
            )
    typer.echo(str(result.run_dir))  # the one line on stdout
    if result.status != "complete":  # then one error line, exit 1
        fail(f"run {result.status}: {result.reason} ({result.run_dir})", code=1)
