"""What a complete run folder must hold, and how two runs' outputs are compared.

``rex verify`` re-runs a folder's config and compares every deterministic output:
every table under ``records/`` (canonical and derived) by ``table_digest``, and
``summary.json`` without wall-clock keys (those live in ``timing.json``). ``rex report``
refuses a folder missing a record it rebuilds from.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rex_cli.config.schema import RexConfig
from rex_cli.records import tables as T
from rex_cli.records.digest import table_digest

__all__ = [
    "TIMING_KEYS",
    "all_table_digests",
    "compare_outputs",
    "deterministic_summary",
    "missing_records",
    "required_records",
]

# Wall-clock figures: differ between identical runs (older folders kept them in summary.json).
TIMING_KEYS = frozenset(
    {"wall_time_s", "simulation_s", "rhpo_solve_ms_median", "rhpo_solve_ms_p95"}
)


def required_records(cfg: RexConfig) -> list[str]:
    """The record tables a complete run of ``cfg`` writes and ``rex report`` reads."""
    names = ["trades", "quotes", "gate", "settlement", "unit_prices", "depth", "agent_info"]
    names.append("plants")
    if cfg.output.record_orders:
        names.append("order_events")
    pop = cfg.population
    if pop.households.count + pop.wind_farms.count:
        names += ["forecasts", "realisations", "nmae"]
    if pop.wind_farms.count:
        names.append("wind")
    if pop.homes.count:
        names.append("clients")
    return names


def missing_records(run_dir: Path, cfg: RexConfig) -> list[str]:
    """Required record tables absent from ``run_dir/records``."""
    rec = Path(run_dir) / "records"
    return [n for n in required_records(cfg) if not (rec / f"{n}.parquet").is_file()]


def all_table_digests(run_dir: Path) -> dict[str, str]:
    """``table_digest`` of every table in ``run_dir/records`` (canonical and derived)."""
    rec = Path(run_dir) / "records"
    return {
        p.stem: table_digest(T.read_table(run_dir, p.stem)) for p in sorted(rec.glob("*.parquet"))
    }


def deterministic_summary(run_dir: Path) -> dict[str, Any]:
    """``summary.json`` without its wall-clock keys (empty if absent)."""
    path = Path(run_dir) / "summary.json"
    if not path.is_file():
        return {}
    summary = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in summary.items() if k not in TIMING_KEYS}


def compare_outputs(saved: Path, again: Path) -> list[str]:
    """Every difference between two runs' deterministic outputs, one line each.

    Tables: missing from ``saved``, only in ``saved``, or with another digest. Summary:
    missing, or keys whose values differ.
    """
    problems = []
    old, new = all_table_digests(saved), all_table_digests(again)
    for name in sorted(new.keys() - old.keys()):
        problems.append(f"table {name}: missing (records/{name}.parquet)")
    for name in sorted(old.keys() - new.keys()):
        problems.append(f"table {name}: not written by the re-run")
    for name in sorted(old.keys() & new.keys()):
        if old[name] != new[name]:
            problems.append(f"table {name}: differs")
    s_old, s_new = deterministic_summary(saved), deterministic_summary(again)
    if not s_old:
        problems.append("summary.json: missing")
    else:
        for key in sorted(s_old.keys() | s_new.keys()):
            if s_old.get(key) != s_new.get(key):
                problems.append(
                    f"summary {key}: saved {s_old.get(key)!r}, re-run {s_new.get(key)!r}"
                )
    return problems
