"""``rex config``: show the resolved config, check that every option composes."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer
from omegaconf import OmegaConf

from rex_cli.cli.errors import fail, friendly_errors
from rex_cli.config.load import ConfigError, config_dir, group_options, load_config

app = typer.Typer(help="Inspect and check configuration.", no_args_is_help=True)


@app.command("show")
def show(
    overrides: Annotated[
        list[str] | None, typer.Argument(help="Hydra overrides, as for `rex run`.")
    ] = None,
) -> None:
    """Print the resolved, validated config as YAML.

    Overrides follow Hydra's grammar: `key=value` changes a value, `group=option`
    picks a file of conf/<group>/ (e.g. population=tiny, debug=tiny).
    """
    with friendly_errors():
        _, raw = load_config(list(overrides or []))
        typer.echo(OmegaConf.to_yaml(raw, resolve=True), nl=False)


@app.command("check")
def check() -> None:
    """Compose and validate every option of every config group; exit 1 if any fails."""
    with friendly_errors():
        root = config_dir()
        groups = sorted(p.name for p in root.iterdir() if p.is_dir() and p.name != "hydra")
        n, bad = 0, 0
        for group in groups:
            for option in group_options(group):
                n += 1
                try:
                    load_config([f"{group}={option}"])
                except ConfigError as exc:
                    bad += 1
                    typer.echo(f"FAIL {group}={option}: {exc}", err=True)
        typer.echo(f"{n - bad}/{n} options compose and validate")
        if bad:
            raise typer.Exit(1)


@app.command("export")
def export(
    folder: Annotated[Path, typer.Argument(help="A new folder to copy the configs into.")],
) -> None:
    """Copy the config folder in use into FOLDER, to edit and use with --config-dir.

    `rex --config-dir FOLDER run ...` (or REX_CONFIG_DIR=FOLDER) then composes from
    your copy instead of the configs shipped with Rex. Prints FOLDER.
    """
    with friendly_errors():
        if folder.exists():
            fail(f"{folder}: already exists (export writes a new folder)")
        shutil.copytree(config_dir(), folder)
        typer.echo(str(folder))
