"""Readable reports of a run folder: ``report.md`` and a self-contained ``report.html``.

Built from the saved tables and figures only (``rex report`` re-derives them first);
nothing is simulated here.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

import pandas as pd

from rex_cli.records import tables as T
from rex_cli.records.rundir import read_meta, write_text

__all__ = ["HEADLINE", "write_report"]

# (summary key, label, format)
HEADLINE: tuple[tuple[str, str, str], ...] = (
    ("welfare_rex", "welfare, Rex (currency)", "{:.3f}"),
    ("welfare_no_market", "welfare, no market (currency)", "{:.3f}"),
    ("welfare_same_info", "welfare, same-information planner (currency)", "{:.3f}"),
    ("welfare_planner", "welfare, perfect-foresight planner (currency)", "{:.3f}"),
    ("efficiency", "efficiency (Rex − no market)/(planner − no market)", "{:.3f}"),
    ("efficiency_same_info", "efficiency (Rex − no market)/(same-info − no market)", "{:.3f}"),
    ("information_loss", "information loss, planner − same-info (currency)", "{:.3f}"),
    ("strategy_loss", "strategy and market-rule loss, same-info − Rex (currency)", "{:.3f}"),
    ("efficiency_note", "efficiency note", "{}"),
    ("volume_kwh", "volume traded (kWh)", "{:.1f}"),
    ("trades", "trades", "{:d}"),
    ("vwap_mean", "mean VWAP over units (currency/kWh)", "{:.4f}"),
    ("vwap_std", "std of VWAP over units", "{:.4f}"),
    ("spread_mean", "mean time-weighted spread (currency/kWh)", "{:.4f}"),
    ("imbalance_kwh", "imbalance, Σ abs(x − y) (kWh)", "{:.1f}"),
    ("imbalance_cost", "imbalance payments to the operator (currency)", "{:.3f}"),
    ("backup_kwh_physical", "backup energy, physical (kWh)", "{:.2f}"),
    ("spilled_kwh_physical", "spilled energy, physical (kWh)", "{:.2f}"),
    ("backup_kwh_settlement", "system short, settled (kWh)", "{:.1f}"),
    ("spilled_kwh_settlement", "system long, settled (kWh)", "{:.1f}"),
    ("fuel_cost", "fuel cost (currency)", "{:.3f}"),
    ("rhpo_solves", "RHPO solves", "{:d}"),
    ("rhpo_solves_per_arrival", "RHPO solves per arrival", "{:.3f}"),
    ("rhpo_solve_ms_median", "RHPO solve, median (ms)", "{:.3f}"),
    ("rhpo_infeasible", "RHPO failed solves", "{:d}"),
    ("cash_residual", "cash residual (0 = conserved)", "{:.2e}"),
    ("energy_residual_kwh", "energy residual, kWh (0 = conserved)", "{:.2e}"),
    ("events_processed", "events processed", "{:d}"),
    ("wall_time_s", "wall time (s)", "{:.2f}"),
    ("same_info_wall_s", "same-information planner's wall time (s)", "{:.2f}"),
)


def _fmt(value: Any, fmt: str) -> str:
    if value is None:
        return "n/a"
    try:
        return fmt.format(value)
    except (ValueError, TypeError):
        return str(value)


def headline_rows(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """The headline table as (label, formatted value), for the keys present."""
    return [
        (label, _fmt(summary[key], fmt))
        for key, label, fmt in HEADLINE
        if key in summary and not (key == "efficiency_note" and summary[key] is None)
    ]


def _md_table(df: pd.DataFrame, floatfmt: str = "{:.4g}") -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(map(str, cols)) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        cells = [floatfmt.format(v) if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _by_kind(agents: pd.DataFrame) -> pd.DataFrame:
    cols = [
        c
        for c in (
            "bought_kwh",
            "sold_kwh",
            "trade_cash",
            "imbalance_payment",
            "fuel_cost",
            "net_cost",
            "degradation_cost",
            "comfort_cost",
            "storage_cost",
            "backup_cost_share",
        )
        if c in agents
    ]
    out = agents.groupby("kind")[cols].sum()
    out.insert(0, "agents", agents.groupby("kind").size())
    return out.reset_index()


def write_report(run_dir: Path) -> tuple[Path, Path]:
    """Write ``report.md`` and ``report.html`` (figures embedded) into ``run_dir``.

    Returns:
        The two paths.
    """
    run_dir = Path(run_dir)
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    timing = run_dir / "timing.json"
    if timing.is_file():  # wall-clock figures, shown in the headline too
        summary.update(json.loads(timing.read_text(encoding="utf-8")))
    meta = read_meta(run_dir)
    agents = T.read_table(run_dir, "agents")
    kinds = _by_kind(agents)
    figures = sorted((run_dir / "figures").glob("*.png"))
    head = headline_rows(summary)
    title = f"Rex run {run_dir.name}"
    overrides = meta.get("overrides") or []
    md = [
        f"# {title}",
        "",
        f"Status: **{meta.get('status', 'unknown')}**, seed {meta.get('seed')}, "
        f"overrides: `{' '.join(overrides) or '(none)'}`.",
        "",
        "## Headline",
        "",
        "| metric | value |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in head],
        "",
        "## By agent type (totals)",
        "",
        _md_table(kinds),
        "",
        "## Figures",
        "",
        *[f"![{f.stem}](figures/{f.name})\n" for f in figures],
    ]
    md_path = run_dir / "report.md"
    write_text(md_path, "\n".join(md) + "\n")

    imgs = []
    for f in figures:
        data = base64.b64encode(f.read_bytes()).decode("ascii")
        imgs.append(
            f'<figure><img alt="{html.escape(f.stem)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(f.stem)}</figcaption></figure>"
        )
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in head)
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
td, th {{ border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }}
td:first-child, th:first-child {{ text-align: left; }}
img {{ max-width: 100%; }} figure {{ margin: 1.5em 0; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p>Status: <b>{html.escape(str(meta.get("status", "unknown")))}</b>, seed {meta.get("seed")},
overrides: <code>{html.escape(" ".join(overrides) or "(none)")}</code>.</p>
<h2>Headline</h2><table><tr><th>metric</th><th>value</th></tr>{rows}</table>
<h2>By agent type (totals)</h2>{kinds.to_html(index=False, float_format=lambda x: f"{x:.4g}")}
<h2>Figures</h2>{"".join(imgs)}
</body></html>
"""
    html_path = run_dir / "report.html"
    write_text(html_path, page)
    return md_path, html_path
