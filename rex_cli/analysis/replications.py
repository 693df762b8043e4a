"""Statistics over independent replications (pure: table -> table)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.special import stdtrit

__all__ = ["replication_table", "t_interval"]


def t_interval(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float, float]:
    """Mean, sample standard deviation and Student-t confidence interval of ``values``.

    ``mean ± t_{(1+c)/2, n−1} · s/√n``; with fewer than two values the standard
    deviation and the interval are NaN. NaN values are ignored.

    Returns:
        ``(mean, std, low, high)``.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return math.nan, math.nan, math.nan, math.nan
    mean = float(x.mean())
    if n < 2:
        return mean, math.nan, math.nan, math.nan
    std = float(x.std(ddof=1))
    # stdtrit is the Student-t quantile (scipy.stats.t.ppf without importing scipy.stats).
    half = float(stdtrit(n - 1, 0.5 + confidence / 2.0)) * std / math.sqrt(n)
    return mean, std, mean - half, mean + half


def replication_table(
    per_run: pd.DataFrame, *, by: list[str] | None = None, confidence: float = 0.95
) -> pd.DataFrame:
    """Mean, std and confidence interval of every numeric metric over replications.

    Args:
        per_run: One row per run; numeric columns are metrics (None = missing, so a
            metric null in every run is still listed, with ``n = 0``), ``by`` columns
            group runs (e.g. grid-point parameters); other non-numeric columns are
            ignored.
        by: Grouping columns (``None``: all runs form one group).
        confidence: Confidence level of the Student-t interval.

    Returns:
        A tidy table: ``by`` columns, ``metric``, ``n``, ``mean``, ``std``,
        ``ci_low``, ``ci_high``.
    """
    by = list(by or [])
    skip = set(by) | {"seed", "replication"}
    per_run = per_run.copy()
    for c in per_run.columns:
        # A metric that is null in some runs (or all: e.g. an efficiency with a tiny
        # denominator) stays a metric: None counts as missing.
        col = per_run[c]
        if c not in skip and col.dtype == object:
            values = col.dropna()
            if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
                per_run[c] = pd.to_numeric(col, errors="coerce").astype(float)
    metrics = [
        c
        for c in per_run.columns
        if c not in skip
        and pd.api.types.is_numeric_dtype(per_run[c])
        and not pd.api.types.is_bool_dtype(per_run[c])
    ]
    groups = per_run.groupby(by, sort=True, dropna=False) if by else [((), per_run)]
    rows = []
    for key, g in groups:
        key_t = key if isinstance(key, tuple) else (key,)
        for m in metrics:
            mean, std, lo, hi = t_interval(g[m].to_numpy(dtype=float), confidence)
            rows.append(
                {
                    **dict(zip(by, key_t, strict=True)),
                    "metric": m,
                    "n": int(g[m].notna().sum()),
                    "mean": mean,
                    "std": std,
                    "ci_low": lo,
                    "ci_high": hi,
                }
            )
    return pd.DataFrame(rows, columns=[*by, "metric", "n", "mean", "std", "ci_low", "ci_high"])
