"""The ``rex`` command: one Typer app, one module per command."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from rex_cli.cli import config as config_cmd
from rex_cli.cli import report as report_cmd
from rex_cli.cli import run as run_cmd
from rex_cli.cli import sweep as sweep_cmd
from rex_cli.cli import verify as verify_cmd
from rex_cli.cli.errors import set_debug

app = typer.Typer(
    name="rex",
    help="Rex: simulate a reservation exchange (continuous double auction on a 3-D order book).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show full tracebacks instead of one-line errors.")
    ] = False,
    config_dir: Annotated[
        Path | None,
        typer.Option(
            "--config-dir",
            help="Your own config folder (start from `rex config export DIR`); "
            "the same as setting REX_CONFIG_DIR. Default: the configs shipped with Rex.",
        ),
    ] = None,
) -> None:
    """Rex: a reservation-exchange simulator for energy-market research."""
    set_debug(debug)
    if config_dir is not None:
        # An environment variable, so that sweep workers in other processes see it too.
        os.environ["REX_CONFIG_DIR"] = str(config_dir.expanduser().resolve())


app.command("run")(run_cmd.run)
app.command("sweep")(sweep_cmd.sweep)
app.command("report")(report_cmd.report)
app.command("verify")(verify_cmd.verify)
app.add_typer(config_cmd.app, name="config")
