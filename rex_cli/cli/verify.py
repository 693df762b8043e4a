"""``rex verify``: re-run a run folder from its saved config and compare its outputs."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from omegaconf import OmegaConf

from rex_cli.analysis.replications import replication_table
from rex_cli.cli.errors import allow_fast_exit, fail, friendly_errors
from rex_cli.cli.stdout import to_stderr
from rex_cli.pipeline import execute_run, load_run_config
from rex_cli.records.check import TIMING_KEYS, compare_outputs, deterministic_summary
from rex_cli.records.digest import CANONICAL, read_digest, run_digests, table_digest
from rex_cli.records.rundir import read_meta


def verify(
    run_dir: Annotated[
        Path,
        typer.Argument(help="A complete run folder (or replications/sweep folder) of Rex."),
    ],
) -> None:
    """Re-simulate RUN_DIR from its saved config.yaml and compare everything deterministic.

    Every table under records/ (canonical and derived) must be present and identical
    (same digest) to the re-run's, and summary.json equal except its wall-clock keys
    (timing.json is not compared). A canonical table listed in digest.txt but missing
    fails. A replications folder verifies every rep_NNN and its replications table; a
    sweep folder every complete job. Exits 0 when all match, 1 listing what differs,
    2 for a folder that is not a complete run.
    """
    allow_fast_exit()
    with friendly_errors(), to_stderr():  # the re-run's solver banners stay off stdout
        if not run_dir.is_dir():
            fail(f"{run_dir}: no such folder")
        subs = _sub_runs(run_dir)
        if subs is None:
            problems, n = _verify_one(run_dir)
            where = ""
        else:
            problems, n = [], 0
            for sub in subs:
                p, k = _verify_one(sub)
                problems += [f"{sub.name}: {x}" for x in p]
                n += k
            problems += _check_replications_table(run_dir, subs)
            where = f" in {len(subs)} runs"
    if not problems:
        typer.echo(f"identical: {n} tables and the summary{where}")
        return
    typer.echo(f"DIFFERENT: {len(problems)} difference(s){where}", err=True)
    for line in problems[:20]:
        typer.echo(f"  {line}", err=True)
    raise typer.Exit(1)


def _sub_runs(folder: Path) -> list[Path] | None:
    """The runs of a replications or sweep folder, or ``None`` for a single run."""
    meta = read_meta(folder)
    if (folder / "sweep.json").is_file():
        jobs = sorted(p for p in folder.glob("job_*") if p.is_dir())
        done = [p for p in jobs if read_meta(p).get("status") == "complete"]
        if not done:
            fail(f"{folder}: no complete job to verify")
        return done
    if meta.get("kind") == "replications":
        if meta.get("status") != "complete":
            fail(f"{folder}: run status is {meta.get('status')!r}, not 'complete'")
        reps = sorted(p for p in folder.glob("rep_*") if p.is_dir())
        if len(reps) != meta.get("replications"):
            fail(f"{folder}: {len(reps)} rep_* folders, expected {meta.get('replications')}")
        return reps
    return None


def _verify_one(run_dir: Path) -> tuple[list[str], int]:
    """Differences between a run folder and a fresh re-run of its config."""
    meta = read_meta(run_dir)
    if not meta or not (run_dir / "config.yaml").is_file():
        fail(f"{run_dir}: not a run folder (no meta.json or config.yaml)")
    if meta.get("status") != "complete":
        fail(f"{run_dir}: run status is {meta.get('status')!r}, not 'complete'")
    problems: list[str] = []
    recorded = read_digest(run_dir)
    listed = [k for k in recorded if k in CANONICAL]
    present = run_digests(run_dir)
    for name in listed:
        if name not in present:
            problems.append(f"table {name}: missing (records/{name}.parquet)")
    altered = sorted(k for k in present if recorded.get(k) != present[k])
    if altered:
        typer.echo(f"note: saved tables changed since the run: {', '.join(altered)}", err=True)
    cfg = load_run_config(run_dir)
    raw = OmegaConf.load(run_dir / "config.yaml")
    with tempfile.TemporaryDirectory(prefix="rex-verify-") as tmp:
        again = Path(tmp) / "run"
        again.mkdir()
        # Figures are not compared: skip drawing them.
        overrides = list(meta.get("overrides") or [])
        execute_run(cfg, raw, again, overrides=overrides, figures=False)  # type: ignore[arg-type]
        found = compare_outputs(run_dir, again)
        n = len(list((again / "records").glob("*.parquet")))
    problems += [p for p in found if p not in problems]
    return problems, n


def _check_replications_table(folder: Path, reps: list[Path]) -> list[str]:
    """The saved replications table must follow from the replications' summaries."""
    if (folder / "sweep.json").is_file():
        return []
    path = folder / "replications.parquet"
    if not path.is_file():
        return ["replications.parquet: missing"]
    cfg = load_run_config(reps[0])
    rows = [
        {"replication": i, "seed": read_meta(rep).get("seed"), **deterministic_summary(rep)}
        for i, rep in enumerate(reps)
    ]
    table = replication_table(pd.DataFrame(rows), confidence=cfg.analysis.confidence)
    saved = pd.read_parquet(path)
    saved = saved[~saved["metric"].isin(TIMING_KEYS)]

    def by_metric(df: pd.DataFrame) -> pd.DataFrame:  # metric order is not meaningful
        return df.sort_values("metric", kind="stable").reset_index(drop=True)

    if table_digest(by_metric(table)) != table_digest(by_metric(saved)):
        return ["replications.parquet: differs from the replications' summaries"]
    return []
