"""``rex verify``: re-run a run folder from its saved config and compare digests."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from omegaconf import OmegaConf

from rex_cli.cli.errors import fail, friendly_errors
from rex_cli.pipeline import execute_run, load_run_config
from rex_cli.records.digest import read_digest, run_digests, write_digest
from rex_cli.records.rundir import read_meta


def verify(
    run_dir: Annotated[Path, typer.Argument(help="A complete run folder written by `rex run`.")],
) -> None:
    """Re-simulate RUN_DIR from its saved config.yaml and compare its tables.

    Every canonical record table of the re-run must be identical (same digest) to the
    one saved in RUN_DIR. Exits 0 when all are, 1 listing the tables and headline
    figures that differ. Also notes saved tables changed since their digest.txt.
    """
    with friendly_errors():
        meta = read_meta(run_dir)
        if meta.get("status") != "complete":
            fail(f"{run_dir}: run status is {meta.get('status')!r}, not 'complete'")
        recorded = read_digest(run_dir)
        expected = run_digests(run_dir)
        altered = sorted(k for k in expected if recorded.get(k) != expected[k])
        if altered:
            typer.echo(f"note: saved tables changed since the run: {', '.join(altered)}", err=True)
        cfg = load_run_config(run_dir)
        raw = OmegaConf.load(run_dir / "config.yaml")
        with tempfile.TemporaryDirectory(prefix="rex-verify-") as tmp:
            again = Path(tmp) / "run"
            again.mkdir()
            # Figures are not part of the digest: skip drawing them.
            overrides = list(meta.get("overrides") or [])
            execute_run(cfg, raw, again, overrides=overrides, figures=False)  # type: ignore[arg-type]
            got = write_digest(again)
            summary_new = json.loads((again / "summary.json").read_text(encoding="utf-8"))
        differ = sorted(k for k in expected if got.get(k) != expected[k])
        if not differ:
            typer.echo(f"identical: {len(expected)} tables, run digest {got['run'][:16]}")
            return
        summary_old = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
        changed = [
            k
            for k in sorted(summary_old)
            if k not in ("wall_time_s", "rhpo_solve_ms_median", "rhpo_solve_ms_p95")
            and summary_old.get(k) != summary_new.get(k)
        ]
        typer.echo(f"DIFFERENT: tables {', '.join(differ)}", err=True)
        for k in changed[:10]:
            typer.echo(
                f"  {k}: saved {summary_old.get(k)!r}, re-run {summary_new.get(k)!r}", err=True
            )
        raise typer.Exit(1)
