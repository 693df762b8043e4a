"""The ``rex`` command: one Typer app, one module per command."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from rex_cli.cli import config as config_cmd
from rex_cli.cli import report as report_cmd
from rex_cli.cli import run as run_cmd
from rex_cli.cli import sweep as sweep_cmd
from rex_cli.cli import verify as verify_cmd
from rex_cli.cli.errors import fast_exit_allowed, set_debug


class _RexApp(typer.Typer):
    """The Typer app; after an interrupt it exits at once (no slow tear-down of a big run).

    The folder is already marked ``interrupted`` and the message printed by then, so
    Ctrl-C or SIGTERM ends ``rex run`` within a second even with gigabytes in memory.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except SystemExit as exc:
            if exc.code in (130, 143) and fast_exit_allowed():
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(exc.code)
            raise


app = _RexApp(
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
