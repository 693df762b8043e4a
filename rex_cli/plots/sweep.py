"""Response figures of a sweep: metric against a swept parameter, with CI bands."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd

__all__ = ["RESPONSE_METRICS", "draw_response", "draw_responses"]

RESPONSE_METRICS = (
    "efficiency",
    "efficiency_same_info",
    "information_loss",
    "strategy_loss",
    "welfare_rex",
    "vwap_mean",
    "vwap_std",
    "spread_mean",
    "volume_kwh",
    "imbalance_kwh",
    "imbalance_cost",
    "backup_kwh_physical",
    "spilled_kwh_physical",
    "fuel_cost",
)
STAT_COLS = {"metric", "n", "mean", "std", "ci_low", "ci_high"}


def draw_response(summary: pd.DataFrame, metric: str, x: str, hue: str | None, path: Path) -> Path:
    """Mean of ``metric`` against ``x`` with its CI band, one line per value of ``hue``."""
    d = summary[summary["metric"] == metric]
    fig, ax = plt.subplots(figsize=(6.5, 4))
    groups = [(None, d)] if hue is None else list(d.groupby(hue, sort=True))
    for key, g in groups:
        g = g.sort_values(x)
        label = None if hue is None else f"{hue}={key!s}"
        (line,) = ax.plot(g[x], g["mean"], "o-", ms=4, label=label)
        ax.fill_between(g[x], g["ci_low"], g["ci_high"], color=line.get_color(), alpha=0.2)
    ax.set_xlabel(x)
    ax.set_ylabel(metric)
    n = int(d["n"].min()) if len(d) else 0
    ax.set_title(f"{metric} vs {x} (mean and 95% CI, n ≥ {n} seeds)")
    ax.grid(alpha=0.3)
    if hue is not None:
        ax.legend(fontsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


def draw_responses(jobs: pd.DataFrame, summary: pd.DataFrame, fig_dir: Path) -> list[Path]:
    """One response figure per headline metric present, against the first swept parameter.

    The first numeric swept parameter is the x axis; the next one (if any) gives one
    line per value. Nothing is drawn when no parameter (other than the seed) was swept.
    """
    if summary.empty:
        return []
    params = [c for c in summary.columns if c not in STAT_COLS]
    numeric = [p for p in params if pd.api.types.is_numeric_dtype(summary[p])]
    if not params:
        return []
    x = numeric[0] if numeric else params[0]
    others = [p for p in params if p != x]
    hue = others[0] if others else None
    paths = []
    for metric in RESPONSE_METRICS:
        if (summary["metric"] == metric).any():
            paths.append(draw_response(summary, metric, x, hue, fig_dir / f"response_{metric}.png"))
    return paths
